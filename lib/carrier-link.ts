import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { carrierEnv } from '../lambdas/carrier/carrier-env';
import type { SwitchboardFunction } from './switchboard-function';

export interface CarrierLinkProps {
  /** The one Twilio secret, `{ "accountSid": "AC...", "authToken": "..." }`. */
  readonly secret: ISecret;
  /** Where the numbers must point (admin API, report); the webhooks get it only when a custom domain is set. */
  readonly publicUrl?: string;
}

/**
 * The carrier link for one function, as `useTable` does for a table: read access to the Twilio secret
 * (that secret only) and the environment variables the handler reads (lambdas/config/env.ts),
 * named once for both sides. Lambdas outside a VPC reach api.twilio.com directly: nothing else is needed
 * to call out.
 */
export function useCarrierLink(fn: SwitchboardFunction, props: CarrierLinkProps): SwitchboardFunction {
  props.secret.grantRead(fn);
  const env = carrierEnv({ secretArn: props.secret.secretArn, publicUrl: props.publicUrl });
  for (const [name, value] of Object.entries(env)) fn.addEnvironment(name, value);
  return fn;
}

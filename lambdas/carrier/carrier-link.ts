// The carrier link as the handlers get it: a REST client built once per process from the credentials
// (Secrets Manager or the environment, lambdas/twilio/auth-token.ts) and the base URL the account's
// numbers must point at. Configuration is read at cold start; the secret on first use.
import { CarrierNotConfiguredError } from '../errors';
import { twilioCredentials } from '../twilio/auth-token';
import { ENV } from '../config/env';
import { TwilioRestClient, type TwilioRestOptions } from './twilio-rest';

/** What the use cases need of the REST API (the fake server and tests can stand behind it). */
export type CarrierApi = Pick<TwilioRestClient, 'listIncomingPhoneNumbers' | 'updateIncomingPhoneNumber' | 'createMessage' | 'fetchRecording' | 'deleteRecording' | 'deleteMessage'>;

export interface CarrierLink {
  /** The REST client; rejects with a CarrierNotConfiguredError saying what to configure when it cannot be built. */
  api(): Promise<CarrierApi>;
  /** PUBLIC_URL without a trailing slash: where every number's Voice and Messaging URLs must point. */
  publicUrl?: string;
}

export const trimUrl = (url: string | undefined) => (url ? url.replace(/\/+$/, '') : undefined) || undefined;

export function carrierLinkFromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<TwilioRestOptions, 'baseUrl'> = {}): CarrierLink {
  const baseUrl = env[ENV.apiUrl] || undefined;
  let client: Promise<TwilioRestClient> | undefined;
  return {
    publicUrl: trimUrl(env[ENV.publicUrl]),
    api: () => {
      client ??= twilioCredentials().then(
        (credentials) => new TwilioRestClient(credentials, { ...options, baseUrl }),
        (err: unknown) => {
          client = undefined;
          throw new CarrierNotConfiguredError((err as Error).message);
        },
      );
      return client;
    },
  };
}

// The carrier link's settings as environment variables (names in lambdas/config/env.ts): what the CDK
// stack (lib/carrier-link.ts) sets for a function that uses it.
import { ENV } from '../config/env';

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

/** Re-exported for the stack (lib/webhooks.ts), which reads the carrier link's settings from here. */
export { PLACEHOLDER_ACCOUNT_SID } from '../config/twilio-secret';

export interface CarrierSettings {
  secretArn: string;
  publicUrl?: string;
  apiUrl?: string;
}

/** The environment of a function that uses the carrier link (only the settings given). */
export function carrierEnv(settings: CarrierSettings): Record<string, string> {
  const env: Record<string, string> = { [ENV.authTokenSecretArn]: settings.secretArn };
  if (settings.publicUrl) env[ENV.publicUrl] = settings.publicUrl;
  if (settings.apiUrl) env[ENV.apiUrl] = settings.apiUrl;
  return env;
}

// The carrier link's settings as environment variables (names in lambdas/config/env.ts): what the CDK
// stack (lib/carrier-link.ts) sets for a function that uses it.
import { ENV } from '../config/env';

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

/** The placeholder the stack writes into the secret until an operator puts the real account SID there. */
export const PLACEHOLDER_ACCOUNT_SID = 'ACreplace-with-your-account-sid';

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

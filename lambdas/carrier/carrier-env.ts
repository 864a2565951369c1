// The environment variables through which the CDK stack (lib/carrier-link.ts) and the local stack hand
// the carrier link its settings, named once for both sides, as TABLES[key].envVar does for the tables.

export const CARRIER_ENV = {
  /** The Secrets Manager secret holding `{ "accountSid": "AC...", "authToken": "..." }` (AWS). */
  secretArn: 'TWILIO_AUTH_TOKEN_SECRET_ARN',
  /** Local mode and tests: the credentials themselves, instead of the secret. */
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  /** Any Twilio-compatible server; https://api.twilio.com when unset. */
  apiUrl: 'TWILIO_API_URL',
  /** The base URL Twilio calls: where the numbers' Voice and Messaging URLs must point. */
  publicUrl: 'PUBLIC_URL',
  /** CloudWatch namespace of the carrier's metrics (failed sends). */
  metricsNamespace: 'METRICS_NAMESPACE',
} as const;

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

/** The placeholder the stack writes into the secret until an operator puts the real account SID there. */
export const PLACEHOLDER_ACCOUNT_SID = 'ACreplace-with-your-account-sid';

export interface CarrierSettings {
  secretArn: string;
  publicUrl?: string;
  apiUrl?: string;
  metricsNamespace?: string;
}

/** The environment of a function that uses the carrier link (only the settings given). */
export function carrierEnv(settings: CarrierSettings): Record<string, string> {
  const env: Record<string, string> = { [CARRIER_ENV.secretArn]: settings.secretArn };
  if (settings.publicUrl) env[CARRIER_ENV.publicUrl] = settings.publicUrl;
  if (settings.apiUrl) env[CARRIER_ENV.apiUrl] = settings.apiUrl;
  if (settings.metricsNamespace) env[CARRIER_ENV.metricsNamespace] = settings.metricsNamespace;
  return env;
}

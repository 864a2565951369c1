// The Twilio auth token: from TWILIO_AUTH_TOKEN in local mode, otherwise from the Secrets Manager
// secret named by TWILIO_AUTH_TOKEN_SECRET_ARN through Powertools Parameters, cached for a few minutes
// so a rotated token is picked up without a redeploy. Never logged, never in an error message.
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '../config/env';

/** How long a read token is trusted before the secret is read again (a rotation shows up within this). */
export const AUTH_TOKEN_MAX_AGE_SECONDS = 300;

/** The secret may hold the token itself or JSON with an `authToken` field (other fields are ignored). */
export function authTokenFromSecret(secretString: string): string {
  const text = secretString.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('the Twilio auth token secret looks like JSON but does not parse');
    }
    const token = (parsed as { authToken?: unknown }).authToken;
    if (typeof token !== 'string' || token === '') throw new Error('the Twilio auth token secret is JSON without a string "authToken"');
    return token;
  }
  if (text === '') throw new Error('the Twilio auth token secret is empty');
  return text;
}

/** A cold start must not wait on a hung connection: the webhook answers safely when the read fails. */
export const secretsClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500, throwOnRequestTimeout: true },
};

/** What reads the secret: Powertools' SecretsProvider (which caches by maxAge), or a test's stand-in. */
export interface SecretReader {
  get(secretId: string, options: { maxAge: number }): Promise<unknown>;
}

let provider: Promise<SecretsProvider> | undefined;

/**
 * Loaded on first use: local mode never needs the Secrets Manager client, and in AWS it is needed only
 * when the cache misses; loading it at init would add its SDK client to every cold start's load time.
 */
function secretsProvider(): Promise<SecretsProvider> {
  provider ??= Promise.all([import('@aws-lambda-powertools/parameters/secrets'), import('@aws-sdk/client-secrets-manager')]).then(
    ([{ SecretsProvider }, { SecretsManagerClient }]) => new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(secretsClientConfig) }),
  );
  return provider;
}

export async function loadTwilioAuthToken(env: NodeJS.ProcessEnv = process.env, secrets?: SecretReader): Promise<string> {
  const local = env[ENV.authToken];
  if (local) return local;
  const secretId = env[ENV.authTokenSecretArn];
  if (!secretId) throw new Error(`set ${ENV.authToken} (local mode) or ${ENV.authTokenSecretArn}`);
  const reader: SecretReader = secrets ?? (await secretsProvider());
  let value: unknown;
  try {
    value = await reader.get(secretId, { maxAge: AUTH_TOKEN_MAX_AGE_SECONDS });
  } catch (err) {
    // Powertools wraps the SDK's error; its message names the secret and the cause, never the value.
    throw new Error(`cannot read the Twilio auth token secret: ${(err as Error).message}`);
  }
  if (typeof value !== 'string') throw new Error('the Twilio auth token secret has no SecretString');
  return authTokenFromSecret(value);
}

/** The token for this request: Powertools' cache answers for AUTH_TOKEN_MAX_AGE_SECONDS, then the secret is read again. */
export const twilioAuthToken = (): Promise<string> => loadTwilioAuthToken();

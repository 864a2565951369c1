// The Twilio auth token, read once per cold start: from TWILIO_AUTH_TOKEN in local mode, otherwise
// from the Secrets Manager secret named by TWILIO_AUTH_TOKEN_SECRET_ARN. Never logged, never in an error.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

/** The secret may hold the token itself or JSON `{ "authToken": "..." }`. */
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

export async function loadTwilioAuthToken(env: NodeJS.ProcessEnv = process.env, client?: SecretReader): Promise<string> {
  if (env.TWILIO_AUTH_TOKEN) return env.TWILIO_AUTH_TOKEN;
  const secretId = env.TWILIO_AUTH_TOKEN_SECRET_ARN;
  if (!secretId) throw new Error('set TWILIO_AUTH_TOKEN (local mode) or TWILIO_AUTH_TOKEN_SECRET_ARN');
  // A cold start must not wait on a hung connection: the webhook answers safely when this fails.
  const reader = client ?? new SecretsManagerClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500, throwOnRequestTimeout: true } });
  const out = await reader.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (out.SecretString === undefined) throw new Error('the Twilio auth token secret has no SecretString');
  return authTokenFromSecret(out.SecretString);
}

let cached: Promise<string> | undefined;

/** Memoized per process; a failed read is forgotten so the next invocation tries again. */
export function twilioAuthToken(): Promise<string> {
  cached ??= loadTwilioAuthToken().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

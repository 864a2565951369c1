// The Twilio credentials: from TWILIO_AUTH_TOKEN (and TWILIO_ACCOUNT_SID) in local mode, otherwise from
// the one Secrets Manager secret named by TWILIO_AUTH_TOKEN_SECRET_ARN, `{ "accountSid": "AC...",
// "authToken": "..." }`, through Powertools Parameters' SecretsProvider (the SDK's Secrets Manager client),
// cached for a few minutes so a rotated token is picked up without a redeploy. The webhooks need the token (signatures); the carrier link both (REST
// API); one cached read serves both. Never logged, never in an error message.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ENV } from '../config/env';
import { sdkClientConfig, type RequestBudget } from '../config/request-budget';
import { PLACEHOLDER_ACCOUNT_SID } from '../config/twilio-secret';

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
export const secretsClientConfig: RequestBudget = { maxAttempts: 2, connectionTimeout: 1_000, requestTimeout: 1_500 };

/** What reads the secret: a Powertools provider (which caches by maxAge), or a test's stand-in. */
export interface SecretReader {
  get(secretId: string, options: { maxAge: number }): Promise<unknown>;
}

let provider: SecretsProvider | undefined;

/** Made on first use: local mode never reads Secrets Manager (and may have no region to name one). */
function secretsProvider(): SecretsProvider {
  provider ??= new SecretsProvider({ clientConfig: sdkClientConfig(secretsClientConfig) });
  return provider;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

/** Both credentials from the secret's JSON: the REST API cannot be used without the account SID. */
export function credentialsFromSecret(secretString: string): TwilioCredentials {
  const authToken = authTokenFromSecret(secretString);
  let accountSid: unknown;
  try {
    accountSid = (JSON.parse(secretString.trim()) as { accountSid?: unknown }).accountSid;
  } catch {
    // A plain token (older deployments): no SID.
  }
  if (typeof accountSid !== 'string' || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new Error(
      accountSid === PLACEHOLDER_ACCOUNT_SID
        ? 'the Twilio secret still holds the placeholder account SID: put {"accountSid":"AC...","authToken":"..."} there'
        : 'the Twilio secret has no "accountSid" (AC followed by 32 hex digits): it must be {"accountSid":"AC...","authToken":"..."}',
    );
  }
  return { accountSid, authToken };
}

export async function loadTwilioAuthToken(env: NodeJS.ProcessEnv = process.env, secrets?: SecretReader): Promise<string> {
  const local = env[ENV.authToken];
  if (local) return local;
  return authTokenFromSecret(await readSecret(env, secrets));
}

/** The account SID and token: both from the environment (local mode), or both from the secret. */
export async function loadTwilioCredentials(env: NodeJS.ProcessEnv = process.env, secrets?: SecretReader): Promise<TwilioCredentials> {
  const [accountSid, authToken] = [env[ENV.accountSid], env[ENV.authToken]];
  if (authToken) {
    if (!accountSid) throw new Error(`set ${ENV.accountSid} beside ${ENV.authToken} to use the Twilio REST API`);
    return { accountSid, authToken };
  }
  return credentialsFromSecret(await readSecret(env, secrets));
}

/** The secret's text, through Powertools' cache (one read per AUTH_TOKEN_MAX_AGE_SECONDS for token and SID alike). */
async function readSecret(env: NodeJS.ProcessEnv, secrets?: SecretReader): Promise<string> {
  const secretId = env[ENV.authTokenSecretArn];
  if (!secretId) throw new Error(`set ${ENV.authToken} (local mode) or ${ENV.authTokenSecretArn}`);
  const reader: SecretReader = secrets ?? secretsProvider();
  let value: unknown;
  try {
    value = await reader.get(secretId, { maxAge: AUTH_TOKEN_MAX_AGE_SECONDS });
  } catch (err) {
    // Powertools wraps the SDK's error; its message names the secret and the cause, never the value.
    throw new Error(`cannot read the Twilio auth token secret: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'string') throw new Error('the Twilio auth token secret has no SecretString');
  return value;
}

/** The token for this request: Powertools' cache answers for AUTH_TOKEN_MAX_AGE_SECONDS, then the secret is read again. */
export const twilioAuthToken = (): Promise<string> => loadTwilioAuthToken();

/** The credentials for the REST API, from the same cached read. */
export const twilioCredentials = (): Promise<TwilioCredentials> => loadTwilioCredentials();

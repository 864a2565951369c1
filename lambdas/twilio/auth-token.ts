// The Twilio credentials, read once per cold start: from TWILIO_AUTH_TOKEN (and TWILIO_ACCOUNT_SID) in
// local mode, otherwise from the one Secrets Manager secret named by TWILIO_AUTH_TOKEN_SECRET_ARN, which
// holds `{ "accountSid": "AC...", "authToken": "..." }`. The webhooks need only the token (signatures);
// the carrier link needs both (REST API). Never logged, never in an error.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CARRIER_ENV, PLACEHOLDER_ACCOUNT_SID } from '../carrier/carrier-env';

export interface SecretReader {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}


function parseSecret(secretString: string): { accountSid?: unknown; authToken?: unknown } | string {
  const text = secretString.trim();
  if (!text.startsWith('{')) {
    if (text === '') throw new Error('the Twilio secret is empty');
    return text;
  }
  try {
    return JSON.parse(text) as { accountSid?: unknown; authToken?: unknown };
  } catch {
    throw new Error('the Twilio secret looks like JSON but does not parse');
  }
}

/** The secret may hold the token itself (older deployments) or JSON `{ "authToken": "...", "accountSid": "..." }`. */
export function authTokenFromSecret(secretString: string): string {
  const parsed = parseSecret(secretString);
  if (typeof parsed === 'string') return parsed;
  if (typeof parsed.authToken !== 'string' || parsed.authToken === '') throw new Error('the Twilio secret is JSON without a string "authToken"');
  return parsed.authToken;
}

/** Both credentials from the secret's JSON; the REST API cannot be used without the account SID. */
export function credentialsFromSecret(secretString: string): TwilioCredentials {
  const authToken = authTokenFromSecret(secretString);
  const parsed = parseSecret(secretString);
  const accountSid = typeof parsed === 'string' ? undefined : parsed.accountSid;
  if (typeof accountSid !== 'string' || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new Error(
      accountSid === PLACEHOLDER_ACCOUNT_SID
        ? 'the Twilio secret still holds the placeholder account SID: put {"accountSid":"AC...","authToken":"..."} there'
        : 'the Twilio secret has no "accountSid" (AC followed by 32 hex digits): it must be {"accountSid":"AC...","authToken":"..."}',
    );
  }
  return { accountSid, authToken };
}

/** One read of the secret per process (token and SID come from the same read); a failure is forgotten. */
let secret: Promise<string> | undefined;

async function readSecret(env: NodeJS.ProcessEnv, client?: SecretReader): Promise<string> {
  const secretId = env[CARRIER_ENV.secretArn];
  if (!secretId) throw new Error(`set ${CARRIER_ENV.authToken} (local mode) or ${CARRIER_ENV.secretArn}`);
  // A cold start must not wait on a hung connection: the webhook answers safely when this fails.
  const reader = client ?? new SecretsManagerClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500, throwOnRequestTimeout: true } });
  const out = await reader.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (out.SecretString === undefined) throw new Error('the Twilio secret has no SecretString');
  return out.SecretString;
}

function cachedSecret(): Promise<string> {
  secret ??= readSecret(process.env).catch((err: unknown) => {
    secret = undefined;
    throw err;
  });
  return secret;
}

export async function loadTwilioAuthToken(env: NodeJS.ProcessEnv = process.env, client?: SecretReader): Promise<string> {
  if (env[CARRIER_ENV.authToken]) return env[CARRIER_ENV.authToken]!;
  return authTokenFromSecret(await readSecret(env, client));
}

export async function loadTwilioCredentials(env: NodeJS.ProcessEnv = process.env, client?: SecretReader): Promise<TwilioCredentials> {
  const [accountSid, authToken] = [env[CARRIER_ENV.accountSid], env[CARRIER_ENV.authToken]];
  if (authToken) {
    if (!accountSid) throw new Error(`set ${CARRIER_ENV.accountSid} beside ${CARRIER_ENV.authToken} to use the Twilio REST API`);
    return { accountSid, authToken };
  }
  return credentialsFromSecret(await readSecret(env, client));
}

let cached: Promise<string> | undefined;

/** Memoized per process; a failed read is forgotten so the next invocation tries again. */
export function twilioAuthToken(): Promise<string> {
  cached ??= (process.env[CARRIER_ENV.authToken] ? loadTwilioAuthToken() : cachedSecret().then(authTokenFromSecret)).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** The account SID and token for the REST API, from the same single read of the secret as the token. */
export function twilioCredentials(): Promise<TwilioCredentials> {
  if (process.env[CARRIER_ENV.authToken]) return loadTwilioCredentials();
  return cachedSecret().then(credentialsFromSecret);
}

// The AWS SDK's own SigV4 signer (@smithy/signature-v4), for the loopback AWS services of the artifact
// tests: a request the bundled function signed must carry the authorization its credentials give.
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity as AwsCredentials } from '@smithy/types';

export interface SigningScope {
  credentials: AwsCredentials;
  region: string;
  service: string;
}

/** What the SDK puts in `authorization` for a POST to `/` with these headers (host included) and body, signed at `at`. */
export async function sdkAuthorization(headers: Record<string, string>, body: string, at: Date, { credentials, region, service }: SigningScope): Promise<string> {
  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign({ method: 'POST', protocol: 'https:', hostname: headers.host, path: '/', headers, body, query: {} }, { signingDate: at });
  return signed.headers.authorization;
}

/**
 * What the SDK would have put in `authorization` for a request a loopback server received: re-signed at its
 * x-amz-date, over `signedNames` (by default, the headers its own authorization says it signed).
 */
export function sdkAuthorizationOf(received: { headers: IncomingHttpHeaders; body: string }, scope: SigningScope, signedNames?: string[]): Promise<string> {
  const { headers, body } = received;
  const at = new Date(String(headers['x-amz-date']).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const names = signedNames ?? /SignedHeaders=([^,]+)/.exec(String(headers.authorization))?.[1].split(';') ?? [];
  return sdkAuthorization(Object.fromEntries(names.map((n) => [n, String(headers[n])])), body, at, scope);
}

// What API Gateway's JWT authorizer does for an HTTP API route, done locally with `jose` (DESIGN.md
// section 16), so `npm start -- --auth` checks tokens as AWS does and hands the handler the same claims:
//   1. the token from `Authorization` (alone, or after `Bearer `);
//   2. its signature, with an RSA algorithm, by the key its `kid` names in the issuer's jwks_uri (read
//      from the issuer's discovery document, as API Gateway reads it when the authorizer is created);
//   3. its claims: `iss` is the issuer; `aud` (or, only when there is no `aud`, `client_id`) is one of the
//      audiences; `exp` is after now; `nbf` and `iat` are before now;
//   4. its claims, then, as API Gateway passes them to the integration: every value a string, an array as
//      `[a b]` (requestContext.authorizer.jwt.claims).
// A failure is the reason, which the local server answers with 401.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';

export interface JwtAuthorizerOptions {
  issuer: string;
  audience: readonly string[];
  /** The issuer's key set; read from its discovery document when absent. */
  jwksUri?: string;
  now?: () => Date;
}

export type JwtCheck = { ok: true; claims: Record<string, string> } | { ok: false; reason: string };

/** RSA only, as API Gateway ("currently, only RSA-based algorithms are supported"). */
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

export function jwtAuthorizer(options: JwtAuthorizerOptions): (authorization: string | undefined) => Promise<JwtCheck> {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () =>
    (keys ??= (async () => {
      let uri = options.jwksUri;
      if (!uri) {
        const res = await fetch(`${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
        if (!res.ok) throw new Error(`the issuer's discovery document answered ${res.status}`);
        uri = ((await res.json()) as { jwks_uri: string }).jwks_uri;
      }
      return createRemoteJWKSet(new URL(uri));
    })().catch((err: unknown) => {
      keys = undefined; // read it again next time
      throw err;
    }));

  return async (authorization) => {
    const token = authorization?.trim().replace(/^Bearer\s+/i, '');
    if (!token) return { ok: false, reason: 'this request carries no token (send Authorization: Bearer <ID token>)' };
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { ok: false, reason: 'the token is not a JWT' };
    }
    if (!kid) return { ok: false, reason: 'the token names no key (kid)' };
    const now = options.now?.() ?? new Date();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), { issuer: options.issuer, algorithms: RSA_ALGORITHMS, currentDate: now, requiredClaims: ['exp'] }));
    } catch (err) {
      return { ok: false, reason: reasonOf(err) };
    }
    const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
    const accepted = payload.aud !== undefined ? audiences.some((a) => options.audience.includes(a)) : clientId !== undefined && options.audience.includes(clientId);
    if (!accepted) return { ok: false, reason: 'the token is for another audience (aud or client_id)' };
    if (typeof payload.iat === 'number' && payload.iat * 1000 > now.getTime()) return { ok: false, reason: 'the token was issued in the future (iat)' };
    return { ok: true, claims: gatewayClaims(payload) };
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return 'the token is from another issuer (iss)';
    if (err.claim === 'nbf') return 'the token is not valid yet (nbf)';
    return `the token's ${err.claim} claim is not acceptable (${err.reason})`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token’s signature does not verify';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer signed this token';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token is not signed with an RSA algorithm';
  if (err instanceof errors.JOSEError) return `the token is not valid (${err.code})`;
  return `the token could not be checked (${(err as Error).message})`;
}

/** Claims as API Gateway hands them to the function: strings, an array as `[a b]`, an object as JSON. */
export function gatewayClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

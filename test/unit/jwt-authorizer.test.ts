// The local stand-in for API Gateway's JWT authorizer (local/jwt-authorizer.ts): the same checks, in the
// same order, against a key set served over loopback as an issuer serves its jwks_uri.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { jwtAuthorizer } from '../../local/jwt-authorizer';

const ISSUER = 'https://issuer.test/pool';
const CLIENT = 'dashboard-client';
let server: Server;
let jwksUri: string;
let privateKey: CryptoKey;
const kid = 'key-1';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' }] });
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const check = (token: string, now?: Date) => jwtAuthorizer({ issuer: ISSUER, audience: [CLIENT], jwksUri, now: now && (() => now) })(`Bearer ${token}`);

async function token(claims: JWTPayload = {}, options: { kid?: string | null; key?: CryptoKey; iss?: string; aud?: string | null; exp?: string | number } = {}) {
  const jwt = new SignJWT({ email: 'ann@example.com', 'cognito:groups': ['member', 'editor'], ...claims })
    .setProtectedHeader({ alg: 'RS256', ...(options.kid === null ? {} : { kid: options.kid ?? kid }) })
    .setIssuer(options.iss ?? ISSUER)
    .setExpirationTime(options.exp ?? '1h');
  if (claims.iat === undefined) jwt.setIssuedAt();
  if (options.aud !== null) jwt.setAudience(options.aud ?? CLIENT);
  return jwt.sign(options.key ?? privateKey);
}

test('a good token passes, its claims as API Gateway hands them over (strings; arrays as "[a b]")', async () => {
  const result = await check(await token());
  expect(result).toMatchObject({ ok: true, claims: { email: 'ann@example.com', 'cognito:groups': '[member editor]', iss: ISSUER, aud: CLIENT } });
  if (result.ok) expect(typeof result.claims.exp).toBe('string');
});

test.each([
  ['expired', async () => check(await token({}, { exp: Math.floor(Date.now() / 1000) - 60 })), 'expired'],
  ['another issuer', async () => check(await token({}, { iss: 'https://elsewhere.test' })), 'another issuer'],
  ['another audience', async () => check(await token({}, { aud: 'someone-else' })), 'another audience'],
  ['no aud and a client_id of another client', async () => check(await token({ client_id: 'someone-else' }, { aud: null })), 'another audience'],
  ['not valid yet (nbf)', async () => check(await token({ nbf: Math.floor(Date.now() / 1000) + 600 })), 'not valid yet'],
  ['issued in the future (iat)', async () => check(await token({ iat: Math.floor(Date.now() / 1000) + 600 })), 'future'],
  ['no kid', async () => check(await token({}, { kid: null })), 'no key'],
  ['another key under our kid', async () => check(await token({}, { key: (await generateKeyPair('RS256')).privateKey })), 'signature'],
  ['an unknown kid', async () => check(await token({}, { kid: 'key-2' })), 'no key of the issuer'],
  ['HS256 (not RSA)', async () => check(await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid }).setIssuer(ISSUER).setAudience(CLIENT).setExpirationTime('1h').sign(new Uint8Array(32))), 'RSA'],
  ['not a JWT', async () => check('abc'), 'not a JWT'],
  ['no token', async () => jwtAuthorizer({ issuer: ISSUER, audience: [CLIENT], jwksUri })(undefined), 'no token'],
])('refused: %s', async (_name, run, reason) => {
  const result = await run();
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toContain(reason);
});

test('without aud, a client_id among the audiences is accepted (as API Gateway does for Cognito access tokens)', async () => {
  expect((await check(await token({ client_id: CLIENT }, { aud: null }))).ok).toBe(true);
});

test('expiry is judged by the clock: the same token is refused once its hour is over', async () => {
  const t = await token();
  expect((await check(t, new Date(Date.now() + 2 * 3600_000))).ok).toBe(false);
});

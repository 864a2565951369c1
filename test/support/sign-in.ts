// Signs in to the local stack's OpenID provider the way the page does (authorization code + PKCE), over
// plain HTTP with a cookie jar, for tests that need a real token without a browser.
import { createHash, randomBytes } from 'node:crypto';
import type { LocalStack } from '../../local/stack';

/** The cookies a browser would keep, by name (paths ignored: the provider scopes them, every request here is its own). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows the provider's redirects until one leaves it (back to the page: `?code=`) or a page answers. */
async function follow(url: string, jar: Jar, init: RequestInit = {}): Promise<Response> {
  let res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } });
  jar.take(res);
  for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 10; hops++) {
    const next = new URL(res.headers.get('location')!, url).href;
    if (new URL(next).searchParams.has('code')) return res;
    url = next;
    res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res);
  }
  return res;
}

/** An ID token for `email` (the code flow, PKCE S256, as oidc-client-ts runs it in the page). */
export async function signInForToken(stack: LocalStack, email: string, password?: string): Promise<string> {
  const signIn = stack.signIn!;
  const pass = password ?? signIn.passwords.find((p) => p.email === email)!.password;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = `${stack.url}/`;
  const jar = new Jar();
  const authorize = new URL(`${signIn.issuer}/auth`);
  for (const [k, v] of Object.entries({ client_id: signIn.clientId, redirect_uri: redirect, response_type: 'code', scope: 'openid email profile', code_challenge: challenge, code_challenge_method: 'S256', state: 's1', nonce: 'n1' })) {
    authorize.searchParams.set(k, v);
  }
  const page = await follow(authorize.href, jar);
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}: ${await page.text()}`);
  const form = /action="([^"]+)"/.exec(await page.text())![1];
  const back = await follow(new URL(form, stack.url).href, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: pass }).toString(),
  });
  const location = back.headers.get('location');
  const code = location && new URL(location, stack.url).searchParams.get('code');
  if (!code) throw new Error(`signing in as ${email} did not come back with a code (${back.status}): ${await back.text()}`);
  const token = await fetch(`${signIn.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: signIn.clientId, code_verifier: verifier }).toString(),
  });
  const body = (await token.json()) as { id_token?: string; error?: string };
  if (!body.id_token) throw new Error(`the token endpoint answered ${token.status}: ${JSON.stringify(body)}`);
  return body.id_token;
}

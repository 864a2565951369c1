// `npm start -- --auth`: a real OpenID Connect provider (the certified `oidc-provider` package) on the
// local server itself, standing in for Cognito's user pool and managed login (DESIGN.md section 16):
//   - issuer `<url>/oidc`, discovery at `<url>/oidc/.well-known/openid-configuration`;
//   - one public client, the dashboard: authorization code with PKCE, redirect back to `<url>/`;
//   - ID tokens signed RS256 with a key made at start, carrying what Cognito's carry: `email`,
//     `email_verified`, `name`, and the account's role as `cognito:groups`;
//   - the sign-in page at `/signin/<uid>`: email and password, checked against LocalAccounts.
// The page signs in with oidc-client-ts against it exactly as against Cognito; the local server checks
// the tokens as API Gateway's JWT authorizer does (local/jwt-authorizer.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type { LocalAccounts } from './accounts';

export const LOCAL_CLIENT_ID = 'switchboard-dashboard';
/** The scopes the dashboard asks for, as it asks Cognito. */
export const DASHBOARD_SCOPE = 'openid email profile';

export interface LocalOidc {
  issuer: string;
  clientId: string;
  /** Answers the provider's routes (`/oidc/*`) and the sign-in page (`/signin/*`): true when it did. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page of the provider's, with nothing loaded from anywhere. */
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${title} · Switchboard</title></head><body><main>${body}</main></body></html>`;

/** The sign-in page: a plain form, no script; its own strict CSP. */
function signInPage(uid: string, error?: string, email = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Sign in · Switchboard</title></head>
<body>
<main>
<h1>Sign in to Switchboard</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/signin/${encodeURIComponent(uid)}">
<p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
<p>Local mode: the accounts and their passwords are printed where <code>npm start -- --auth</code> runs.</p>
</main>
</body></html>`;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('the sign-in form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** `baseUrl`: the local server's own URL (`http://127.0.0.1:3000`), where the dashboard is served. */
export async function startLocalOidc(baseUrl: string, accounts: LocalAccounts): Promise<LocalOidc> {
  // ESM-only package, loaded only when sign-in is on.
  const { Provider } = await import('oidc-provider');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  const issuer = `${baseUrl}/oidc`;
  const dashboard = `${baseUrl}/`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: LOCAL_CLIENT_ID,
        // A public client (a page cannot keep a secret): PKCE stands in for it, as with Cognito's app client.
        token_endpoint_auth_method: 'none',
        redirect_uris: [dashboard],
        post_logout_redirect_uris: [dashboard],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // The provider's own pages, plain: its defaults load web fonts from outside the machine.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page('Sign out', `<h1>Sign out of Switchboard?</h1>${form}<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button> <button type="submit" form="op.logoutForm">No, stay signed in</button></p>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>Signed out</h1><p><a href="/">Back to Switchboard</a></p>');
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in failed</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p><p><a href="/">Start again</a></p>`);
    },
    // Cognito puts these in its ID tokens whatever else the page asks for.
    claims: { openid: ['sub', 'cognito:groups'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    interactions: { url: (_ctx, interaction) => `/signin/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accounts.bySub(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, email: account.email, email_verified: true, name: account.name, 'cognito:groups': [account.role] }),
      };
    },
    // The dashboard is the provider's own first-party client: no consent screen, as with Cognito's managed login.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope(DASHBOARD_SCOPE);
      grant.addOIDCClaims(['email', 'email_verified', 'name', 'cognito:groups']);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();

  const signIn = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    if (req.method === 'GET') {
      await provider.interactionDetails(req, res); // an unknown or expired interaction throws: the provider's error page
      res.writeHead(200, PAGE_HEADERS).end(signInPage(uid));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const form = await formOf(req);
    const details = await provider.interactionDetails(req, res);
    const email = form.get('email') ?? '';
    const account = accounts.verify(email, form.get('password') ?? '');
    if (details.prompt.name !== 'login' || !account) {
      res.writeHead(401, PAGE_HEADERS).end(signInPage(uid, 'That email and password do not match an account.', email));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  };

  return {
    issuer,
    clientId: LOCAL_CLIENT_ID,
    async handle(req, res) {
      const url = new URL(req.url ?? '/', baseUrl);
      const signin = /^\/signin\/([A-Za-z0-9_-]{1,128})$/.exec(url.pathname);
      if (signin) {
        try {
          await signIn(req, res, signin[1]);
        } catch (err) {
          if (!res.headersSent) res.writeHead(400, PAGE_HEADERS).end(`<!doctype html><title>Sign in</title><p>This sign-in has expired or is not valid (${escapeHtml((err as Error).message)}). <a href="/">Start again</a>.</p>`);
        }
        return true;
      }
      if (url.pathname !== '/oidc' && !url.pathname.startsWith('/oidc/')) return false;
      // Mounted under /oidc, as express would: the provider sees its own paths, and builds URLs from originalUrl.
      const original = req.url ?? '/';
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = original;
      req.url = original.slice('/oidc'.length) || '/';
      await new Promise<void>((resolve) => {
        res.once('finish', resolve);
        res.once('close', resolve);
        void callback(req, res);
      });
      return true;
    },
  };
}

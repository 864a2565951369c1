// Sign-in (DESIGN.md section 16) with oidc-client-ts: the authorization code flow with PKCE against the
// issuer /config.json names: Cognito in AWS, the local server's OpenID provider with `npm start -- --auth`.
// The same code for both. Without sign-in (`npm start`, the dashboard proxy) there is nothing to do.
// The API gets the ID token (it carries the email and cognito:groups the admin API reads), and a 401
// anywhere sends the person back to the sign-in screen.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { DashboardConfig } from '../../lambdas/api-types';
import { setAuthorization } from './api';

export interface Session {
  /** False: the dashboard is open (no sign-in). */
  required: boolean;
  /** Signed in (or no sign-in needed). */
  ready: boolean;
  signIn(): Promise<void>;
  signOut(): Promise<void>;
}

async function readConfig(): Promise<DashboardConfig> {
  try {
    const res = await fetch('/config.json', { credentials: 'same-origin' });
    return res.ok ? ((await res.json()) as DashboardConfig) : { auth: null };
  } catch {
    return { auth: null };
  }
}

/**
 * Reads the config; finishes a sign-in coming back from the provider (`?code=&state=` on the URL); and
 * tells the API client which token to send. `onSignedOut` runs when the API answers 401.
 */
export async function startSession(onSignedOut: () => void): Promise<Session> {
  const { auth } = await readConfig();
  if (!auth) return { required: false, ready: true, signIn: async () => undefined, signOut: async () => undefined };
  const home = `${window.location.origin}/`;
  const manager = new UserManager({
    authority: auth.authority,
    client_id: auth.clientId,
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: auth.scope,
    // The token lives as long as the tab: a new tab signs in again (the provider's session makes that one click or none).
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    automaticSilentRenew: false,
  });
  let user: User | null = null;
  const params = new URLSearchParams(window.location.search);
  if (params.has('code') || params.has('error')) {
    try {
      user = await manager.signinRedirectCallback();
    } catch {
      user = null; // a stale or replayed answer: sign in again
    }
    // The page's place before signing in travelled as the state; the code leaves the address bar.
    const hash = typeof user?.state === 'string' ? user.state : '';
    window.history.replaceState(null, '', `/${hash}`);
  } else {
    user = await manager.getUser();
  }
  const valid = () => (user && !user.expired ? user : null);
  setAuthorization({
    token: () => valid()?.id_token,
    onUnauthorized: () => {
      user = null;
      void manager.removeUser();
      onSignedOut();
    },
  });
  return {
    required: true,
    ready: valid() !== null,
    signIn: () => manager.signinRedirect({ state: window.location.hash }),
    signOut: async () => {
      const idToken = user?.id_token;
      await manager.removeUser();
      user = null;
      // Cognito's discovery document names no end_session_endpoint: its /logout is given in the config.
      if (auth.signOutUrl) window.location.assign(auth.signOutUrl);
      else await manager.signoutRedirect({ id_token_hint: idToken });
    },
  };
}

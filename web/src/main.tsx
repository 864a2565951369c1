// The Switchboard dashboard (DESIGN.md section 12): a hash-routed single page over the admin API.
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { FlowPage } from './flow-page';
import { LeaveDialog, leaveQuestion, leaveWithoutAsking } from './leave-guard';
import { Mailboxes, type MailboxRef } from './mailboxes';
import { Overview, ReportBanner } from './overview';
import { People } from './people';
import { Queues } from './queues';
import { Schedules } from './schedules';
import { RefreshContext } from './ui';
import type { Me } from '../../lambdas/api-types';
import { get } from './api';
import { startSession, type Session } from './auth';
import { canEdit, MeContext, MyCalls } from './my-calls';
import './styles.css';
import './editing.css';
import './responsive.css';

type Route =
  | { page: 'me' }
  | { page: 'overview' }
  | { page: 'flow'; id: string }
  | { page: 'mailboxes'; box: MailboxRef; message?: string }
  | { page: 'people' }
  | { page: 'schedules' }
  | { page: 'queues' }
  | { page: 'missing'; hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'flows' && parts[1]) return { page: 'flow', id: parts[1] };
  if (parts[0] === 'mailboxes') {
    // `#/mailboxes/group/<id>/<message id>`: the link of a voicemail email picks the message out.
    if ((parts[1] === 'user' || parts[1] === 'group') && parts[2]) return { page: 'mailboxes', box: { kind: parts[1], id: parts[2] }, ...(parts[3] && { message: parts[3] }) };
    if (parts[1] === 'sent') return { page: 'mailboxes', box: { kind: 'sent' } };
    return { page: 'mailboxes', box: { kind: 'unrouted' } };
  }
  if (parts[0] === 'people') return { page: 'people' };
  if (parts[0] === 'me') return { page: 'me' };
  if (parts[0] === 'schedules') return { page: 'schedules' };
  if (parts[0] === 'queues') return { page: 'queues' };
  return { page: 'missing', hash };
}

const samePage = (a: string, b: string) => JSON.stringify(parseRoute(a)) === JSON.stringify(parseRoute(b));

/**
 * The hash, held back while the page being left has something to lose (leave-guard.tsx): the address is put
 * back and `pending` says where the person wanted to go until they answer.
 */
function useHash() {
  const [hash, setHash] = useState(window.location.hash);
  const [pending, setPending] = useState<{ to: string; question: string }>();
  useEffect(() => {
    let shown = window.location.hash;
    const on = () => {
      const to = window.location.hash;
      const question = samePage(shown, to) ? undefined : leaveQuestion();
      if (question) {
        history.replaceState(history.state, '', shown || '#/');
        setPending({ to, question });
        return;
      }
      shown = to;
      setPending(undefined);
      setHash(to);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const leave = () => {
    if (!pending) return;
    setPending(undefined);
    leaveWithoutAsking(pending.to);
  };
  return { hash, pending, stay: () => setPending(undefined), leave };
}

function App({ session, me, onMe }: { session: Session; me: Me | undefined; onMe: (me: Me) => void }) {
  const { hash, pending, stay, leave } = useHash();
  // A member lands on their own calls (DESIGN.md section 16): at once, so the overview (an admin's and
  // editor's landing, which asks for the carrier sync's state) never opens for her on the way.
  const landing = me?.role === 'member' && !hash.replace(/^#\/?/, '');
  const route: Route = landing ? { page: 'me' } : parseRoute(hash);
  useEffect(() => {
    if (landing) window.location.hash = '#/me';
  }, [me]);
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  // Someone else may have changed routing meanwhile (another tab, the CLI, a teammate): reload on return.
  useEffect(() => {
    const onVisible = () => document.visibilityState === 'visible' && bump();
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [bump]);
  useEffect(() => {
    const titles = { me: 'My calls', flow: 'Flow', mailboxes: 'Mailboxes', people: 'People', schedules: 'Schedules', queues: 'Queues', missing: 'Not found' } as const;
    document.title = route.page === 'overview' ? 'Switchboard' : `${titles[route.page]} · Switchboard`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [hash]);
  const tab = (href: string, label: string, active: boolean) => (
    <a href={href} class={active ? 'tab active' : 'tab'} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <RefreshContext.Provider value={{ version, bump }}>
      <a href="#main" class="skip-link" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <a href="#/" class="brand" aria-label="Switchboard overview">
          <span class="brand-mark" aria-hidden="true" />
          Switchboard
        </a>
        <nav aria-label="Main" class="tabs">
          {me?.user && tab('#/me', 'My calls', route.page === 'me')}
          {tab('#/', 'Flows & numbers', route.page === 'overview' || route.page === 'flow')}
          {(!me || canEdit(me)) && tab('#/mailboxes', 'Mailboxes', route.page === 'mailboxes')}
          {tab('#/people', 'Users & groups', route.page === 'people')}
          {tab('#/schedules', 'Schedules', route.page === 'schedules')}
          {tab('#/queues', 'Queues', route.page === 'queues')}
        </nav>
        {session.required && (
          <div class="account">
            <span class="muted small" title={me?.email ?? undefined}>
              {me?.email}
              {me?.role ? ` · ${me.role}` : ''}
            </span>
            <button type="button" class="btn btn-small btn-ghost" onClick={() => void session.signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1} class="main">
        <ReportBanner onOverview={route.page === 'overview'} />
        {route.page === 'me' && <MyCalls onMe={onMe} />}
        {route.page === 'overview' && <Overview />}
        {route.page === 'flow' && <FlowPage key={route.id} id={route.id} />}
        {route.page === 'mailboxes' && <Mailboxes selected={route.box} message={route.message} />}
        {route.page === 'people' && <People />}
        {route.page === 'schedules' && <Schedules />}
        {route.page === 'queues' && <Queues />}
        {pending && <LeaveDialog message={pending.question} onStay={stay} onLeave={leave} />}
        {route.page === 'missing' && (
          <div class="panel">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{route.hash}</code>. <a href="#/">Go to the overview</a>.
            </p>
          </div>
        )}
      </main>
    </RefreshContext.Provider>
  );
}

/** Before anything else: a sign-in, when the dashboard needs one; then who is signed in. */
function Root() {
  const [session, setSession] = useState<Session>();
  const [signedOut, setSignedOut] = useState(false);
  const [me, setMe] = useState<Me>();
  const [meFailed, setMeFailed] = useState(false);
  useEffect(() => {
    void startSession(() => setSignedOut(true)).then(setSession);
  }, []);
  const ready = !!session && session.ready && !signedOut;
  useEffect(() => {
    if (ready) get<Me>('/api/me').then(setMe, () => setMeFailed(true));
  }, [ready]);
  if (!session) return <p class="muted">Loading…</p>;
  if (!ready) return <SignIn session={session} again={signedOut} />;
  // Signed in: the pages wait for the role (a member's would otherwise ask for what only editors may, and
  // see 403s); if /api/me fails they open anyway and the API's own answers say what is refused.
  if (session.required && !me && !meFailed) return <p class="muted">Loading…</p>;
  return (
    <MeContext.Provider value={me}>
      <App session={session} me={me} onMe={setMe} />
    </MeContext.Provider>
  );
}

function SignIn({ session, again }: { session: Session; again: boolean }) {
  return (
    <main id="main" class="main sign-in">
      <div class="panel">
        <h1>
          <span class="brand-mark" aria-hidden="true" /> Switchboard
        </h1>
        <p>{again ? 'Your session has ended. Sign in again to go on.' : 'Sign in with the account your admin invited you to.'}</p>
        <button type="button" class="btn btn-primary" onClick={() => void session.signIn()}>
          Sign in
        </button>
      </div>
    </main>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<Root />, root);
}

// "My calls" (DESIGN.md section 16): where a member lands after signing in, made for a phone (390 px).
// Available/away (an away person is skipped by every dial), and their voicemails and texts: their own
// mailbox's and their groups', newest first.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Me, Message } from '../../lambdas/api-types';
import { get, send } from './api';
import { MessageView } from './mailboxes';
import { ErrorNote, LoadError, Loading, useAction, useRefresh } from './ui';

/** Who is signed in (GET /api/me); undefined until it has answered. */
export const MeContext = createContext<Me | undefined>(undefined);
export const useMe = () => useContext(MeContext);

/** Whether the signed-in role may change flows and numbers (DESIGN.md section 16: editors and admins). */
export const canEdit = (me: Me | undefined) => me?.role === 'editor' || me?.role === 'admin';

type Inbox = { message: Message; box: string };

/** Every message of the person's own mailbox and their groups', newest first. */
function useInbox(me: Me) {
  const { version } = useRefresh();
  const [state, setState] = useState<{ items?: Inbox[]; error?: unknown }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!me.user) return undefined;
    let live = true;
    const boxes = [
      { path: `/api/mailboxes/user/${encodeURIComponent(me.user.id)}/messages`, box: 'You' },
      ...me.groups.map((g) => ({ path: `/api/mailboxes/group/${encodeURIComponent(g.id)}/messages`, box: g.name })),
    ];
    Promise.all(boxes.map(async (b) => (await get<{ messages: Message[] }>(b.path)).messages.map((message) => ({ message, box: b.box })))).then(
      (lists) => live && setState({ items: lists.flat().sort((a, b) => b.message.receivedAt.localeCompare(a.message.receivedAt)) }),
      (error) => live && setState((s) => ({ ...s, error })),
    );
    return () => {
      live = false;
    };
  }, [me, version, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function MyCalls({ onMe }: { onMe: (me: Me) => void }) {
  const me = useMe();
  const action = useAction();
  if (!me) return <Loading what="your account" />;
  if (!me.user) {
    return (
      <div class="panel">
        <h1>My calls</h1>
        <p>
          No one in Users &amp; groups has your email{me.email ? <> (<span class="mono">{me.email}</span>)</> : ''}, so no calls or texts are yours yet. An admin links you by giving
          your user that email.
        </p>
      </div>
    );
  }
  const user = me.user;
  const toggle = () =>
    action.run(async () => {
      onMe(await send<Me>('PUT', '/api/me', { available: !user.available }));
    });
  return (
    <div class="my-calls">
      <section class="panel" aria-labelledby="my-calls-title">
        <header class="panel-head">
          <h1 id="my-calls-title">My calls</h1>
          <span class="muted">{user.name}</span>
        </header>
        <div class="availability">
          <button
            type="button"
            role="switch"
            aria-checked={user.available}
            aria-describedby="availability-note"
            class={`switch ${user.available ? 'switch-on' : 'switch-off'}`}
            disabled={action.busy}
            onClick={() => void toggle()}
          >
            <span class="switch-knob" aria-hidden="true" />
            <span class="switch-label">{user.available ? 'Available' : 'Away'}</span>
          </button>
          <p id="availability-note" class="muted small">
            {user.available ? 'Calls ring you.' : 'Away: no call rings you until you are available again.'}
          </p>
        </div>
        {action.error !== undefined && <ErrorNote error={action.error} />}
      </section>
      <Inbox me={me} />
    </div>
  );
}

function Inbox({ me }: { me: Me }) {
  const inbox = useInbox(me);
  return (
    <section class="panel" aria-labelledby="my-messages-title">
      <header class="panel-head">
        <h2 id="my-messages-title">Voicemails and texts</h2>
        <span class="muted small">{me.groups.length ? `yours and ${me.groups.map((g) => g.name).join(', ')}'s` : 'yours'}, newest first</span>
      </header>
      {inbox.error ? (
        <LoadError error={inbox.error} what="your messages" retry={inbox.reload} />
      ) : !inbox.items ? (
        <Loading what="your messages" />
      ) : inbox.items.length === 0 ? (
        <p class="empty">No voicemails or texts yet.</p>
      ) : (
        <ul class="messages" aria-label="Your voicemails and texts">
          {inbox.items.map(({ message, box }) => (
            <li key={`${box}-${message.id}`} class="my-message" data-box={box}>
              <span class="badge badge-neutral small">{box}</span>
              <ul class="messages-inner">
                <MessageView m={message} />
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

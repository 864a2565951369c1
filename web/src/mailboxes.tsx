// Mailboxes: voicemails (audio player, transcript) and texts (with media) of every user, group and
// `unrouted`, newest first, as the API lists them. A voicemail plays through the admin API
// (`/api/recordings/{sid}`: the page's own origin, which fetches it from the carrier with the account's
// credentials); each message can be marked read or unread, deleted (here and at the carrier) and answered
// by text from the number it came to.
import type { Group, Message, ReplySent, User } from '../../lambdas/api-types';
import { mediaView, safeMediaUrl } from './media-links';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchMedia, send, signedIn } from './api';
import { SentTexts } from './sent-texts';
import { Dialog, ErrorNote, LoadError, Loading, formatDuration, formatTime, useAction, useApi } from './ui';

/** "1 message", "3 messages"; "2 unread" when any is. */
export function mailboxCount(messages: readonly Pick<Message, 'read'>[]): string {
  const n = messages.length;
  const unread = messages.filter((m) => !m.read).length;
  return `${n} ${n === 1 ? 'message' : 'messages'}${unread ? `, ${unread} unread` : ''}`;
}

const messagePath = (m: Message) => `/api/messages/${encodeURIComponent(m.id)}`;
const sender = (m: Message) => m.from || 'a withheld number';

/**
 * A voicemail's player, through the admin API (`/api/recordings/{sid}`), loaded on play only: each load is an
 * admin request and a carrier fetch of the whole file. With sign-in on, an `<audio src>` cannot send the
 * token, so "Play" fetches the audio with it and plays it from a blob URL (the CSP's media-src allows blob:).
 */
function RecordingPlayer({ m }: { m: Message }) {
  const path = `/api/recordings/${encodeURIComponent(m.id)}`;
  const label = `Voicemail from ${sender(m)}`;
  const load = useAction();
  const [url, setUrl] = useState<string>();
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  if (!signedIn()) return <audio controls preload="none" src={path} aria-label={label} />;
  if (url) return <audio controls autoPlay src={url} aria-label={label} />;
  return (
    <>
      <button class="btn btn-small" disabled={load.busy} aria-label={`Play the voicemail from ${sender(m)}`} onClick={() => void load.run(async () => setUrl(URL.createObjectURL(await fetchMedia(path))))}>
        {load.busy ? 'Loading…' : '▶ Play'}
      </button>
      <ErrorNote error={load.error} />
    </>
  );
}

function MessageActions({ m }: { m: Message }) {
  const mark = useAction();
  const remove = useAction();
  const reply = useAction();
  const [deleting, setDeleting] = useState(false);
  const [replying, setReplying] = useState(false);
  const [text, setText] = useState('');
  const [sent, setSent] = useState<ReplySent>();
  const canReply = /^\+[1-9]\d{1,14}$/.test(m.from);
  return (
    <div class="message-actions">
      <button class="btn btn-small btn-ghost" disabled={mark.busy} onClick={() => void mark.run(() => send('PUT', `${messagePath(m)}/read`, { read: !m.read }))}>
        {m.read ? 'Mark unread' : 'Mark read'}
      </button>
      {canReply && (
        <button class="btn btn-small btn-ghost" aria-expanded={replying} onClick={() => (setReplying(!replying), setSent(undefined))}>
          Reply by text
        </button>
      )}
      <button class="btn btn-small btn-ghost" onClick={() => setDeleting(true)}>
        Delete
      </button>
      <ErrorNote error={mark.error} />
      {replying && (
        <form
          class="inline-form reply-form"
          aria-label={`Reply to ${sender(m)}`}
          onSubmit={async (e) => {
            e.preventDefault();
            const answer = await reply.run(() => send<ReplySent>('POST', `${messagePath(m)}/reply`, { body: text }));
            if (answer) {
              setSent(answer);
              setText('');
              setReplying(false);
            }
          }}
        >
          <label for={`reply-${m.id}`}>
            Text to {m.from} from {m.to}
          </label>
          <textarea id={`reply-${m.id}`} rows={2} maxLength={1600} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          <button class="btn btn-small" type="submit" disabled={reply.busy || !text.trim()}>
            Send
          </button>
          <ErrorNote error={reply.error} />
        </form>
      )}
      {sent && (
        <p class="muted small" role="status">
          Reply to {sent.to} queued; it goes out from {sent.from} in a moment (see Texts sent).
        </p>
      )}
      {deleting && (
        <Dialog title="Delete this message?" onClose={() => setDeleting(false)}>
          <form
            class="form"
            onSubmit={async (e) => {
              e.preventDefault();
              if ((await remove.run(() => send('DELETE', messagePath(m)))) !== undefined) setDeleting(false);
            }}
          >
            <p>
              The {m.kind === 'voicemail' ? 'voicemail and its recording' : 'text'} from {sender(m)} {m.kind === 'voicemail' ? 'are' : 'is'} deleted here and at Twilio. This cannot be undone.
            </p>
            <ErrorNote error={remove.error} />
            <footer class="dialog-foot">
              <button type="button" class="btn btn-ghost" onClick={() => setDeleting(false)}>
                Cancel
              </button>
              <button type="submit" class="btn btn-danger" disabled={remove.busy}>
                Delete
              </button>
            </footer>
          </form>
        </Dialog>
      )}
    </div>
  );
}

/** A mailbox, or `sent`: the texts Switchboard sent, with their delivery (sent-texts.tsx). */
export type MailboxRef = { kind: 'unrouted' } | { kind: 'sent' } | { kind: 'user' | 'group'; id: string };

const pathOf = (m: MailboxRef) =>
  m.kind === 'sent' ? null : m.kind === 'unrouted' ? '/api/mailboxes/unrouted/messages' : `/api/mailboxes/${m.kind}/${encodeURIComponent(m.id)}/messages`;
const hashOf = (m: MailboxRef) => (m.kind === 'unrouted' || m.kind === 'sent' ? `#/mailboxes/${m.kind}` : `#/mailboxes/${m.kind}/${encodeURIComponent(m.id)}`);

export function MessageView({ m, picked = false }: { m: Message; picked?: boolean }) {
  // An email's link names one message: it is scrolled to and marked.
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (picked) ref.current?.scrollIntoView({ block: 'center' });
  }, [picked]);
  return (
    <li ref={ref} class={`message message-${m.kind}${m.read ? '' : ' message-unread'}${picked ? ' message-picked' : ''}`} data-message={m.id} data-read={m.read ? 'yes' : 'no'} aria-current={picked ? 'true' : undefined}>
      <header class="message-head">
        <span class={`badge ${m.kind === 'voicemail' ? 'badge-info' : 'badge-neutral'}`}>{m.kind === 'voicemail' ? 'Voicemail' : 'Text'}</span>
        {!m.read && <span class="badge badge-warn">Unread</span>}
        <span>
          From <span class="mono">{m.from || 'withheld'}</span> to <span class="mono">{m.to}</span>
        </span>
        <time dateTime={m.receivedAt} class="muted">
          {formatTime(m.receivedAt)}
        </time>
      </header>
      {m.kind === 'voicemail' && (
        <div class="voicemail">
          {safeMediaUrl(m.recordingUrl) ? (
            // Through the admin API, by the recording's Sid: never the carrier's URL, which may need the account's
            // credentials. Loaded on play only: each load is an admin request and a carrier fetch of the whole file.
            <RecordingPlayer m={m} />
          ) : m.recordingUrl ? (
            // Not Twilio's address (an older item may hold anything): not a recording the carrier has.
            <span class="muted">Recording not shown: its address is not Twilio's.</span>
          ) : (
            <span class="muted">Recording not available yet.</span>
          )}
          {m.durationSeconds !== undefined && <span class="muted">{formatDuration(m.durationSeconds)}</span>}
        </div>
      )}
      {m.kind === 'voicemail' && (m.transcript ? <blockquote class="transcript">{m.transcript}</blockquote> : <p class="muted small">No transcript.</p>)}
      {m.body && <p class="body">{m.body}</p>}
      {m.media && m.media.length > 0 && (
        <ul class="media">
          {m.media.map((item, i) => {
            const view = mediaView(item);
            if (view.kind === 'blocked') {
              return (
                <li key={`blocked-${i}`} class="muted small">
                  Attachment{view.contentType ? ` (${view.contentType})` : ''} not shown: its address is not Twilio's.
                </li>
              );
            }
            const { kind, url, contentType } = view;
            return (
              <li key={url}>
                {kind === 'image' ? (
                  <a href={url} target="_blank" rel="noreferrer noopener">
                    <img src={url} alt={`Attachment from ${m.from}`} loading="lazy" />
                  </a>
                ) : kind === 'audio' ? (
                  <audio controls preload="none" src={url} aria-label={`Audio attachment from ${m.from}`} />
                ) : kind === 'video' ? (
                  <video controls preload="none" src={url} aria-label={`Video attachment from ${m.from}`} />
                ) : (
                  <a href={url} target="_blank" rel="noreferrer noopener">
                    Attachment{contentType ? ` (${contentType})` : ''}
                  </a>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <MessageActions m={m} />
    </li>
  );
}

export function Mailboxes({ selected, message }: { selected: MailboxRef; message?: string }) {
  const users = useApi<{ users: User[] }>('/api/users');
  const groups = useApi<{ groups: Group[] }>('/api/groups');
  const messages = useApi<{ messages: Message[] }>(pathOf(selected));
  const current = (m: MailboxRef) =>
    m.kind === selected.kind && (m.kind === 'unrouted' || m.kind === 'sent' || ('id' in selected && m.id === selected.id)) ? 'page' : undefined;
  const title =
    selected.kind === 'unrouted'
      ? 'Unrouted'
      : selected.kind === 'sent'
        ? 'Texts sent'
      : selected.kind === 'user'
        ? users.data?.users.find((u) => u.id === selected.id)?.name ?? selected.id
        : groups.data?.groups.find((g) => g.id === selected.id)?.name ?? selected.id;
  return (
    <div class="split">
      <nav class="panel side-nav" aria-label="Mailboxes">
        <h2>Mailboxes</h2>
        <ul>
          <li>
            <a href={hashOf({ kind: 'unrouted' })} aria-current={current({ kind: 'unrouted' })}>
              Unrouted
            </a>
          </li>
          <li>
            <a href={hashOf({ kind: 'sent' })} aria-current={current({ kind: 'sent' })}>
              Texts sent
            </a>
          </li>
        </ul>
        <h3>Groups</h3>
        <ul>
          {(groups.data?.groups ?? []).map((g) => (
            <li key={g.id}>
              <a href={hashOf({ kind: 'group', id: g.id })} aria-current={current({ kind: 'group', id: g.id })} title={g.name}>
                {g.name}
              </a>
            </li>
          ))}
        </ul>
        <h3>Users</h3>
        <ul>
          {(users.data?.users ?? []).map((u) => (
            <li key={u.id}>
              <a href={hashOf({ kind: 'user', id: u.id })} aria-current={current({ kind: 'user', id: u.id })} title={u.name}>
                {u.name}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {selected.kind === 'sent' ? (
        <SentTexts />
      ) : (
        <section class="panel grow" aria-labelledby="mailbox-title">
          <header class="panel-head">
            <h2 id="mailbox-title">{title}</h2>
            <span class="muted">{messages.data ? `${mailboxCount(messages.data.messages)}, newest first` : ''}</span>
          </header>
          {selected.kind === 'unrouted' && <p class="muted small">Calls and texts to numbers without a flow (or without the part they need) land here.</p>}
          {messages.error ? (
            <LoadError error={messages.error} what="the messages" retry={messages.reload} />
          ) : !messages.data ? (
            <Loading what="messages" />
          ) : messages.data.messages.length === 0 ? (
            <p class="empty">No messages.</p>
          ) : (
            <ul class="messages">
              {messages.data.messages.map((m) => (
                <MessageView key={m.id} m={m} picked={m.id === message} />
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}

// Mailboxes: voicemails (audio player, transcript) and texts (with media) of every user, group and
// `unrouted`, newest first, as the API lists them.
import type { Group, Message, User } from '../../lambdas/api-types';
import { mediaView, safeMediaUrl } from './media-links';
import { useEffect, useRef } from 'preact/hooks';
import { SentTexts } from './sent-texts';
import { LoadError, Loading, formatDuration, formatTime, useApi } from './ui';

/** A mailbox, or `sent`: the texts Switchboard sent, with their delivery (sent-texts.tsx). */
export type MailboxRef = { kind: 'unrouted' } | { kind: 'sent' } | { kind: 'user' | 'group'; id: string };

const pathOf = (m: MailboxRef) =>
  m.kind === 'sent' ? null : m.kind === 'unrouted' ? '/api/mailboxes/unrouted/messages' : `/api/mailboxes/${m.kind}/${encodeURIComponent(m.id)}/messages`;
const hashOf = (m: MailboxRef) => (m.kind === 'unrouted' || m.kind === 'sent' ? `#/mailboxes/${m.kind}` : `#/mailboxes/${m.kind}/${encodeURIComponent(m.id)}`);

export function MessageView({ m, picked = false }: { m: Message; picked?: boolean }) {
  // Only Twilio's https URLs are played or linked (media-links.ts); an older item may hold anything.
  const recordingUrl = safeMediaUrl(m.recordingUrl);
  // An email's link names one message: it is scrolled to and marked.
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (picked) ref.current?.scrollIntoView({ block: 'center' });
  }, [picked]);
  return (
    <li ref={ref} class={`message message-${m.kind}${picked ? ' message-picked' : ''}`} data-message={m.id} aria-current={picked ? 'true' : undefined}>
      <header class="message-head">
        <span class={`badge ${m.kind === 'voicemail' ? 'badge-info' : 'badge-neutral'}`}>{m.kind === 'voicemail' ? 'Voicemail' : 'Text'}</span>
        <span>
          From <span class="mono">{m.from || 'withheld'}</span> to <span class="mono">{m.to}</span>
        </span>
        <time dateTime={m.receivedAt} class="muted">
          {formatTime(m.receivedAt)}
        </time>
      </header>
      {m.kind === 'voicemail' && (
        <div class="voicemail">
          {recordingUrl ? (
            <audio controls preload="metadata" src={recordingUrl} aria-label={`Voicemail from ${m.from || 'a withheld number'}`} />
          ) : m.recordingUrl ? (
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
              <a href={hashOf({ kind: 'group', id: g.id })} aria-current={current({ kind: 'group', id: g.id })}>
                {g.name}
              </a>
            </li>
          ))}
        </ul>
        <h3>Users</h3>
        <ul>
          {(users.data?.users ?? []).map((u) => (
            <li key={u.id}>
              <a href={hashOf({ kind: 'user', id: u.id })} aria-current={current({ kind: 'user', id: u.id })}>
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
            <span class="muted">{messages.data ? `${messages.data.messages.length} messages, newest first` : ''}</span>
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

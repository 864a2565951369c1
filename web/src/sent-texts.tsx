// "Texts sent" (DESIGN.md sections 12 and 17): every text Switchboard sent through the carrier's REST API
// (text-backs, voicemail and inbox notifications, forwards), newest first, with where its delivery stands.
// A text that did not reach its recipient is red, with Twilio's error code and what it means.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeliveryStatus, OutboundMessage, OutboundMessageList } from '../../lambdas/api-types';
import { get } from './api';
import { LoadError, Loading, formatTime, useRefresh } from './ui';

const STATUS_LABEL: Record<DeliveryStatus, string> = { queued: 'Queued', sent: 'Sent', delivered: 'Delivered', undelivered: 'Not delivered', failed: 'Failed' };
const STATUS_CLASS: Record<DeliveryStatus, string> = { queued: 'badge-neutral', sent: 'badge-info', delivered: 'badge-ok', undelivered: 'badge-bad', failed: 'badge-bad' };
const REASON_LABEL: Record<string, string> = {
  text_applet: 'Text-back to a caller',
  voicemail_notify: 'Voicemail notification',
  transcript_notify: 'Transcript notification',
  inbox_notify: 'Text notification',
  reply: 'Reply',
  forward: 'Forward',
};
const FILTERS: Array<{ value: '' | DeliveryStatus; label: string }> = [
  { value: '', label: 'All texts' },
  { value: 'undelivered', label: 'Not delivered' },
  { value: 'failed', label: 'Failed' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'sent', label: 'Sent' },
  { value: 'queued', label: 'Queued' },
];

const notDelivered = (s: DeliveryStatus) => s === 'undelivered' || s === 'failed';

function SentText({ m }: { m: OutboundMessage }) {
  const bad = notDelivered(m.status);
  return (
    <li class={`message sent-text${bad ? ' sent-text-bad' : ''}`} data-text={m.id} data-status={m.status}>
      <header class="message-head">
        <span class={`badge ${STATUS_CLASS[m.status]}`}>{STATUS_LABEL[m.status]}</span>
        <span>{REASON_LABEL[m.reason] ?? m.reason}</span>
        <span>
          From <span class="mono">{m.from}</span> to <span class="mono">{m.to}</span>
        </span>
        <time dateTime={m.queuedAt} class="muted">
          {formatTime(m.queuedAt)}
        </time>
      </header>
      {bad && (
        <p class="delivery-error" data-cell="reason">
          {m.errorCode !== null ? <strong>Error {m.errorCode}: </strong> : <strong>Not sent: </strong>}
          {m.errorMessage ?? 'the carrier gave no reason'}
        </p>
      )}
      <p class="body">{m.body}</p>
    </li>
  );
}

export function SentTexts() {
  const { version } = useRefresh();
  const [status, setStatus] = useState<'' | DeliveryStatus>('');
  const [pages, setPages] = useState<OutboundMessageList[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  // Only the latest request's answer counts: a filter changed while a page loads must not mix lists.
  const latest = useRef(0);
  const path = (cursor?: string) => `/api/carrier/messages?limit=50${status ? `&status=${status}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const load = (cursor?: string) => {
    const mine = ++latest.current;
    setLoading(true);
    get<OutboundMessageList>(path(cursor)).then(
      (page) => {
        if (mine !== latest.current) return;
        setPages((before) => (cursor ? [...before, page] : [page]));
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== latest.current) return;
        setError(err);
        setLoading(false);
      },
    );
  };
  useEffect(() => load(), [status, version]);
  const messages = pages.flatMap((p) => p.messages);
  const next = pages.at(-1)?.nextCursor;
  const failures = messages.filter((m) => notDelivered(m.status)).length;
  return (
    <section class="panel grow" aria-labelledby="sent-title">
      <header class="panel-head">
        <h2 id="sent-title">Texts sent</h2>
        <label class="inline-field">
          Show{' '}
          <select value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as '' | DeliveryStatus)}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      <p class="muted small">
        Text-backs, notifications and forwards Switchboard sent through the carrier, newest first, with what the carrier says became of each.
        {failures > 0 && ` ${failures} of these did not reach their recipient.`}
      </p>
      {error ? (
        <LoadError error={error} what="the texts sent" retry={() => load()} />
      ) : loading && messages.length === 0 ? (
        <Loading what="texts sent" />
      ) : messages.length === 0 ? (
        <p class="empty">No texts sent{status ? ` with this status` : ''}.</p>
      ) : (
        <ul class="messages" aria-label="Texts sent">
          {messages.map((m) => (
            <SentText key={m.id} m={m} />
          ))}
        </ul>
      )}
      {next && !error && (
        <button class="btn" disabled={loading} onClick={() => load(next)}>
          Show more texts
        </button>
      )}
    </section>
  );
}

// Queues (DESIGN.md sections 3 and 12): each call queue with the callers waiting (longest first, and for how
// long), the longest wait, and the members being offered the call: ringing, or picked up and being
// connected. Refreshed every few seconds while the page is open.
import { useEffect } from 'preact/hooks';
import type { QueueOverview } from '../../lambdas/api-types';
import { LoadError, Loading, formatDuration, formatTime, useApi } from './ui';

const REFRESH_MS = 5_000;

function QueueView({ q }: { q: QueueOverview }) {
  return (
    <section class="panel queue" aria-labelledby={`queue-${q.name}`} data-queue={q.name}>
      <header class="panel-head">
        <h2 id={`queue-${q.name}`}>{q.name}</h2>
        <span class="badge badge-neutral" data-waiting={q.waiting.length}>{q.waiting.length} waiting</span>
        <span class="muted">{q.waiting.length ? `longest wait ${formatDuration(q.longestWaitSeconds)}` : 'nobody waiting'}</span>
      </header>
      <div class="split-cols">
        <div>
          <h3>Waiting</h3>
          {q.waiting.length === 0 ? (
            <p class="muted small">No caller waits.</p>
          ) : (
            <ol class="queue-waiting">
              {q.waiting.map((w) => (
                <li key={w.callSid}>
                  <span class="mono">{w.from || 'withheld'}</span> <span class="muted">for {formatDuration(w.waitSeconds)}, since {formatTime(w.since)}</span>
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h3>Offered to</h3>
          {q.offered.length === 0 ? (
            <p class="muted small">Nobody is being offered a call.</p>
          ) : (
            <ul class="queue-offered">
              {q.offered.map((o) => (
                <li key={`${o.userId}-${o.since}`}>
                  {o.name ?? o.userId} <span class={`badge ${o.state === 'answered' ? 'badge-info' : 'badge-neutral'}`}>{o.state === 'answered' ? 'connecting' : 'ringing'}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

export function Queues() {
  const queues = useApi<{ queues: QueueOverview[] }>('/api/queues');
  const { reload } = queues;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  if (queues.error) return <LoadError error={queues.error} what="the queues" retry={reload} />;
  if (!queues.data) return <Loading what="queues" />;
  if (queues.data.queues.length === 0) {
    return (
      <div class="panel">
        <h1>Queues</h1>
        <p class="empty">No call has been queued yet. A flow's <code>queue</code> applet puts callers in a queue; its targets are offered them.</p>
      </div>
    );
  }
  return (
    <div class="queues">
      <h1 class="sr-only">Queues</h1>
      {queues.data.queues.map((q) => (
        <QueueView key={q.name} q={q} />
      ))}
    </div>
  );
}

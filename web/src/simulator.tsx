// The simulator on the flow page: POST /api/flows/{id}/simulate with a time, a caller, a body (sms) and
// the keys and dial outcomes the carrier would send; each step's applets, input and TwiML listed, and
// the applets it went through lit on the diagram. With unpublished edits it runs them (`document`), so a
// change can be tried before it goes live; the published revision is untouched.
import { useState } from 'preact/hooks';
import { send } from './api';
import type { Channel, Flow, Simulation } from '../../lambdas/api-types';
import type { FlowDocument } from './types';
import { prettyXml } from './twiml-format';
import { flowZone, instantOf, wallClock } from './zone-time';
import { ErrorNote, useAction } from './ui';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function Simulator({ flow, draft, onRun }: { flow: Flow; draft?: FlowDocument; onRun: (channel: Channel, applets: string[]) => void }) {
  // The time is typed in the zone the flow's hours decide in (its first hours applet's), and says which.
  const zone = flowZone((draft ?? flow) as Parameters<typeof flowZone>[0]) ?? browserZone();
  const [channel, setChannel] = useState<Channel>(flow.call ? 'call' : 'sms');
  const [from, setFrom] = useState('+15550109999');
  const [at, setAt] = useState(() => wallClock(new Date(), zone));
  const [body, setBody] = useState('hello');
  const [inputs, setInputs] = useState('');
  const [result, setResult] = useState<Simulation>();
  const action = useAction();
  return (
    <section class="panel" aria-labelledby="sim-title">
      <header class="panel-head">
        <h2 id="sim-title">Simulator</h2>
        <span class="muted small">
          {draft ? `Runs your unpublished edits (on revision ${flow.currentRevision})` : `Runs published revision ${flow.currentRevision}`}; stores nothing.
        </span>
      </header>
      <form
        class="toolbar-form sim-form"
        aria-label="Simulate"
        onSubmit={async (e) => {
          e.preventDefault();
          const answer = await action.run(() =>
            send<Simulation>('POST', `/api/flows/${encodeURIComponent(flow.id)}/simulate`, {
              channel,
              from,
              at: instantOf(at, zone).toISOString(),
              ...(channel === 'sms' ? { body } : {}),
              inputs: inputs.split(',').map((s) => s.trim()).filter((s, i, all) => s !== '' || i < all.length - 1),
              ...(draft ? { document: draft } : {}),
            }),
          );
          if (answer) {
            setResult(answer);
            onRun(channel, answer.steps.filter((s) => s.flowId === flow.id).flatMap((s) => s.applets.map((a) => a.applet)));
          }
        }}
      >
        <label>
          Channel
          <select value={channel} onChange={(e) => setChannel((e.target as HTMLSelectElement).value as Channel)}>
            <option value="call">Call</option>
            <option value="sms">Text</option>
          </select>
        </label>
        <label>
          Caller
          <input value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Time in {zone}
          <input type="datetime-local" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} />
        </label>
        {channel === 'sms' ? (
          <label>
            Body
            <input value={body} onInput={(e) => setBody((e.target as HTMLInputElement).value)} />
          </label>
        ) : (
          <label>
            Keys, dial and queue outcomes
            <input value={inputs} placeholder="1, no-answer, completed, bridged, timeout" title="Keys for menus (empty: silence); no-answer, busy, completed... for dials; bridged, timeout or hangup for queues" onInput={(e) => setInputs((e.target as HTMLInputElement).value)} />
          </label>
        )}
        <button class="btn btn-primary" type="submit" disabled={action.busy}>
          Run
        </button>
        <ErrorNote error={action.error} />
      </form>
      {result && (
        <ol class="sim-steps" aria-label="Simulated steps">
          {result.steps.map((s, i) => (
            <li key={i} class="sim-step">
              <div class="sim-step-head">
                <span class="step-no">{i + 1}</span>
                <span class="sim-applets">
                  {s.applets.map((a, j) => (
                    <span key={j}>
                      {j > 0 && ' → '}
                      <code>{a.applet}</code> <span class="muted small">{a.type}</span>
                    </span>
                  ))}
                </span>
                {s.flowId !== flow.id && <span class="badge badge-info">in flow {s.flowId}</span>}
                {s.input && Object.keys(s.input).length > 0 && (
                  <span class="sim-input">
                    {Object.entries(s.input).map(([k, v]) => (
                      <span key={k} class="badge badge-neutral">
                        {k}={v === '' ? '(silence)' : v}
                      </span>
                    ))}
                  </span>
                )}
              </div>
              <pre class="twiml">{prettyXml(s.twiml)}</pre>
              {s.whisper && <p class="sim-whisper small">Whoever answers hears first: “{s.whisper}”</p>}
              {s.queueWait && (
                <details class="sim-queue-wait small">
                  <summary>While waiting in the queue, the caller hears</summary>
                  <pre class="twiml">{prettyXml(s.queueWait)}</pre>
                </details>
              )}
              {s.texts && s.texts.length > 0 && (
                <ul class="sim-texts" aria-label="Texts sent">
                  {s.texts.map((t, j) => (
                    <li key={j}>
                      Text from <span class="mono">{t.from}</span> to <span class="mono">{t.to}</span>: “{t.body}”
                      {t.media?.length ? <span class="muted small"> (+{t.media.length} media)</span> : null}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
          {result.note && <li class="muted">{result.note}</li>}
        </ol>
      )}
    </section>
  );
}

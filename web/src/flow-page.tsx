// The flow page: the flow's parts, its checker problems and the numbers it serves.
import { FlowNumbers } from './flow-numbers';
import { appletLabel } from './overview';
import type { Flow, Part } from './types';
import { LoadError, Loading, useApi } from './ui';

function PartSummary({ title, part, problems }: { title: string; part?: Part; problems: Flow['problems'] }) {
  return (
    <section class="panel">
      <header class="panel-head">
        <h2>{title}</h2>
      </header>
      {!part ? (
        <p class="empty">No {title.toLowerCase()} yet.</p>
      ) : (
        <ul class="applet-list">
          {Object.entries(part.applets).map(([id, a]) => (
            <li key={id} data-applet={id}>
              <code>{id}</code> {appletLabel(a.type)}
              {id === part.start && <span class="badge badge-info">start</span>}
              {problems
                .filter((p) => p.applet === id)
                .map((p, i) => (
                  <span key={i} class={`problem problem-${p.severity}`}>
                    {p.message}
                  </span>
                ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function FlowPage({ id }: { id: string }) {
  const flow = useApi<Flow>(`/api/flows/${encodeURIComponent(id)}`);
  if (flow.error) return <LoadError error={flow.error} what="this flow" retry={flow.reload} />;
  if (!flow.data) return <Loading what="the flow" />;
  const f = flow.data;
  return (
    <>
      <header class="page-head">
        <a href="#/" class="back">
          ← Overview
        </a>
        <h1>{f.name}</h1>
        <span class="muted">revision {f.revision}</span>
      </header>
      <PartSummary title="Call flow" part={f.call} problems={f.problems.filter((p) => p.channel === 'call')} />
      <PartSummary title="SMS flow" part={f.sms} problems={f.problems.filter((p) => p.channel === 'sms')} />
      <FlowNumbers flowId={f.id} flowName={f.name} />
    </>
  );
}

// The overview: the Flows table and the Numbers table of DESIGN.md section 12, with the red buttons
// that mend what the unassigned-number report lists.
import { NOT_CONNECTED_BADGE, notConnectedNumbers, reportLine, syncProgress } from './report-text';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, phonePath, request, send } from './api';
import { TargetSelect } from './pickers';
import { callStarter, documentOf, parseTarget, smsStarter } from './starters';
import { StudioImport } from './studio-import';
import type { CarrierSyncJob, Channel, Flow, FlowList, FlowRow, Group, IncludeServices, NumberList, NumberRow, PublishResult, ReportEntry, UnassignedReport, User } from '../../lambdas/api-types';
import { Dialog, ErrorNote, LoadError, Loading, StatusBadge, formatTime, useAction, useApi, useRefresh } from './ui';

export const navigate = (hash: string) => {
  window.location.hash = hash;
};

const APPLET_LABEL: Record<string, string> = {
  say: 'Say', menu: 'Menu', hours: 'Hours', caller: 'Caller', dial: 'Dial', voicemail: 'Voicemail', text: 'Text',
  queue: 'Queue', redirect: 'Redirect', hangup: 'Hang up', reply: 'Reply', keyword: 'Keyword', inbox: 'Inbox', forward: 'Forward',
};
export const appletLabel = (type: string) => APPLET_LABEL[type] ?? type;

function AppletPreview({ applets, label, part }: { applets: string[]; label: string; part: string }) {
  return (
    <ol class="preview" aria-label={`${label} applets in path order`} data-part={part}>
      {applets.map((a, i) => (
        <li key={i} class={`chip chip-${a}`}>
          {appletLabel(a)}
        </li>
      ))}
    </ol>
  );
}

/** The banner names a few numbers; the subject line counts them all. */
const BANNER_ROWS = 5;

export function ReportBanner({ onOverview }: { onOverview: boolean }) {
  const report = useApi<UnassignedReport>('/api/report/unassigned');
  if (report.error) return <div class="banner banner-muted" role="status">The unassigned-number report could not be read: {(report.error as Error).message}</div>;
  const r = report.data;
  if (!r || r.numbers.length === 0) return null;
  return (
    <section class="banner" role="alert" aria-label="Unassigned-number report">
      <div class="banner-line">
        <span class="banner-icon" aria-hidden="true">!</span>
        <strong>{r.subject}</strong>
        {!onOverview && (
          <a class="banner-link" href="#/">
            Fix on the overview
          </a>
        )}
      </div>
      <ul class="banner-list">
        {r.numbers.slice(0, BANNER_ROWS).map((n) => (
          <li key={`${n.number}:${n.status}`} data-reason={n.reason}>
            <span class="mono">{n.number}</span> {n.name}: {reportLine(n)} since {formatTime(n.since)}
            {n.lostCalls + n.lostTexts > 0 && (
              <span class="lost">
                {' '}
                · {n.lostCalls} {n.lostCalls === 1 ? 'call' : 'calls'}, {n.lostTexts} {n.lostTexts === 1 ? 'text' : 'texts'} lost
              </span>
            )}
            {n.status === 'not_connected' && n.reason !== 'urls' && <div class="banner-fix">Fix: {n.fix}</div>}
          </li>
        ))}
        {r.numbers.length > BANNER_ROWS && <li class="banner-more">and {r.numbers.length - BANNER_ROWS} more (red in the Numbers table)</li>}
      </ul>
      {r.numbers.some((n) => n.status === 'not_connected') && <CarrierSync entries={r.numbers} />}
    </section>
  );
}

/** How often a running sync's progress is read. */
const SYNC_POLL_MS = 1_000;

/**
 * "Connect to Twilio": starts a sync (DESIGN.md section 13) and shows its progress until it ends, then
 * refreshes every view. A sync already running (started elsewhere, or before a reload) is picked up.
 * Messaging Services are changed only when the person chooses how.
 */
function CarrierSync({ entries }: { entries: readonly ReportEntry[] }) {
  const { bump } = useRefresh();
  const latest = useApi<{ job: CarrierSyncJob | null }>('/api/carrier/sync');
  const [job, setJob] = useState<CarrierSyncJob>();
  const [services, setServices] = useState<'' | IncludeServices>('');
  const start = useAction();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const shown = job ?? (latest.data?.job?.status === 'running' ? latest.data.job : undefined);
  useEffect(() => {
    if (shown?.status !== 'running') return undefined;
    timer.current = setTimeout(() => {
      get<CarrierSyncJob>(`/api/carrier/sync/${shown.id}`).then(
        (next) => {
          setJob(next);
          if (next.status !== 'running') bump();
        },
        () => setJob({ ...shown }),
      );
    }, SYNC_POLL_MS);
    return () => clearTimeout(timer.current);
  }, [shown, bump]);
  const inService = entries.some((e) => e.reason === 'messaging_service');
  const running = shown?.status === 'running';
  return (
    <div class="carrier-sync">
      {inService && (
        <label>
          Messaging Services that take texts{' '}
          <select value={services} disabled={running || start.busy} onChange={(e) => setServices((e.target as HTMLSelectElement).value as '' | IncludeServices)}>
            <option value="">leave them alone</option>
            <option value="inbound_url">send their texts here (their inbound URL)</option>
            <option value="number_webhooks">let each number’s own URL answer</option>
          </select>
        </label>
      )}
      <button
        class="btn btn-small"
        disabled={running || start.busy}
        onClick={() => void start.run(async () => setJob(await send<CarrierSyncJob>('POST', '/api/carrier/sync', services ? { includeServices: services } : {})))}
      >
        {running ? 'Connecting…' : 'Connect to Twilio'}
      </button>
      {shown && (
        <div class="sync-progress" role="status" aria-live="polite">
          {running && shown.total ? <progress max={shown.total} value={shown.done} aria-label="Numbers connected so far" /> : null}
          <span>{syncProgress(shown)}</span>
        </div>
      )}
      <ErrorNote error={start.error} />
    </div>
  );
}

type Dialogs = { kind: 'part'; flowId: string; flowName: string; channel: Channel } | { kind: 'flow'; number?: NumberRow } | undefined;

const NUMBERS_PAGE = 200;

/**
 * The numbers, a page at a time (the API pages them): the first page reloads after every write, later
 * pages are fetched on demand and dropped when the first page reloads, so no row is stale.
 */
function useNumberPages() {
  const first = useApi<NumberList>(`/api/numbers?limit=${NUMBERS_PAGE}`);
  const [more, setMore] = useState<{ of?: unknown; numbers: NumberRow[]; nextCursor?: string; error?: unknown; busy?: boolean }>({ numbers: [] });
  const current = more.of === first.data ? more : { numbers: [] as NumberRow[], nextCursor: undefined, error: undefined, busy: false };
  const cursor = current.numbers.length ? current.nextCursor : first.data?.nextCursor;
  const loadMore = async () => {
    if (!cursor) return;
    setMore({ ...current, of: first.data, busy: true, error: undefined });
    try {
      const page = await get<NumberList>(`/api/numbers?limit=${NUMBERS_PAGE}&cursor=${encodeURIComponent(cursor)}`);
      setMore({ of: first.data, numbers: [...current.numbers, ...page.numbers], nextCursor: page.nextCursor });
    } catch (error) {
      setMore({ ...current, of: first.data, error, busy: false });
    }
  };
  const data = first.data ? { numbers: [...first.data.numbers, ...current.numbers] } : undefined;
  return { ...first, data, more: cursor ? loadMore : undefined, moreError: current.error, moreBusy: !!current.busy };
}

export function Overview() {
  const flows = useApi<FlowList>('/api/flows');
  const numbers = useNumberPages();
  const [dialog, setDialog] = useState<Dialogs>();
  const list = numbers.data?.numbers;
  return (
    <>
      {flows.data && list && (
        <dl class="stats" aria-label="Summary">
          <div>
            <dt>Flows</dt>
            <dd>{flows.data.flows.length}</dd>
          </div>
          <div>
            <dt>Numbers</dt>
            <dd>
              {list.length}
              {numbers.more ? '+' : ''}
            </dd>
          </div>
          <div class={list.some((n) => n.status !== 'ok') ? 'stat-bad' : 'stat-ok'}>
            <dt>Losing calls or texts</dt>
            <dd>{list.filter((n) => n.status !== 'ok').length}</dd>
          </div>
          <div>
            <dt>Routing fine</dt>
            <dd>{list.filter((n) => n.status === 'ok').length}</dd>
          </div>
        </dl>
      )}
      <FlowsPanel flows={flows} open={setDialog} />
      <NumbersPanel numbers={numbers} flows={flows.data?.flows ?? []} open={setDialog} />
      {dialog?.kind === 'part' && <CreatePartDialog {...dialog} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'flow' && <CreateFlowDialog number={dialog.number} onClose={() => setDialog(undefined)} />}
    </>
  );
}

function FlowsPanel({ flows, open }: { flows: ReturnType<typeof useApi<FlowList>>; open: (d: Dialogs) => void }) {
  return (
    <section class="panel" aria-labelledby="flows-title">
      <header class="panel-head">
        <h2 id="flows-title">Flows</h2>
        <button class="btn btn-primary" onClick={() => open({ kind: 'flow' })}>
          New flow
        </button>
      </header>
      {flows.error ? (
        <LoadError error={flows.error} what="the flows" retry={flows.reload} />
      ) : !flows.data ? (
        <Loading what="flows" />
      ) : flows.data.flows.length === 0 ? (
        <p class="empty">No flows yet. Create one to give your numbers something to do.</p>
      ) : (
        <table class="table" id="flows-table">
          <thead>
            <tr>
              <th scope="col">Flow</th>
              <th scope="col">Applets</th>
              <th scope="col" class="num">Numbers</th>
              <th scope="col">Call</th>
              <th scope="col">SMS</th>
            </tr>
          </thead>
          <tbody>
            {flows.data.flows.map((f) => (
              <tr key={f.id} data-flow={f.id} class={f.call.configured && f.sms.configured ? '' : 'row-warn'}>
                <th scope="row">
                  <a href={`#/flows/${f.id}`} class="flow-link">
                    {f.name}
                  </a>
                  <div class="sub">revision {f.revision}</div>
                </th>
                <td>
                  {f.call.configured && <AppletPreview applets={f.call.applets} label={`${f.name} call`} part="Call" />}
                  {f.sms.configured && <AppletPreview applets={f.sms.applets} label={`${f.name} SMS`} part="SMS" />}
                </td>
                <td class="num" data-cell="count">
                  {f.numberCount}
                </td>
                {(['call', 'sms'] as const).map((channel) => (
                  <td key={channel} data-cell={channel}>
                    {f[channel].configured ? (
                      <span class="badge badge-ok">{channel === 'call' ? 'Call' : 'SMS'} ✓</span>
                    ) : (
                      <button class="btn btn-danger btn-small" onClick={() => open({ kind: 'part', flowId: f.id, flowName: f.name, channel })}>
                        {channel === 'call' ? 'Create Call Flow' : 'Create SMS Flow'}
                      </button>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The choices of a number's flow picker: none, or any flow. */
const FlowOptions = ({ flows }: FlowList) => (
  <>
    <option value="">— No flow —</option>
    {flows.map((f) => (
      <option key={f.id} value={f.id}>
        {f.name}
      </option>
    ))}
  </>
);

function NumberRowView({ n, flows, open, notConnected }: { n: NumberRow; flows: FlowRow[]; open: (d: Dialogs) => void; notConnected?: ReportEntry }) {
  const assign = useAction();
  const rename = useAction();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(n.name);
  const pickerId = `flow-for-${n.number.replace(/\W/g, '')}`;
  const choose = (flowId: string) =>
    assign.run(() => (flowId ? send('PUT', `/api/numbers/${phonePath(n.number)}/flow`, { flowId }) : send('DELETE', `/api/numbers/${phonePath(n.number)}/flow`)));
  const flow = flows.find((f) => f.id === n.flowId);
  return (
    <tr data-number={n.number} data-status={n.status} data-connected={notConnected ? 'no' : undefined} class={n.status === 'ok' && !notConnected ? 'row-ok' : 'row-bad'}>
      <th scope="row" class="mono">
        {n.number}
      </th>
      <td>
        {editing ? (
          <form
            class="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await rename.run(() => send('PUT', `/api/numbers/${phonePath(n.number)}`, { name }))) setEditing(false);
            }}
          >
            <label class="sr-only" for={`name-${pickerId}`}>
              Name of {n.number}
            </label>
            <input id={`name-${pickerId}`} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus />
            <button class="btn btn-small" type="submit" disabled={rename.busy}>
              Save
            </button>
            <button class="btn btn-small btn-ghost" type="button" onClick={() => (setEditing(false), setName(n.name), rename.clear())}>
              Cancel
            </button>
            <ErrorNote error={rename.error} />
          </form>
        ) : (
          <span class="name-cell">
            {n.name}
            <button class="btn-link" aria-label={`Rename ${n.name}`} onClick={() => setEditing(true)}>
              Rename
            </button>
          </span>
        )}
      </td>
      <td>
        <label class="sr-only" for={pickerId}>
          Flow for {n.name} ({n.number})
        </label>
        <select id={pickerId} class="flow-picker" value={n.flowId ?? ''} disabled={assign.busy} onChange={(e) => void choose((e.target as HTMLSelectElement).value)}>
          <FlowOptions flows={flows} />
        </select>
        <ErrorNote error={assign.error} />
      </td>
      <td>
        <StatusBadge status={n.status} />
        {notConnected && (
          <span class="badge badge-bad" data-reason={notConnected.reason} title={`${reportLine(notConnected)}. Fix: ${notConnected.fix}`}>
            {notConnected.reason ? NOT_CONNECTED_BADGE[notConnected.reason] : 'Not connected'}
          </span>
        )}
      </td>
      <td class="actions">
        {n.status === 'no_flow' && (
          <button class="btn btn-danger btn-small" onClick={() => open({ kind: 'flow', number: n })}>
            Create flow for this number
          </button>
        )}
        {n.status === 'no_call_flow' && flow && (
          <button class="btn btn-danger btn-small" onClick={() => open({ kind: 'part', flowId: flow.id, flowName: flow.name, channel: 'call' })}>
            Create Call Flow
          </button>
        )}
        {n.status === 'no_sms_flow' && flow && (
          <button class="btn btn-danger btn-small" onClick={() => open({ kind: 'part', flowId: flow.id, flowName: flow.name, channel: 'sms' })}>
            Create SMS Flow
          </button>
        )}
      </td>
    </tr>
  );
}

function NumbersPanel({ numbers, flows, open }: { numbers: ReturnType<typeof useNumberPages>; flows: FlowRow[]; open: (d: Dialogs) => void }) {
  // The carrier check of the report: numbers whose Twilio URLs point elsewhere are red here too.
  const notConnected = notConnectedNumbers(useApi<UnassignedReport>('/api/report/unassigned').data?.numbers);
  return (
    <section class="panel" aria-labelledby="numbers-title">
      <header class="panel-head">
        <h2 id="numbers-title">Numbers</h2>
      </header>
      {numbers.error ? (
        <LoadError error={numbers.error} what="the numbers" retry={numbers.reload} />
      ) : !numbers.data ? (
        <Loading what="numbers" />
      ) : (
        <table class="table" id="numbers-table">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Name</th>
              <th scope="col">Flow</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="sr-only">Fix</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {numbers.data.numbers.length === 0 && (
              <tr>
                <td colSpan={5} class="empty">
                  No numbers registered yet.
                </td>
              </tr>
            )}
            {numbers.data.numbers.map((n) => (
              <NumberRowView key={n.number} n={n} flows={flows} open={open} notConnected={notConnected.get(n.number)} />
            ))}
          </tbody>
        </table>
      )}
      {numbers.more && (
        <div class="more">
          <button class="btn btn-small" disabled={numbers.moreBusy} onClick={() => void numbers.more?.()}>
            Show more numbers
          </button>
        </div>
      )}
      <ErrorNote error={numbers.moreError} />
      <RegisterNumber flows={flows} />
    </section>
  );
}

function RegisterNumber({ flows }: FlowList) {
  const action = useAction();
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [flowId, setFlowId] = useState('');
  const [done, setDone] = useState<string>();
  return (
    <form
      class="toolbar-form"
      aria-label="Register a number"
      onSubmit={async (e) => {
        e.preventDefault();
        setDone(undefined);
        const trimmed = number.replace(/[\s().-]/g, '');
        const answer = await action.run(() => request('PUT', `/api/numbers/${phonePath(trimmed)}`, { name, ...(flowId ? { flowId } : {}) }));
        if (answer) {
          setDone(answer.status === 201 ? `${trimmed} registered.` : `${trimmed} was already registered: renamed.`);
          setNumber('');
          setName('');
          setFlowId('');
        }
      }}
    >
      <h3>Register a number</h3>
      <label>
        Number
        <input value={number} placeholder="+15550100009" required onInput={(e) => setNumber((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Name
        <input value={name} placeholder="Support line" required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Flow
        <select value={flowId} onChange={(e) => setFlowId((e.target as HTMLSelectElement).value)}>
          <FlowOptions flows={flows} />
        </select>
      </label>
      <button class="btn" type="submit" disabled={action.busy}>
        Register
      </button>
      {done && (
        <span class="ok-note" role="status">
          {done}
        </span>
      )}
      <ErrorNote error={action.error} />
    </form>
  );
}

function usePeople() {
  const users = useApi<{ users: User[] }>('/api/users');
  const groups = useApi<{ groups: Group[] }>('/api/groups');
  return { users: users.data?.users ?? [], groups: groups.data?.groups ?? [], error: users.error ?? groups.error };
}

/** "Create Call Flow" / "Create SMS Flow": adds a starter part to an existing flow (If-Match: no lost edits). */
function CreatePartDialog({ flowId, flowName, channel, onClose }: { flowId: string; flowName: string; channel: Channel; onClose: () => void }) {
  const people = usePeople();
  const action = useAction();
  const [target, setTarget] = useState('');
  const [reply, setReply] = useState('Thanks for your message. We will get back to you shortly.');
  const title = `${channel === 'call' ? 'Create Call Flow' : 'Create SMS Flow'} for ${flowName}`;
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const t = parseTarget(target);
          if (!t) return;
          const ok = await action.run(async () => {
            const current = await request<Flow>('GET', `/api/flows/${flowId}`);
            const doc = { ...documentOf(current.body), [channel]: channel === 'call' ? callStarter(t) : smsStarter(t, reply) };
            return send('PUT', `/api/flows/${flowId}`, doc, { 'if-match': String(current.body.currentRevision) });
          });
          if (ok) onClose();
        }}
      >
        <p class="muted">
          {channel === 'call'
            ? 'Calls ring the people you choose; when nobody answers, the caller leaves a voicemail in their mailbox. You can refine it on the flow’s page.'
            : 'Texts get an optional automatic reply and land in the mailbox of the people you choose.'}
        </p>
        <label for="part-target">{channel === 'call' ? 'Ring' : 'Deliver to'}</label>
        <TargetSelect id="part-target" required value={target} onChange={setTarget} users={people.users} groups={people.groups} />
        {channel === 'sms' && (
          <>
            <label for="part-reply">Automatic reply (leave empty for none)</label>
            <textarea id="part-reply" rows={2} value={reply} onInput={(e) => setReply((e.target as HTMLTextAreaElement).value)} />
          </>
        )}
        <ErrorNote error={action.error ?? people.error} />
        <footer class="dialog-foot">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={action.busy || !target}>
            {channel === 'call' ? 'Create Call Flow' : 'Create SMS Flow'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

/** A new flow (optionally for a number that has none: it is assigned at once). */
function CreateFlowDialog({ number, onClose }: { number?: NumberRow; onClose: () => void }) {
  const people = usePeople();
  const action = useAction();
  const [name, setName] = useState(number ? number.name : '');
  const [callTarget, setCallTarget] = useState('');
  const [smsTarget, setSmsTarget] = useState('');
  const [studio, setStudio] = useState(false);
  const title = number ? `Create a flow for ${number.name} (${number.number})` : 'New flow';
  if (studio) {
    return (
      <Dialog title={`${title}: import from Studio`} onClose={onClose} wide>
        <StudioImport
          number={number}
          users={people.users}
          groups={people.groups}
          label={appletLabel}
          onBack={() => setStudio(false)}
          onCreated={(id) => {
            onClose();
            if (!number) navigate(`#/flows/${id}`);
          }}
        />
      </Dialog>
    );
  }
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const call = parseTarget(callTarget);
          const sms = parseTarget(smsTarget);
          const created = await action.run(async () => {
            const flow = await send<PublishResult>('POST', '/api/flows', {
              name,
              ...(call ? { call: callStarter(call) } : {}),
              ...(sms ? { sms: smsStarter(sms, 'Thanks for your message. We will get back to you shortly.') } : {}),
            });
            if (number) await send('PUT', `/api/numbers/${phonePath(number.number)}/flow`, { flowId: flow.id });
            return flow;
          });
          if (created) {
            onClose();
            if (!number) navigate(`#/flows/${created.id}`);
          }
        }}
      >
        <label for="flow-name">Flow name</label>
        <input id="flow-name" value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="flow-call">Calls ring (optional)</label>
        <TargetSelect id="flow-call" value={callTarget} onChange={setCallTarget} users={people.users} groups={people.groups} />
        <label for="flow-sms">Texts go to (optional)</label>
        <TargetSelect id="flow-sms" value={smsTarget} onChange={setSmsTarget} users={people.users} groups={people.groups} />
        <ErrorNote error={action.error ?? people.error} />
        <footer class="dialog-foot">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="btn" onClick={() => setStudio(true)}>
            Import from Studio
          </button>
          <button type="submit" class="btn btn-primary" disabled={action.busy}>
            {number ? 'Create and assign' : 'Create flow'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

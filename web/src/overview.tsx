// The overview: the Flows table and the Numbers table of DESIGN.md section 12, with the red buttons
// that mend what the unassigned-number report lists.
import { NOT_CONNECTED_BADGE, notConnectedNumbers, reportLine, summaryCounts, SYNC_MENDS, syncProgress } from './report-text';
import { useEffect, useState } from 'preact/hooks';
import { get, phonePath, request, send } from './api';
import { FlowFilters, NumberFilters, filterFlows, numbersPath, useSettled, type FlowQuery, type NumberQuery } from './list-filters';
import { NumberFlowPicker } from './number-flow-picker';
import { TargetSelect } from './pickers';
import { callStarter, documentOf, parseTarget, smsStarter } from './starters';
import { StudioImport } from './studio-import';
import type { CarrierSyncJob, Channel, Flow, FlowList, FlowRow, Group, IncludeServices, NumberList, NumberRow, PublishResult, ReportEntry, UnassignedReport, User } from '../../lambdas/api-types';
import { Dialog, ErrorNote, LoadError, Loading, StatusBadge, formatTime, useAction, useApi, useRefresh } from './ui';
import { canEdit, useMe } from './my-calls';

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
  // Signed in (DESIGN.md section 16): only editors and admins assign flows, only admins connect numbers; a
  // member is told who can. Open local mode has no one signed in and offers everything.
  const me = useMe();
  const mayFix = !me || canEdit(me);
  const mayConnect = !me || me.role === 'admin';
  if (report.error) return <div class="banner banner-muted" role="status">The unassigned-number report could not be read: {(report.error as Error).message}</div>;
  const r = report.data;
  if (!r || r.numbers.length === 0) return null;
  return (
    <section class="banner" role="alert" aria-label="Unassigned-number report">
      <div class="banner-line">
        <span class="banner-icon" aria-hidden="true">!</span>
        <strong>{r.subject}</strong>
        {!onOverview && mayFix && (
          <a class="banner-link" href="#/">
            Fix on the overview
          </a>
        )}
        {!mayFix && <span class="banner-link banner-who">An editor or admin can fix this</span>}
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
      {mayConnect && r.numbers.some((n) => n.status === 'not_connected') && <CarrierSync entries={r.numbers} />}
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
  const sync = useCarrierSync();
  const [services, setServices] = useState<'' | IncludeServices>('');
  const inService = entries.some((e) => e.reason === 'messaging_service');
  return (
    <div class="carrier-sync">
      {inService && (
        <label>
          Messaging Services that take texts{' '}
          <select value={services} disabled={sync.running || sync.busy} onChange={(e) => setServices((e.target as HTMLSelectElement).value as '' | IncludeServices)}>
            <option value="">leave them alone</option>
            <option value="inbound_url">send their texts here (their inbound URL)</option>
            <option value="number_webhooks">let each number’s own URL answer</option>
          </select>
        </label>
      )}
      <button class="btn btn-small" disabled={sync.running || sync.busy} onClick={() => void sync.start(services ? { includeServices: services } : {})}>
        {sync.running ? 'Connecting…' : 'Connect to Twilio'}
      </button>
      {sync.job && <SyncStatus job={sync.job} />}
      <ErrorNote error={sync.error} />
    </div>
  );
}

function SyncStatus({ job }: { job: CarrierSyncJob }) {
  return (
    <div class="sync-progress" role="status" aria-live="polite">
      {job.status === 'running' && job.total ? <progress max={job.total} value={job.done} aria-label="Numbers connected so far" /> : null}
      <span>{syncProgress(job)}</span>
    </div>
  );
}

/**
 * The one sync the page follows, shared by the banner and every number's row: one poll however many show
 * it, and one refresh of every view when it ends. A sync already running (started elsewhere, or before a
 * reload) is picked up by whichever asks first.
 */
const syncShared: { job?: CarrierSyncJob; timer?: ReturnType<typeof setTimeout>; listeners: Set<() => void>; refresh?: () => void; asked?: boolean } = { listeners: new Set() };

function setSyncJob(job: CarrierSyncJob | undefined): void {
  const was = syncShared.job?.status;
  syncShared.job = job;
  syncShared.listeners.forEach((l) => l());
  if (was === 'running' && job && job.status !== 'running') syncShared.refresh?.();
  clearTimeout(syncShared.timer);
  if (job?.status !== 'running') return;
  syncShared.timer = setTimeout(() => {
    get<CarrierSyncJob>(`/api/carrier/sync/${job.id}`).then(setSyncJob, () => setSyncJob({ ...job }));
  }, SYNC_POLL_MS);
}

function useCarrierSync() {
  const { bump } = useRefresh();
  // The sync is an admin's (DESIGN.md section 16): nobody else's page asks for its state.
  const me = useMe();
  const mayAsk = !me || me.role === 'admin';
  const [, rerender] = useState(0);
  const start = useAction();
  syncShared.refresh = bump;
  useEffect(() => {
    const listener = () => rerender((n) => n + 1);
    syncShared.listeners.add(listener);
    if (!syncShared.asked && mayAsk) {
      syncShared.asked = true;
      get<{ job: CarrierSyncJob | null }>('/api/carrier/sync').then(
        (latest) => {
          if (!syncShared.job && latest.job?.status === 'running') setSyncJob(latest.job);
        },
        () => undefined,
      );
    }
    return () => {
      syncShared.listeners.delete(listener);
    };
  }, []);
  const job = syncShared.job;
  return {
    job,
    running: job?.status === 'running',
    busy: start.busy,
    error: start.error,
    start: (body: { includeServices?: IncludeServices }) => start.run(async () => setSyncJob(await send<CarrierSyncJob>('POST', '/api/carrier/sync', body))),
  };
}

/**
 * A number Twilio sends elsewhere, connected from its own row: the same sync as the banner's (it connects
 * every number the sync may mend), its progress and its result shown here.
 */
function RowConnect({ number, entry }: { number: string; entry?: ReportEntry }) {
  const sync = useCarrierSync();
  const [started, setStarted] = useState(false);
  const mendable = entry?.reason !== undefined && SYNC_MENDS.has(entry.reason);
  if (!started && !mendable) return null;
  return (
    <div class="row-connect">
      {mendable && (
        <button
          class="btn btn-small btn-notconn"
          aria-label={`Connect ${number} to Twilio`}
          disabled={sync.running || sync.busy}
          onClick={() => {
            setStarted(true);
            void sync.start({});
          }}
        >
          {sync.running && started ? 'Connecting…' : 'Connect to Twilio'}
        </button>
      )}
      {started && sync.job && <SyncStatus job={sync.job} />}
      {started && <ErrorNote error={sync.error} />}
    </div>
  );
}

type Dialogs = { kind: 'part'; flowId: string; flowName: string; channel: Channel } | { kind: 'flow'; number?: NumberRow } | undefined;

const NUMBERS_PAGE = 200;
/** Requests a search makes by itself to fill its first page (each looks at up to 5,000 numbers). */
const AUTO_PAGES = 25;

/**
 * The numbers, a page at a time (the API pages them): the first page reloads after every write, later
 * pages are fetched on demand and dropped when the first page reloads, so no row is stale.
 */
function useNumberPages(query: NumberQuery) {
  const first = useApi<NumberList>(numbersPath(query, NUMBERS_PAGE));
  const [more, setMore] = useState<{ of?: unknown; numbers: NumberRow[]; nextCursor?: string; error?: unknown; busy?: boolean; loaded?: boolean; auto?: number }>({ numbers: [] });
  const current = more.of === first.data ? more : { numbers: [] as NumberRow[], nextCursor: undefined, error: undefined, busy: false, loaded: false, auto: 0 };
  const cursor = current.loaded ? current.nextCursor : first.data?.nextCursor;
  const loadMore = async (auto: boolean) => {
    if (!cursor) return;
    const autoCount = (current.auto ?? 0) + (auto ? 1 : 0);
    setMore({ ...current, of: first.data, busy: true, error: undefined, auto: autoCount });
    try {
      const page = await get<NumberList>(numbersPath(query, NUMBERS_PAGE, cursor));
      setMore({ of: first.data, numbers: [...current.numbers, ...page.numbers], nextCursor: page.nextCursor, loaded: true, auto: autoCount });
    } catch (error) {
      setMore({ ...current, of: first.data, error, busy: false });
    }
  };
  const data = first.data ? { numbers: [...first.data.numbers, ...current.numbers] } : undefined;
  // A search or a filter may find a page's worth only further on (each request looks at a bounded number
  // of numbers): keep going while the page is short and there is more, a few times, without a click.
  const filtering = !!(query.q.trim() || query.status);
  const shortBy = data ? NUMBERS_PAGE - data.numbers.length : 0;
  useEffect(() => {
    if (filtering && cursor && shortBy > 0 && !current.busy && !current.error && (current.auto ?? 0) < AUTO_PAGES) void loadMore(true);
  }, [filtering, cursor, shortBy, current.busy, current.error]);
  return { ...first, data, more: cursor ? () => loadMore(false) : undefined, moreError: current.error, moreBusy: !!current.busy };
}

export function Overview() {
  const flows = useApi<FlowList>('/api/flows');
  const [typed, setTyped] = useState<NumberQuery>({ q: '', status: '', sort: 'number' });
  const query = useSettled(typed);
  const numbers = useNumberPages(query);
  const report = useApi<UnassignedReport>('/api/report/unassigned');
  const [dialog, setDialog] = useState<Dialogs>();
  const counts = flows.data && report.data ? summaryCounts(flows.data, report.data) : undefined;
  return (
    <>
      {counts && (
        <dl class="stats" aria-label="Summary">
          <div>
            <dt>Flows</dt>
            <dd>{counts.flows}</dd>
          </div>
          <div>
            <dt>Numbers</dt>
            <dd>{counts.numbers}</dd>
          </div>
          <div class={counts.losing ? 'stat-bad' : 'stat-ok'}>
            <dt>Losing calls or texts</dt>
            <dd>{counts.losing}</dd>
          </div>
          <div class={counts.notConnected ? 'stat-notconn' : 'stat-ok'}>
            <dt>Not connected</dt>
            <dd>{counts.notConnected}</dd>
          </div>
          <div class={counts.noFlow ? 'stat-bad' : 'stat-ok'}>
            <dt>No flow or a missing part</dt>
            <dd>{counts.noFlow}</dd>
          </div>
          <div>
            <dt>Routing fine</dt>
            <dd>{counts.fine}</dd>
          </div>
        </dl>
      )}
      <FlowsPanel flows={flows} open={setDialog} />
      <NumbersPanel numbers={numbers} flows={flows.data?.flows ?? []} open={setDialog} query={typed} onQuery={setTyped} searching={numbers.loading || JSON.stringify(typed) !== JSON.stringify(query)} />
      {dialog?.kind === 'part' && <CreatePartDialog {...dialog} onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'flow' && <CreateFlowDialog number={dialog.number} onClose={() => setDialog(undefined)} />}
    </>
  );
}

function FlowsPanel({ flows, open }: { flows: ReturnType<typeof useApi<FlowList>>; open: (d: Dialogs) => void }) {
  const [query, setQuery] = useState<FlowQuery>({ q: '', show: 'all', sort: 'name' });
  const shown = flows.data ? filterFlows(flows.data.flows, query) : [];
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
        <>
        <FlowFilters query={query} onChange={setQuery} />
        {shown.length === 0 && <p class="empty">No flow matches. <button class="btn-link" onClick={() => setQuery({ q: '', show: 'all', sort: query.sort })}>Show all flows</button></p>}
        <table class="table" id="flows-table" hidden={shown.length === 0}>
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
            {shown.map((f) => (
              <tr key={f.id} data-flow={f.id} class={f.call.configured && f.sms.configured ? '' : 'row-warn'}>
                <th scope="row">
                  <a href={`#/flows/${f.id}`} class="flow-link" title={f.name}>
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
        </>
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
  const rename = useAction();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(n.name);
  const pickerId = `flow-for-${n.number.replace(/\W/g, '')}`;
  const flow = flows.find((f) => f.id === n.flowId);
  return (
    <tr data-number={n.number} data-status={notConnected && n.status === 'ok' ? 'not_connected' : n.status} data-connected={notConnected ? 'no' : undefined} class={n.status !== 'ok' ? 'row-bad' : notConnected ? 'row-notconn' : 'row-ok'}>
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
            <span title={n.name}>{n.name}</span>
            <button class="btn-link" aria-label={`Rename ${n.name}`} onClick={() => setEditing(true)}>
              Rename
            </button>
          </span>
        )}
      </td>
      <td>
        <NumberFlowPicker n={n} flows={flows} id={pickerId} />
      </td>
      <td>
        {/* A number with a flow that Twilio sends elsewhere is not "OK": its own status and colour. */}
        {!(notConnected && n.status === 'ok') && <StatusBadge status={n.status} />}
        {notConnected && (
          <span class="badge badge-notconn" data-reason={notConnected.reason} title={`${reportLine(notConnected)}. Fix: ${notConnected.fix}`}>
            {notConnected.reason ? NOT_CONNECTED_BADGE[notConnected.reason] : 'Not connected'}
          </span>
        )}
      </td>
      <td class="actions">
        <RowConnect number={n.number} entry={notConnected} />
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

function NumbersPanel({ numbers, flows, open, query, onQuery, searching }: { numbers: ReturnType<typeof useNumberPages>; flows: FlowRow[]; open: (d: Dialogs) => void; query: NumberQuery; onQuery: (q: NumberQuery) => void; searching: boolean }) {
  const filtering = !!(query.q.trim() || query.status);
  // The carrier check of the report: numbers whose Twilio URLs point elsewhere are red here too.
  const notConnected = notConnectedNumbers(useApi<UnassignedReport>('/api/report/unassigned').data?.numbers);
  return (
    <section class="panel" aria-labelledby="numbers-title">
      <header class="panel-head">
        <h2 id="numbers-title">Numbers</h2>
      </header>
      <NumberFilters query={query} onChange={onQuery} searching={searching || numbers.moreBusy} />
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
                  {filtering ? (numbers.more || numbers.moreBusy ? 'None yet; still looking…' : 'No number matches.') : 'No numbers registered yet.'}
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

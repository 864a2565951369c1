// Shared schedules (DESIGN.md section 15): the list, each schedule's editor (weekly ranges as time pickers,
// dated rules: a date, a yearly date, the nth weekday of a month, a date range, each closed all day or open
// in given ranges), saved with If-Match; and the override toggle (close or open now, until a time or until
// cleared), which the flow page shows too for every schedule a flow uses. Whether a schedule is open now
// is decided in the page by the same evaluator the webhooks run (lambdas/flows/hours.ts).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, request, send } from './api';
import { activeOverride, isOpen } from '../../lambdas/flows/hours';
import type { Problem, ScheduleOverride, ScheduleRule, ScheduleUpdate, ScheduleView } from '../../lambdas/api-types';
import { Dialog, ErrorNote, formatTime, LoadError, Loading, useAction, useApi, useRefresh } from './ui';
import { canEdit, useMe } from './my-calls';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];
const DAY_NAMES: Record<Day, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const NTH: Array<[number, string]> = [[1, '1st'], [2, '2nd'], [3, '3rd'], [4, '4th'], [5, '5th'], [-1, 'last']];

type Range = [string, string];
type Weekly = Record<Day, Range[]>;
interface Draft {
  name: string;
  timezone: string;
  weekly: Weekly;
  rules: ScheduleRule[];
}

let zones: string[] | undefined;
const timeZones = () => (zones ??= (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC', 'America/New_York', 'Europe/London']);

const blank = (): Draft => ({
  name: '',
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
  rules: [],
});
const draftOf = (s: ScheduleView): Draft => ({ name: s.name, timezone: s.timezone, weekly: s.weekly as Weekly, rules: s.rules });

/** "Closed until 14:00 (override)" or "Open now (its hours)": what callers get right now. */
export function scheduleState(s: ScheduleView, now = new Date()): { open: boolean; override?: ScheduleOverride; text: string } {
  const override = activeOverride(s.override, now);
  const open = isOpen(s, now);
  if (override) {
    const until = override.until ? `until ${formatTime(override.until)}` : 'until cleared';
    return { open, override, text: `${override.state === 'closed' ? 'Closed' : 'Open'} by override ${until}` };
  }
  return { open, text: `${open ? 'Open' : 'Closed'} now by its hours` };
}

/** A rule's days in words: "4th Thursday of November", "every 24 December", "2026-12-24 to 2027-01-01". */
export function ruleDays(rule: ScheduleRule): string {
  const on = rule.on;
  if ('date' in on) return on.date;
  if ('yearly' in on) return `every ${Number(on.yearly.slice(5))} ${MONTHS[Number(on.yearly.slice(2, 4)) - 1]}`;
  if ('from' in on) return `${on.from} to ${on.to}`;
  const nth = NTH.find(([n]) => n === on.nth.n)?.[1] ?? String(on.nth.n);
  return `${nth} ${DAY_NAMES[on.nth.weekday]} of ${MONTHS[on.nth.month - 1]}`;
}

// ---------------------------------------------------------------------------------------------------
// The override toggle (here and on the flow page)

/** Close or open the schedule now, until a time (the browser's clock) or until cleared; clear it. */
export function OverrideControl({ schedule }: { schedule: ScheduleView }) {
  const action = useAction();
  const [until, setUntil] = useState('');
  const state = scheduleState(schedule);
  const id = `override-${schedule.id}`;
  // A member sees whether it is open; closing and opening is an editor's (DESIGN.md section 16).
  const me = useMe();
  const editable = !me || canEdit(me);
  const set = (stateWanted: 'open' | 'closed') =>
    action.run(() => send('PUT', `/api/schedules/${encodeURIComponent(schedule.id)}/override`, { state: stateWanted, ...(until && { until: new Date(until).toISOString() }) }));
  return (
    <div class="override" data-schedule={schedule.id}>
      <p class="override-state" role="status">
        <span class={`badge ${state.open ? 'badge-ok' : 'badge-bad'}`}>{state.open ? 'Open' : 'Closed'}</span> {state.text}
        {state.override?.setBy && <span class="muted small"> · set {state.override.setBy === 'api' ? 'in the dashboard or API' : 'by text'}{state.override.setAt ? ` at ${formatTime(state.override.setAt)}` : ''}</span>}
      </p>
      {editable && <div class="inline-form">
        <label class="sr-only" for={`${id}-until`}>
          Until (optional) for {schedule.name}
        </label>
        <input id={`${id}-until`} type="datetime-local" value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
        <button class="btn btn-small btn-danger" disabled={action.busy} onClick={() => void set('closed')}>
          Close {until ? 'until then' : 'now'}
        </button>
        <button class="btn btn-small" disabled={action.busy} onClick={() => void set('open')}>
          Open {until ? 'until then' : 'now'}
        </button>
        {state.override && (
          <button class="btn btn-small btn-ghost" disabled={action.busy} onClick={() => void action.run(() => send('DELETE', `/api/schedules/${encodeURIComponent(schedule.id)}/override`))}>
            Clear override
          </button>
        )}
      </div>}
      <ErrorNote error={action.error} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------
// The editor

function Ranges({ id, label, ranges, onChange, issue }: { id: string; label: string; ranges: Range[]; onChange: (r: Range[]) => void; issue?: string }) {
  return (
    <fieldset class="ranges" aria-describedby={issue ? `${id}-error` : undefined}>
      <legend>{label}</legend>
      {ranges.length === 0 && <span class="muted small">Closed</span>}
      {ranges.map(([from, to], i) => (
        <span class="range" key={i}>
          <label class="sr-only" for={`${id}-${i}-from`}>
            {label} range {i + 1} opens
          </label>
          <input id={`${id}-${i}-from`} type="time" value={from} aria-invalid={issue ? 'true' : undefined} onInput={(e) => onChange(ranges.map((r, j) => (j === i ? [(e.target as HTMLInputElement).value, r[1]] : r)))} />
          –
          <label class="sr-only" for={`${id}-${i}-to`}>
            {label} range {i + 1} closes
          </label>
          {/* 24:00 (the end of the day) is not a time a picker offers: shown and kept as 23:59 → 24:00. */}
          <input id={`${id}-${i}-to`} type="time" value={to === '24:00' ? '23:59' : to} aria-invalid={issue ? 'true' : undefined} onInput={(e) => onChange(ranges.map((r, j) => (j === i ? [r[0], (e.target as HTMLInputElement).value === '23:59' ? '24:00' : (e.target as HTMLInputElement).value] : r)))} />
          <button type="button" class="btn-icon" aria-label={`Remove ${label} range ${i + 1}`} onClick={() => onChange(ranges.filter((_, j) => j !== i))}>
            ×
          </button>
        </span>
      ))}
      <button type="button" class="btn-link" onClick={() => onChange([...ranges, ['09:00', '17:00']])}>
        Add range
      </button>
      {issue && (
        <span class="field-error" id={`${id}-error`}>
          {issue}
        </span>
      )}
    </fieldset>
  );
}

type Kind = 'date' | 'yearly' | 'nth' | 'range';
const kindOf = (r: ScheduleRule): Kind => ('date' in r.on ? 'date' : 'yearly' in r.on ? 'yearly' : 'nth' in r.on ? 'nth' : 'range');
const newOn = (kind: Kind): ScheduleRule['on'] => {
  const today = new Date().toISOString().slice(0, 10);
  if (kind === 'date') return { date: today };
  if (kind === 'yearly') return { yearly: `--${today.slice(5)}` };
  if (kind === 'nth') return { nth: { month: 11, weekday: 'thu', n: 4 } };
  return { from: today, to: today };
};

function RuleEditor({ id, rule, onChange, onRemove, issues }: { id: string; rule: ScheduleRule; onChange: (r: ScheduleRule) => void; onRemove: () => void; issues: Record<string, string> }) {
  const kind = kindOf(rule);
  const on = rule.on;
  const field = (key: string, label: string, input: JSX.Element) => (
    <label>
      {label}
      {input}
      {issues[`on.${key}`] && <span class="field-error">{issues[`on.${key}`]}</span>}
    </label>
  );
  // A label apart from its select (`for`): a wrapping one would take the options' text into its name.
  const select = (label: string, value: string | number, options: Array<[string | number, string]>, change: (v: string) => void) => (
    <div class="field-stack">
      <label for={`${id}-${label}`}>{label}</label>
      <select id={`${id}-${label}`} value={String(value)} onChange={(e) => change((e.target as HTMLSelectElement).value)}>
        {options.map(([v, text]) => (
          <option key={v} value={String(v)}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <li class="rule" data-rule={rule.name}>
      <div class="grid-form">
        <label>
          Rule name
          <input value={rule.name} required onInput={(e) => onChange({ ...rule, name: (e.target as HTMLInputElement).value })} />
        </label>
        {select('Applies on', kind, [['date', 'One date'], ['yearly', 'Every year on'], ['nth', 'A weekday of a month'], ['range', 'A range of dates']], (k) => onChange({ ...rule, on: newOn(k as Kind) }))}
        {'date' in on && field('date', 'Date', <input type="date" value={on.date} onInput={(e) => onChange({ ...rule, on: { date: (e.target as HTMLInputElement).value } })} />)}
        {'yearly' in on && (
          <>
            {select('Month', Number(on.yearly.slice(2, 4)), MONTHS.map((m, i) => [i + 1, m]), (v) => onChange({ ...rule, on: { yearly: `--${v.padStart(2, '0')}-${on.yearly.slice(5)}` } }))}
            {field('yearly', 'Day', <input type="number" min={1} max={31} value={Number(on.yearly.slice(5))} onInput={(e) => onChange({ ...rule, on: { yearly: `${on.yearly.slice(0, 5)}${(e.target as HTMLInputElement).value.padStart(2, '0')}` } })} />)}
          </>
        )}
        {'nth' in on && (
          <>
            {select('Which', on.nth.n, NTH, (v) => onChange({ ...rule, on: { nth: { ...on.nth, n: Number(v) } } }))}
            {select('Weekday', on.nth.weekday, DAYS.map((d) => [d, DAY_NAMES[d]]), (v) => onChange({ ...rule, on: { nth: { ...on.nth, weekday: v as Day } } }))}
            {select('Of', on.nth.month, MONTHS.map((m, i) => [i + 1, m]), (v) => onChange({ ...rule, on: { nth: { ...on.nth, month: Number(v) } } }))}
          </>
        )}
        {'from' in on && (
          <>
            {field('from', 'From', <input type="date" value={on.from} onInput={(e) => onChange({ ...rule, on: { ...on, from: (e.target as HTMLInputElement).value } })} />)}
            {field('to', 'To', <input type="date" value={on.to} onInput={(e) => onChange({ ...rule, on: { ...on, to: (e.target as HTMLInputElement).value } })} />)}
          </>
        )}
        <label class="check">
          <input
            type="checkbox"
            checked={rule.hours === undefined}
            onChange={(e) => onChange((e.target as HTMLInputElement).checked ? (({ hours: _h, ...r }) => r)(rule) : { ...rule, hours: [['09:00', '13:00']] })}
          />
          Closed all day
        </label>
      </div>
      {rule.hours !== undefined && <Ranges id={`${id}-hours`} label={`${rule.name || 'Rule'}: open`} ranges={rule.hours as Range[]} issue={issues.hours} onChange={(hours) => onChange({ ...rule, hours })} />}
      <p class="muted small">
        {ruleDays(rule)}: {rule.hours === undefined ? 'closed all day' : `open ${rule.hours.map((r) => r.join('–')).join(', ') || 'never'}`}.{' '}
        <button type="button" class="btn-link" onClick={onRemove}>
          Remove rule
        </button>
      </p>
    </li>
  );
}

/** What a schedule edit can change in a flow: its hours never open, or an error. */
const aboutHours = (p: Problem) => p.code === 'always_closed' || p.severity === 'error';

/** Issues of a 400 under a prefix (`rules.2.`), keyed by what follows it. */
function issuesUnder(error: unknown, prefix: string): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(error.fields.filter((f) => f.path.startsWith(prefix)).map((f) => [f.path.slice(prefix.length), f.message]));
}

export function ScheduleEditor({ schedule, onDone }: { schedule?: ScheduleView; onDone: (saved?: ScheduleView) => void }) {
  const [d, setD] = useState<Draft>(schedule ? draftOf(schedule) : blank());
  const [saved, setSaved] = useState<ScheduleUpdate>();
  const action = useAction();
  const id = `schedule-${schedule?.id ?? 'new'}`;
  const top = issuesUnder(action.error, '');
  const stale = action.error instanceof ApiError && action.error.status === 412;
  return (
    <form
      class="schedule-editor"
      aria-label={schedule ? `Edit schedule ${schedule.name}` : 'New schedule'}
      onSubmit={async (e) => {
        e.preventDefault();
        const answer = await action.run(async (): Promise<ScheduleView & Partial<ScheduleUpdate>> =>
          schedule
            ? (await request<ScheduleUpdate>('PUT', `/api/schedules/${encodeURIComponent(schedule.id)}`, d, { 'if-match': String(schedule.version) })).body
            : (await request<ScheduleView>('POST', '/api/schedules', d)).body,
        );
        if (!answer) return;
        // The flows using it were checked again: show what they say before closing the editor.
        if (answer.recheck?.some((r) => r.problems.some(aboutHours))) setSaved(answer as ScheduleUpdate);
        else onDone(answer);
      }}
    >
      <div class="grid-form">
        <label>
          Schedule name
          <input id={`${id}-name`} value={d.name} required aria-invalid={top.name ? 'true' : undefined} onInput={(e) => setD({ ...d, name: (e.target as HTMLInputElement).value })} />
          {top.name && <span class="field-error">{top.name}</span>}
        </label>
        <label>
          Time zone
          <select value={d.timezone} aria-invalid={top.timezone ? 'true' : undefined} onChange={(e) => setD({ ...d, timezone: (e.target as HTMLSelectElement).value })}>
            {!timeZones().includes(d.timezone) && <option value={d.timezone}>{d.timezone}</option>}
            {timeZones().map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          {top.timezone && <span class="field-error">{top.timezone}</span>}
        </label>
      </div>
      <h3 class="form-title">Every week</h3>
      <div class="week">
        {DAYS.map((day) => (
          <Ranges key={day} id={`${id}-${day}`} label={DAY_NAMES[day]} ranges={d.weekly[day]} issue={top[`weekly.${day}`]} onChange={(ranges) => setD({ ...d, weekly: { ...d.weekly, [day]: ranges } })} />
        ))}
      </div>
      <h3 class="form-title">Holidays and special days</h3>
      <p class="muted small">A rule wins over the week; a rule for one day wins over a range of dates; an override wins over both.</p>
      <ol class="rules" aria-label="Rules">
        {d.rules.map((rule, i) => (
          <RuleEditor
            key={i}
            id={`${id}-rule-${i}`}
            rule={rule}
            issues={issuesUnder(action.error, `rules.${i}.`)}
            onChange={(r) => setD({ ...d, rules: d.rules.map((x, j) => (j === i ? r : x)) })}
            onRemove={() => setD({ ...d, rules: d.rules.filter((_, j) => j !== i) })}
          />
        ))}
      </ol>
      <button type="button" class="btn btn-small" onClick={() => setD({ ...d, rules: [...d.rules, { name: `Rule ${d.rules.length + 1}`, on: newOn('date') }] })}>
        Add rule
      </button>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled={action.busy}>
          {schedule ? 'Save schedule' : 'Create schedule'}
        </button>
        <button class="btn btn-ghost" type="button" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
      {stale ? (
        <div class="error-note" role="alert">
          <strong>412 Changed elsewhere:</strong> someone saved this schedule since you opened it. Your edits are still here; cancel and open it again to see theirs.
        </div>
      ) : (
        <ErrorNote error={action.error} />
      )}
      {saved && (
        <div class="note" role="status">
          <p>
            Saved. The flows that use it were checked again:
          </p>
          <ul>
            {saved.recheck.map((r) => (
              <li key={r.flow}>
                <a href={`#/flows/${encodeURIComponent(r.flow)}`}>{r.name}</a>: {r.problems.filter(aboutHours).map((p) => p.message).join(' ') || 'no problems with its hours'}
              </li>
            ))}
          </ul>
          <button type="button" class="btn btn-small" onClick={() => onDone(saved)}>
            OK
          </button>
        </div>
      )}
    </form>
  );
}

// ---------------------------------------------------------------------------------------------------
// The page

function DeleteScheduleDialog({ schedule, onClose }: { schedule: ScheduleView; onClose: () => void }) {
  const { bump } = useRefresh();
  const [error, setError] = useState<unknown>();
  return (
    <Dialog title={`Delete ${schedule.name}?`} onClose={onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await request('DELETE', `/api/schedules/${encodeURIComponent(schedule.id)}`, undefined, { 'if-match': String(schedule.version) });
            onClose();
            bump();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <p>{schedule.flows.length ? `It is used by ${schedule.flows.map((f) => f.name).join(', ')}: change their hours first.` : 'No flow uses it.'}</p>
        <ErrorNote error={error} />
        <footer class="dialog-foot">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-danger">
            Delete schedule
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

function ScheduleCard({ schedule }: { schedule: ScheduleView }) {
  const me = useMe();
  const editable = !me || canEdit(me);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <li class="card schedule-card" data-schedule={schedule.id}>
      {editing ? (
        <ScheduleEditor schedule={schedule} onDone={() => setEditing(false)} />
      ) : (
        <>
          <header class="card-head">
            <h3>{schedule.name}</h3>
            {editable && <div>
              <button class="btn btn-small" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button class="btn btn-small btn-ghost" onClick={() => setDeleting(true)}>
                Delete
              </button>
            </div>}
          </header>
          <p class="muted small">
            {schedule.timezone} ·{' '}
            {DAYS.filter((day) => schedule.weekly[day].length)
              .map((day) => `${day[0].toUpperCase()}${day.slice(1)} ${schedule.weekly[day].map((r) => r.join('–')).join(', ')}`)
              .join('; ') || 'no weekly hours'}
          </p>
          {schedule.rules.length > 0 && (
            <ul class="rule-list" aria-label={`${schedule.name} rules`}>
              {schedule.rules.map((r, i) => (
                <li key={i}>
                  <strong>{r.name}</strong>: {ruleDays(r)}, {r.hours ? `open ${r.hours.map((x) => x.join('–')).join(', ')}` : 'closed all day'}
                </li>
              ))}
            </ul>
          )}
          <p class="small">
            Used by{' '}
            {schedule.flows.length
              ? schedule.flows.map((f, i) => (
                  <span key={f.id}>
                    {i > 0 && ', '}
                    <a href={`#/flows/${encodeURIComponent(f.id)}`}>{f.name}</a>
                  </span>
                ))
              : 'no flow yet'}
          </p>
          <OverrideControl schedule={schedule} />
        </>
      )}
      {deleting && <DeleteScheduleDialog schedule={schedule} onClose={() => setDeleting(false)} />}
    </li>
  );
}

export function Schedules() {
  const schedules = useApi<{ schedules: ScheduleView[] }>('/api/schedules');
  const [creating, setCreating] = useState(false);
  const me = useMe();
  const editable = !me || canEdit(me);
  return (
    <section class="panel" aria-labelledby="schedules-title">
      <header class="panel-head">
        <h2 id="schedules-title">Schedules</h2>
        {editable && !creating && (
          <button class="btn btn-primary btn-small" onClick={() => setCreating(true)}>
            New schedule
          </button>
        )}
      </header>
      <p class="muted small">Opening hours shared by flows: an hours applet names one instead of its own hours, and one edit (or one override) changes every flow that uses it.</p>
      {creating && <ScheduleEditor onDone={() => setCreating(false)} />}
      {schedules.error ? (
        <LoadError error={schedules.error} what="the schedules" retry={schedules.reload} />
      ) : !schedules.data ? (
        <Loading what="schedules" />
      ) : schedules.data.schedules.length === 0 ? (
        <p class="empty">No schedules yet.</p>
      ) : (
        <ul class="cards">
          {schedules.data.schedules.map((s) => (
            <ScheduleCard key={s.id} schedule={s} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** On a flow's page: the schedules its hours name, each with its state and the override toggle. */
export function FlowSchedules({ ids }: { ids: string[] }) {
  const schedules = useApi<{ schedules: ScheduleView[] }>(ids.length ? '/api/schedules' : null);
  if (!ids.length) return null;
  const used = (schedules.data?.schedules ?? []).filter((s) => ids.includes(s.id));
  return (
    <section class="panel" aria-labelledby="flow-schedules-title">
      <header class="panel-head">
        <h2 id="flow-schedules-title">Schedules this flow uses</h2>
        <a href="#/schedules" class="small">
          All schedules
        </a>
      </header>
      {schedules.error ? (
        <LoadError error={schedules.error} what="the schedules" retry={schedules.reload} />
      ) : !schedules.data ? (
        <Loading what="schedules" />
      ) : (
        <ul class="cards">
          {used.map((s) => (
            <li key={s.id} class="card">
              <h3>{s.name}</h3>
              <OverrideControl schedule={s} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

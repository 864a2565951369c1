// Business hours and closed days that cannot be silently wrong (issue 20 item 5): each day's opening hours
// as ranges of two time pickers (add and remove ranges), closed days with a date picker. An entry the picker
// cannot read (a time typed half-way, "9-5") is kept in the draft as an empty time, so the schema refuses it
// by name and the page shows it on that field and will not publish; a range that closes before it opens or
// overlaps another says so on the range, as the checker will.
import type { ComponentChildren } from 'preact';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_NAMES: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

type Range = [string, string];
type Weekly = Record<string, Range[]>;
export interface Closure {
  date: string;
  name?: string;
}

/** "24:00" (the end of the day) is what a closing time of midnight means; a time picker writes it 00:00. */
const closeShown = (t: string) => (t === '24:00' ? '00:00' : t);
const closeStored = (t: string) => (t === '00:00' ? '24:00' : t);
const INCOMPLETE = 'Enter a full time (hours, minutes and AM or PM), like 9:00 AM.';

/** What is wrong with a day's ranges as the checker will see it, per range index. */
export function rangeProblems(ranges: Range[]): Map<number, string> {
  const out = new Map<number, string>();
  const minutes = (t: string) => (/^\d\d:\d\d$/.test(t) ? Number(t.slice(0, 2)) * 60 + Number(t.slice(3)) : NaN);
  ranges.forEach(([open, close], i) => {
    const [a, b] = [minutes(open), minutes(close)];
    if (Number.isNaN(a) || Number.isNaN(b)) return;
    if (b <= a) out.set(i, 'Closes before it opens: choose a later closing time (12:00 AM means midnight).');
  });
  ranges.forEach(([open, close], i) => {
    const [a, b] = [minutes(open), minutes(close)];
    if (out.has(i) || Number.isNaN(a) || Number.isNaN(b)) return;
    const other = ranges.findIndex(([o, c], j) => j !== i && !out.has(j) && minutes(o) < b && a < minutes(c));
    if (other !== -1) out.set(i, `Overlaps ${ranges[other][0]}–${closeShown(ranges[other][1])}: make the ranges follow each other.`);
  });
  return out;
}

function TimeInput({ id, label, value, onChange, invalid, describedBy }: { id: string; label: string; value: string; onChange: (v: string) => void; invalid: boolean; describedBy?: string }) {
  return (
    <>
      <label class="sr-only" for={id}>
        {label}
      </label>
      <input
        id={id}
        type="time"
        step={300}
        value={value}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy}
        // Every keystroke: a time typed half-way reads '' (badInput), which the draft keeps as the empty time.
        onInput={(e) => onChange((e.target as HTMLInputElement).value)}
      />
    </>
  );
}

export function WeeklyHours({ id, value, onChange, issues }: { id: string; value: unknown; onChange: (w: Weekly) => void; issues: (path: string) => string | undefined }) {
  const weekly = (value ?? {}) as Weekly;
  const setDay = (day: string, ranges: Range[]) => onChange({ ...Object.fromEntries(DAYS.map((d) => [d, weekly[d] ?? []])), [day]: ranges });
  return (
    <fieldset class="fieldset hours-editor">
      <legend>Opening hours</legend>
      {DAYS.map((day) => {
        const ranges = (weekly[day] ?? []) as Range[];
        const problems = rangeProblems(ranges);
        return (
          <div class="hours-day" key={day} data-day={day} role="group" aria-label={DAY_NAMES[day]}>
            <span class="hours-day-name">{DAY_NAMES[day]}</span>
            <div class="hours-ranges">
              {ranges.length === 0 && <span class="muted small">Closed</span>}
              {ranges.map(([open, close], i) => {
                const base = `${id}-${day}-${i}`;
                const openIssue = open === '' ? INCOMPLETE : issues(`${day}.${i}.0`);
                const closeIssue = close === '' ? INCOMPLETE : issues(`${day}.${i}.1`);
                const issue = openIssue ?? closeIssue ?? problems.get(i) ?? issues(`${day}.${i}`);
                return (
                  <div class={`hours-range${issue ? ' field-invalid' : ''}`} key={i}>
                    <TimeInput id={`${base}-open`} label={`${DAY_NAMES[day]} range ${i + 1} opens`} value={open} invalid={!!openIssue || problems.has(i)} describedBy={issue ? `${base}-error` : undefined} onChange={(v) => setDay(day, ranges.map((r, j) => (j === i ? [v, r[1]] : r)))} />
                    <span aria-hidden="true">–</span>
                    <TimeInput id={`${base}-close`} label={`${DAY_NAMES[day]} range ${i + 1} closes`} value={closeShown(close)} invalid={!!closeIssue || problems.has(i)} describedBy={issue ? `${base}-error` : undefined} onChange={(v) => setDay(day, ranges.map((r, j) => (j === i ? [r[0], closeStored(v)] : r)))} />
                    <button type="button" class="btn-icon" aria-label={`Remove ${DAY_NAMES[day]} range ${i + 1}`} onClick={() => setDay(day, ranges.filter((_, j) => j !== i))}>
                      ×
                    </button>
                    {issue && (
                      <span class="field-error" id={`${base}-error`}>
                        {issue}
                      </span>
                    )}
                  </div>
                );
              })}
              <button
                type="button"
                class="btn-link"
                aria-label={`Add hours on ${DAY_NAMES[day]}`}
                onClick={() => {
                  const last = ranges[ranges.length - 1];
                  // After the last range, or a working day: an hour later, or 09:00-17:00.
                  const next: Range = last && /^\d\d:\d\d$/.test(last[1]) && last[1] < '23:00' ? [last[1], `${String(Number(last[1].slice(0, 2)) + 1).padStart(2, '0')}:${last[1].slice(3)}`] : ['09:00', '17:00'];
                  setDay(day, [...ranges, next]);
                }}
              >
                + Add hours
              </button>
            </div>
          </div>
        );
      })}
      <p class="hint">A closing time of 12:00 AM is midnight, the end of the day.</p>
    </fieldset>
  );
}

/** The date a picker shows for a closure: a yearly one (`--12-25`) in a leap year, so 29 February fits. */
const shownDate = (date: string) => (date.startsWith('--') ? `2000${date.slice(1)}` : date);

export function ClosureList({ id, value, onChange, issues }: { id: string; value: unknown; onChange: (c: Closure[]) => void; issues: (path: string) => string | undefined }) {
  const list = (Array.isArray(value) ? value : []) as Closure[];
  const set = (i: number, c: Closure) => onChange(list.map((x, j) => (j === i ? c : x)));
  return (
    <fieldset class="fieldset closures-editor">
      <legend>Closed days</legend>
      {list.length === 0 && <p class="muted small">None: open every week as above.</p>}
      {list.map((c, i) => {
        const yearly = c.date.startsWith('--');
        const base = `${id}-${i}`;
        const issue = c.date === '' ? 'Pick a date (day, month and year).' : issues(`${i}.date`);
        return (
          <div class={`closure${issue ? ' field-invalid' : ''}`} key={i}>
            <Labelled id={`${base}-date`} label={`Closed day ${i + 1} date`}>
              <input
                id={`${base}-date`}
                type="date"
                value={shownDate(c.date)}
                aria-invalid={issue ? 'true' : undefined}
                aria-describedby={issue ? `${base}-error` : undefined}
                onInput={(e) => {
                  const v = (e.target as HTMLInputElement).value;
                  set(i, { ...c, date: v && yearly ? `-${v.slice(4)}` : v });
                }}
              />
            </Labelled>
            <label class="check">
              <input type="checkbox" checked={yearly} disabled={!c.date} onChange={(e) => set(i, { ...c, date: (e.target as HTMLInputElement).checked ? `-${shownDate(c.date).slice(4)}` : `${new Date().getFullYear()}${c.date.slice(1)}` })} />
              Every year
            </label>
            <Labelled id={`${base}-name`} label={`Closed day ${i + 1} name`}>
              <input id={`${base}-name`} value={c.name ?? ''} placeholder="Christmas Day" onInput={(e) => set(i, { ...c, name: (e.target as HTMLInputElement).value || undefined })} />
            </Labelled>
            <button type="button" class="btn-icon" aria-label={`Remove closed day ${i + 1}`} onClick={() => onChange(list.filter((_, j) => j !== i))}>
              ×
            </button>
            {issue && (
              <span class="field-error" id={`${base}-error`}>
                {issue}
              </span>
            )}
          </div>
        );
      })}
      <button type="button" class="btn btn-small" onClick={() => onChange([...list, { date: new Date().toISOString().slice(0, 10) }])}>
        Add a closed day
      </button>
    </fieldset>
  );
}

const Labelled = ({ id, label, children }: { id: string; label: string; children: ComponentChildren }) => (
  <>
    <label class="sr-only" for={id}>
      {label}
    </label>
    {children}
  </>
);

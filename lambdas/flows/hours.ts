// Business hours: is it open right now, in the flow's own time zone (daylight saving included)?
// One evaluator for both forms of the `hours` applet (DESIGN.md sections 3 and 15): inline hours
// (weekly ranges, closures) and a shared schedule (weekly ranges, dated rules, an override).
// Local time comes from the zone's offsets the flow was published with (zone-offsets.ts) or else from
// Intl.DateTimeFormat with `timeZone`, so no time zone library is bundled.
// Types only from schema.ts and schedule.ts: the webhooks bundle this file without zod.
import type { AppletOf, Day, Weekly } from './schema';
import type { Schedule, ScheduleOverride, ScheduleRule } from './schedule';
import { learnedOffset } from './zone-offsets';

/** What decides open or closed: inline hours are this with `closures`, a schedule with `rules` and `override`. */
export interface HoursRules {
  timezone: string;
  weekly: Weekly;
  /** Inline closures: `YYYY-MM-DD`, or `--MM-DD` every year; closed all day. */
  closures?: ReadonlyArray<{ date: string; name?: string }>;
  /** A schedule's dated rules (schedule.ts); a matching rule wins over `weekly`. */
  rules?: readonly ScheduleRule[];
  /** Wins over everything while active: until `until`, or until cleared when it has none. */
  override?: ScheduleOverride;
}

/** The schedules the engines can see, by id (loaded by the webhook or the simulator). */
export type Schedules = ReadonlyMap<string, Schedule>;

export interface LocalTime {
  /** `YYYY-MM-DD` in the time zone. */
  date: string;
  day: Day;
  /** Minutes since local midnight, 0-1439. */
  minutes: number;
}

export function isOpen(hours: HoursRules, now: Date): boolean {
  const override = activeOverride(hours.override, now);
  if (override) return override.state === 'open';
  const local = localTime(hours.timezone, now);
  // A time zone the runtime does not know cannot be published (bad_timezone); if one slips through,
  // "closed" is the safe answer: the closed branch usually takes a message rather than ringing phones at night.
  if (!local) return false;
  return rangesOn(hours, local).some(([open, close]) => minutesOf(open) <= local.minutes && local.minutes < minutesOf(close));
}

/**
 * The hours an `hours` applet stands for: its own, or those of the shared schedule it names. Undefined
 * when the schedule is not among `schedules` (deleted while a call was in progress, not loaded): the
 * caller takes that as closed, the safe side, like an unknown time zone.
 */
export function hoursOf(applet: AppletOf<'hours'>, schedules: Schedules | undefined): HoursRules | undefined {
  if (applet.schedule === undefined) {
    return applet.timezone === undefined ? undefined : { timezone: applet.timezone, weekly: applet.weekly, closures: applet.closures, override: applet.override };
  }
  return schedules?.get(applet.schedule);
}

/** The branch decision of an `hours` applet: open only when its hours (inline or shared) say so. */
export function appletIsOpen(applet: AppletOf<'hours'>, schedules: Schedules | undefined, now: Date): boolean {
  const hours = hoursOf(applet, schedules);
  return hours !== undefined && isOpen(hours, now);
}

/** The override while it is active (no `until`, or now before it), else undefined: it expires by itself. */
export function activeOverride(override: ScheduleOverride | undefined, now: Date): ScheduleOverride | undefined {
  if (!override) return undefined;
  if (override.until === undefined) return override;
  const until = Date.parse(override.until);
  return Number.isFinite(until) && now.getTime() < until ? override : undefined;
}

/**
 * The ranges that apply on a local day: those of the rule for that day (none: closed all day), else the
 * weekly ones. A rule naming one day (a date, a yearly date, an nth weekday, an inline closure) wins over
 * a date range, so "24 Dec open 09:00-13:00" holds inside "closed 24 Dec - 1 Jan"; between rules of the
 * same kind the first listed wins.
 */
function rangesOn(hours: HoursRules, local: LocalTime): ReadonlyArray<readonly [string, string]> {
  const rules = hours.rules ?? [];
  const rule =
    rules.find((r) => !('from' in r.on) && ruleMatches(r, local)) ??
    (hours.closures?.some((c) => closureMatches(c.date, local.date)) ? { hours: [] } : undefined) ??
    rules.find((r) => 'from' in r.on && ruleMatches(r, local));
  if (rule) return rule.hours ?? [];
  return hours.weekly[local.day] ?? [];
}

/** `YYYY-MM-DD` closes that day; `--MM-DD` that day every year. */
const closureMatches = (closure: string, date: string) => closure === date || closure === `-${date.slice(4)}`;

/** Whether a rule's `on` names this local day. */
export function ruleMatches(rule: Pick<ScheduleRule, 'on'>, local: Pick<LocalTime, 'date' | 'day'>): boolean {
  const on = rule.on;
  if ('date' in on) return on.date === local.date;
  if ('yearly' in on) return on.yearly === `-${local.date.slice(4)}`;
  if ('from' in on) return on.from <= local.date && local.date <= on.to;
  const { month, weekday, n } = on.nth;
  const [year, mm, dd] = local.date.split('-').map(Number);
  if (mm !== month || local.day !== weekday) return false;
  // The nth such weekday is in days 7n-6..7n; the last is within the month's final seven days.
  return n === -1 ? dd + 7 > daysInMonth(year, mm) : Math.ceil(dd / 7) === n;
}

/** Days in `month` (1-12) of `year`, leap years included. */
export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** "HH:MM" → minutes; "24:00" is 1440, the end of the day. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

// Building a DateTimeFormat is the slow part; warm Lambdas reuse one per time zone.
const formats = new Map<string, Intl.DateTimeFormat | null>();

function formatFor(timezone: string): Intl.DateTimeFormat | null {
  let format = formats.get(timezone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short',
        hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
      });
    } catch {
      format = null; // RangeError: unknown time zone
    }
    formats.set(timezone, format);
  }
  return format;
}

interface WallClock extends LocalTime {
  seconds: number;
}

function wallClock(timezone: string, now: Date): WallClock | undefined {
  const format = formatFor(timezone);
  if (!format) return undefined;
  const parts: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(now)) parts[type] = value;
  // Some ICU versions write midnight as "24" even with h23; it is hour 0 of the same date.
  const hour = Number(parts.hour) % 24;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day: parts.weekday.toLowerCase() as Day, // "Mon" → "mon"
    minutes: hour * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

/** The wall-clock date, weekday and time at `now` in `timezone`; undefined for an unknown time zone. */
export function localTime(timezone: string, now: Date): LocalTime | undefined {
  const offset = learnedOffset(timezone, now.getTime());
  if (offset !== undefined) return fromOffset(new Date(now.getTime() + offset * 60_000));
  const clock = wallClock(timezone, now);
  return clock && { date: clock.date, day: clock.day, minutes: clock.minutes };
}

/** How far the zone's wall clock is ahead of UTC at `at`, in milliseconds (whole seconds). */
function offsetAt(timezone: string, at: number): number | undefined {
  const clock = wallClock(timezone, new Date(at));
  if (!clock) return undefined;
  const [y, m, d] = clock.date.split('-').map(Number);
  const asUtc = Date.UTC(y, m - 1, d, Math.floor(clock.minutes / 60), clock.minutes % 60, clock.seconds);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant the wall clock of `timezone` shows `minutes` after midnight on `date` (`YYYY-MM-DD`).
 * A time that happens twice (the hour repeated when clocks go back) is its first occurrence; a time that
 * never happens (the hour skipped when they go forward) is read with the offset before the change, which
 * lands as far past the gap's start as it was asked (02:30 on a spring-forward night is 03:30).
 */
export function instantAt(timezone: string, date: string, minutes: number): Date | undefined {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  // Offsets in use around that day: try each and keep the earliest reading that shows the wall time.
  const before = offsetAt(timezone, wall - 36 * 3600_000);
  const after = offsetAt(timezone, wall + 36 * 3600_000);
  if (before === undefined || after === undefined) return undefined;
  const candidates = [...new Set([before, after])].map((offset) => wall - offset).sort((a, b) => a - b);
  const exact = candidates.find((t) => offsetAt(timezone, t) === wall - t);
  return new Date(exact ?? wall - before);
}

/** The day after `date` (`YYYY-MM-DD`), by the calendar. */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The next time the zone's clock shows `hhmm` after `now`: today's, or tomorrow's when today's has passed
 * (what "until 14:00" in a text means). Undefined for an unknown time zone.
 */
export function nextWallTime(timezone: string, hhmm: string, now: Date): Date | undefined {
  const local = localTime(timezone, now);
  if (!local) return undefined;
  const minutes = minutesOf(hhmm);
  const today = instantAt(timezone, local.date, minutes);
  if (today && today.getTime() > now.getTime()) return today;
  return instantAt(timezone, nextDate(local.date), minutes);
}

const WEEKDAYS: readonly Day[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** The local time whose wall clock reads as `wall`'s UTC fields. */
function fromOffset(wall: Date): LocalTime {
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    day: WEEKDAYS[wall.getUTCDay()],
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

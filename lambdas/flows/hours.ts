// Business hours: is it open right now, in the flow's own time zone (daylight saving included)?
// Local time comes from the zone's offsets the flow was published with (zone-offsets.ts) or else from
// Intl.DateTimeFormat with `timeZone`, so no time zone library is bundled.
import type { AppletOf, Day } from './schema';
import { learnedOffset } from './zone-offsets';

export type HoursRules = Pick<AppletOf<'hours'>, 'timezone' | 'weekly' | 'closures' | 'override'>;

export interface LocalTime {
  /** `YYYY-MM-DD` in the time zone. */
  date: string;
  day: Day;
  /** Minutes since local midnight, 0-1439. */
  minutes: number;
}

export function isOpen(hours: HoursRules, now: Date): boolean {
  const override = activeOverride(hours, now);
  if (override) return override === 'open';
  const local = localTime(hours.timezone, now);
  // A time zone the runtime does not know cannot be published (bad_timezone); if one slips through,
  // "closed" is the safe answer: the closed branch usually takes a message rather than ringing phones at night.
  if (!local) return false;
  if (isClosureDay(hours, local.date)) return false;
  return (hours.weekly[local.day] ?? []).some(([open, close]) => {
    const from = minutesOf(open);
    const to = minutesOf(close);
    return from <= local.minutes && local.minutes < to;
  });
}

/** The override's state while it is active (now before `until`), else undefined. */
function activeOverride(hours: HoursRules, now: Date): 'open' | 'closed' | undefined {
  if (!hours.override) return undefined;
  const until = Date.parse(hours.override.until);
  return Number.isFinite(until) && now.getTime() < until ? hours.override.state : undefined;
}

/** `YYYY-MM-DD` closes that day; `--MM-DD` closes that day every year. */
function isClosureDay(hours: HoursRules, date: string): boolean {
  const yearly = `-${date.slice(4)}`; // "2026-12-25" → "--12-25"
  return hours.closures.some((c) => c.date === date || c.date === yearly);
}

/** "HH:MM" → minutes; "24:00" is 1440, the end of the day. */
function minutesOf(hhmm: string): number {
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
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      });
    } catch {
      format = null; // RangeError: unknown time zone
    }
    formats.set(timezone, format);
  }
  return format;
}

/** The wall-clock date, weekday and time at `now` in `timezone`; undefined for an unknown time zone. */
export function localTime(timezone: string, now: Date): LocalTime | undefined {
  const offset = learnedOffset(timezone, now.getTime());
  if (offset !== undefined) return wallClock(new Date(now.getTime() + offset * 60_000));
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
  };
}

const DAYS: readonly Day[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** The local time whose wall clock reads as `wall`'s UTC fields. */
function wallClock(wall: Date): LocalTime {
  return {
    date: `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`,
    day: DAYS[wall.getUTCDay()],
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

// Closing or opening a schedule by text (DESIGN.md section 15): `CLOSE <schedule> [until HH:MM] <PIN>`
// or `OPEN <schedule> [until HH:MM] <PIN>`, from an editor's or admin's registered phone to any of the
// organisation's numbers. This file is the pure part: reading the text, finding the schedule, deciding
// the override, and the words of the answer. Who sent it and whether the PIN is right are the webhook's
// (webhooks/override-by-text.ts).
//   CLOSE            closed until cleared          CLOSE ... until 14:00   closed until the next 14:00
//   OPEN             clears the override: the      OPEN ... until 18:00    open until the next 18:00
//                    schedule's own hours again
// Times are the schedule's wall clock; "the next 14:00" is today's, or tomorrow's once it has passed.
import { isOpen, localTime, nextWallTime } from './hours';
import type { Schedule, ScheduleOverride } from './schedule';
import type { Role } from './people';

export interface OverrideCommand {
  verb: 'close' | 'open';
  /** The schedule as typed: its name (any case, spaces as typed) or its id. */
  schedule: string;
  /** `HH:MM` (24-hour) when the text says `until`. */
  until?: string;
  pin: string;
}

/** 4 to 12 digits, as pins.ts stores them: what a text's last word must be to be a command at all. */
const PIN_WORD = /^\d{4,12}$/;
const TIME = /^([01]?\d|2[0-3])[:.h]([0-5]\d)$/;

/**
 * The command a text states, or undefined when it is not one: the first word CLOSE or OPEN (any case),
 * the last a PIN (4-12 digits), a schedule between them, and optionally `until HH:MM` before the PIN.
 * Anything else is an ordinary text and is routed by the number's flow.
 */
export function parseOverrideCommand(body: string): OverrideCommand | undefined {
  const words = body.trim().split(/\s+/);
  if (words.length < 3) return undefined;
  const verb = words[0].toLowerCase();
  if (verb !== 'close' && verb !== 'open') return undefined;
  const pin = words[words.length - 1];
  if (!PIN_WORD.test(pin)) return undefined;
  let middle = words.slice(1, -1);
  let until: string | undefined;
  const time = middle.length >= 3 && middle[middle.length - 2].toLowerCase() === 'until' ? TIME.exec(middle[middle.length - 1]) : null;
  if (time) {
    until = `${time[1].padStart(2, '0')}:${time[2]}`;
    middle = middle.slice(0, -2);
  }
  if (middle.length === 0) return undefined;
  return { verb, schedule: middle.join(' '), ...(until && { until }), pin };
}

/** Only these may close or open a schedule by text (DESIGN.md section 16; the directory user's role, which is their account's). */
export const mayOverride = (role: Role | undefined): boolean => role === 'admin' || role === 'editor';

/** Wrong PINs allowed per user within PIN_WINDOW_MS; past them texts cannot change schedules until the window ends. */
export const MAX_PIN_FAILURES = 5;
export const PIN_WINDOW_MS = 15 * 60_000;

const normalize = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/** The schedule a text names: by id, else by name (case and spacing aside); `ambiguous` when names repeat. */
export function findSchedule<S extends Pick<Schedule, 'id' | 'name'>>(schedules: readonly S[], typed: string): { found: S } | { ambiguous: S[] } | undefined {
  const byId = schedules.find((s) => s.id === typed.trim());
  if (byId) return { found: byId };
  const named = schedules.filter((s) => normalize(s.name) === normalize(typed));
  if (named.length === 1) return { found: named[0] };
  return named.length > 1 ? { ambiguous: named } : undefined;
}

/** The override the command sets (undefined: OPEN without `until` clears it), as of `now`. */
export function overrideFor(command: Pick<OverrideCommand, 'verb' | 'until'>, timezone: string, now: Date): Pick<ScheduleOverride, 'state' | 'until'> | undefined {
  const state = command.verb === 'close' ? 'closed' : 'open';
  if (command.until === undefined) return state === 'closed' ? { state } : undefined;
  const until = nextWallTime(timezone, command.until, now);
  return until ? { state, until: until.toISOString() } : { state };
}

// ---------------------------------------------------------------------------------------------------
// The answers (one SMS each: they are short, and a name is at most 200 characters)

/** "14:00", or "Tue 14:00" when that is not today, on the schedule's clock. */
function wallTime(timezone: string, iso: string, now: Date): string {
  const at = localTime(timezone, new Date(iso));
  const today = localTime(timezone, now);
  if (!at) return iso;
  const hhmm = `${String(Math.floor(at.minutes / 60)).padStart(2, '0')}:${String(at.minutes % 60).padStart(2, '0')}`;
  return at.date === today?.date ? hhmm : `${at.day[0].toUpperCase()}${at.day.slice(1)} ${hhmm}`;
}

/** What changed, in words, once the override is saved. */
export function changedAnswer(schedule: Schedule, set: Pick<ScheduleOverride, 'state' | 'until'> | undefined, had: ScheduleOverride | undefined, now: Date): string {
  const name = schedule.name;
  if (set?.state === 'closed') {
    return set.until
      ? `${name} is now closed until ${wallTime(schedule.timezone, set.until, now)} (${schedule.timezone}): calls and texts take its closed branch. Then its hours apply again.`
      : `${name} is now closed until someone opens it (text OPEN ${name} and your PIN): calls and texts take its closed branch.`;
  }
  if (set?.state === 'open') {
    return `${name} is now open until ${wallTime(schedule.timezone, set.until!, now)} (${schedule.timezone}), whatever its hours say. Then its hours apply again.`;
  }
  const byHours = isOpen({ ...schedule, override: undefined }, now) ? 'open now' : 'closed now';
  return had
    ? `${name}: the ${had.state} override is cleared; it follows its hours again (${byHours}).`
    : `${name} had no override; it follows its hours (${byHours}). To open it outside them, text OPEN ${name} until HH:MM and your PIN.`;
}

export const WRONG_PIN_ANSWER = 'That PIN is not right: nothing changed.';
export const lockedAnswer = (until: Date) =>
  `Too many wrong PINs: texts cannot change schedules for you until ${until.toISOString().slice(11, 16)} UTC. Nothing changed; the dashboard still can.`;
export const FAILED_ANSWER = 'Nothing changed: Switchboard could not save it just now. Try again shortly, or use the dashboard.';

export function unknownScheduleAnswer(typed: string, schedules: ReadonlyArray<Pick<Schedule, 'name'>>): string {
  const names = schedules.map((s) => s.name);
  const list = names.length ? ` Schedules: ${names.join(', ')}.` : ' There are no schedules yet.';
  const answer = `No schedule is called "${typed}": nothing changed.${list}`;
  return answer.length <= 320 ? answer : `${answer.slice(0, 319)}…`;
}

export const ambiguousAnswer = (typed: string, schedules: ReadonlyArray<Pick<Schedule, 'id'>>) =>
  `More than one schedule is called "${typed}": nothing changed. Use its id instead: ${schedules.map((s) => s.id).join(', ')}.`;

/** The text as it may be kept (trace, logs): its PIN, the last word, hidden. */
export const maskPin = (body: string): string => body.trim().replace(/\d{4,12}$/, '••••');

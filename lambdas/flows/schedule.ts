// Shared schedules (DESIGN.md section 15): a time zone, weekly ranges and dated rules, which any number of
// flows' `hours` applets name by id, and an override that closes (or opens) them all without an edit.
// Shape and validity live here: a bad schedule is a 400 naming the field, never a stored one. The
// evaluator is hours.ts (one for inline hours and schedules); the checker only asks that a named
// schedule exists (`unknown_schedule`) and whether it is ever open.
import { z } from 'zod';
import { nameSchema } from './names';
import { DAYS, rangesSchema, timezoneSchema, weeklySchema, xmlString, type Day, type Weekly } from './schema';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const YEARLY = /^--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const date = z.string().regex(DATE, 'must be a date YYYY-MM-DD');

/** The days a rule applies to: one date, one date every year, the nth weekday of a month, a range of dates. */
const ruleDaySchema = z.union([
  z.strictObject({ date }),
  z.strictObject({ yearly: z.string().regex(YEARLY, 'must be --MM-DD (that day every year)') }),
  z.strictObject({
    nth: z.strictObject({
      month: z.number().int().min(1).max(12),
      weekday: z.enum(DAYS),
      n: z.union([z.number().int().min(1).max(5), z.literal(-1)], { error: 'must be 1 to 5, or -1 for the last' }),
    }),
  }),
  z.strictObject({ from: date, to: date }),
], { error: 'must be one of { date }, { yearly }, { nth: { month, weekday, n } } or { from, to }' });

export const scheduleRuleSchema = z.strictObject({
  name: xmlString().min(1).max(80),
  on: ruleDaySchema,
  /** Open only in these ranges that day; absent: closed all day. */
  hours: rangesSchema.optional(),
});

/** At most this many rules: a year of dated closures, with room to spare. */
export const MAX_RULES = 400;

/** What a POST or PUT of `/api/schedules` takes: everything but the id (the server's) and the override (its own route). */
export const scheduleInputSchema = z
  .strictObject({
    name: nameSchema,
    timezone: timezoneSchema,
    weekly: weeklySchema,
    rules: z.array(scheduleRuleSchema).max(MAX_RULES).default([]),
  })
  .superRefine((s, ctx) => {
    if (!isTimeZone(s.timezone)) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'must be an IANA time zone such as America/New_York' });
    }
    for (const day of DAYS) {
      for (const message of badRanges(s.weekly[day])) ctx.addIssue({ code: 'custom', path: ['weekly', day], message });
    }
    s.rules.forEach((rule, i) => {
      for (const message of badRanges(rule.hours ?? [])) ctx.addIssue({ code: 'custom', path: ['rules', i, 'hours'], message });
      const on = rule.on;
      for (const [field, value] of Object.entries(on)) {
        if (typeof value === 'string' && !isRealDate(value)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'on', field], message: `${value} is not a real date` });
      }
      if ('from' in on && on.from > on.to) ctx.addIssue({ code: 'custom', path: ['rules', i, 'on', 'to'], message: `must not be before from (${on.from})` });
    });
  });

/** `PUT /api/schedules/{id}/override`: open or closed, until a time or until cleared. */
export const overrideInputSchema = z.strictObject({
  state: z.enum(['open', 'closed']),
  until: z.iso.datetime({ offset: true }).optional(),
});

export type ScheduleInput = z.output<typeof scheduleInputSchema>;
export type ScheduleRule = z.output<typeof scheduleRuleSchema>;

/** An override as stored: who set it and how are for the dashboard and the answer to a text. */
export interface ScheduleOverride {
  state: 'open' | 'closed';
  /** ISO time; absent: until cleared. */
  until?: string;
  setAt?: string;
  /** `api`, or `sms:<user id>`. */
  setBy?: string;
}

export interface Schedule {
  id: string;
  name: string;
  timezone: string;
  weekly: Weekly;
  rules: ScheduleRule[];
  /** Only while it is active, in what the admin API answers; the evaluator ignores an expired one anyway. */
  override?: ScheduleOverride;
}

// ---------------------------------------------------------------------------------------------------
// Validity of hours, shared with the checker (inline hours are checked there, schedules here).

export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false; // RangeError: Intl does not know the zone
  }
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** What is wrong with one day's ranges: each inverted range, then each overlap between the sound ones. */
export function badRanges(ranges: ReadonlyArray<readonly [string, string]>): string[] {
  const messages: string[] = [];
  const sound: Array<readonly [string, string]> = [];
  for (const range of ranges) {
    const [open, close] = range;
    if (open === '24:00') {
      messages.push(`the range ["${open}","${close}"] opens at 24:00, the end of the day; open at 00:00 instead.`);
    } else if (minutes(close) <= minutes(open)) {
      messages.push(`the range ["${open}","${close}"] closes before it opens or at the same time; ` +
        'a range past midnight is written as two ranges on two days.');
    } else {
      sound.push(range);
    }
  }
  // Sorted by opening time, two ranges overlap when one opens before the previous one closes;
  // touching ranges (12:00-13:00, 13:00-17:00) are fine.
  sound.sort((a, b) => minutes(a[0]) - minutes(b[0]));
  let latest = sound[0];
  for (const range of sound.slice(1)) {
    if (minutes(range[0]) < minutes(latest[1])) {
      messages.push(`the ranges ["${latest[0]}","${latest[1]}"] and ["${range[0]}","${range[1]}"] overlap.`);
    }
    if (minutes(range[1]) > minutes(latest[1])) latest = range;
  }
  return messages;
}

/** "YYYY-MM-DD" or "--MM-DD" (every year: 29 February is allowed, it exists in leap years). */
export function isRealDate(date: string): boolean {
  const year = date.startsWith('--') ? 2000 : Number(date.slice(0, 4)); // 2000 is a leap year
  const month = Number(date.slice(-5, -3));
  const day = Number(date.slice(-2));
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A schedule that is never open: no weekly range, no rule with hours, and no open override. */
export function isNeverOpen(schedule: Pick<Schedule, 'weekly' | 'rules'>): boolean {
  return !DAYS.some((day: Day) => schedule.weekly[day].length > 0) && !schedule.rules.some((r) => (r.hours?.length ?? 0) > 0);
}

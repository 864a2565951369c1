// Properties of the hours evaluator with schedules (lambdas/flows/hours.ts), over random instants, time
// zones, weekly ranges and rules: checked against definitions written another way (a calendar count, the
// local date), not against a copy of the code.
import fc from 'fast-check';
import { daysInMonth, instantAt, isOpen, localTime, nextWallTime, ruleMatches } from '../../lambdas/flows/hours';
import type { Schedule, ScheduleRule } from '../../lambdas/flows/schedule';
import { DAYS, type Day } from '../../lambdas/flows/schema';

const ZONES = ['America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Auckland', 'America/Santiago', 'Australia/Lord_Howe', 'UTC'];
const zoneArb = fc.constantFrom(...ZONES);
/** Whole minutes between 2020 and 2035: every DST change of those years is in range. */
const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2035, 11, 31) / 60_000 }).map((m) => new Date(m * 60_000));
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
/** One sound range of a day (the evaluator's ranges are validated on save). */
const rangeArb = fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 1440 })).filter(([a, b]) => a < b).map(([a, b]) => [hhmm(a), hhmm(b)] as [string, string]);
const weeklyArb = fc.record(Object.fromEntries(DAYS.map((d) => [d, fc.array(rangeArb, { maxLength: 1 })])) as Record<Day, fc.Arbitrary<[string, string][]>>);
const scheduleArb = fc.record({ timezone: zoneArb, weekly: weeklyArb }).map((s): Schedule => ({ id: 'sch_p', name: 'P', rules: [], ...s }));

test('the nth weekday rule names exactly the nth such day of the month (counted on a calendar), and -1 the last', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1990, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(...DAYS), fc.constantFrom(1, 2, 3, 4, 5, -1), (year, month, weekday, n) => {
      // The month's days that fall on `weekday`, from the calendar (UTC dates: no time zone involved).
      const same: number[] = [];
      for (let d = 1; d <= daysInMonth(year, month); d++) {
        const day = DAYS[(new Date(Date.UTC(year, month - 1, d)).getUTCDay() + 6) % 7];
        if (day === weekday) same.push(d);
      }
      const expected = n === -1 ? same[same.length - 1] : same[n - 1];
      const matching: number[] = [];
      for (let d = 1; d <= daysInMonth(year, month); d++) {
        const date = `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        const day = DAYS[(new Date(Date.UTC(year, month - 1, d)).getUTCDay() + 6) % 7];
        if (ruleMatches({ on: { nth: { month, weekday, n } } }, { date, day })) matching.push(d);
      }
      expect(matching).toEqual(expected === undefined ? [] : [expected]);
    }),
    { numRuns: 500 },
  );
});

test('a closed-all-day rule on an instant’s local date closes it; a rule on another date changes nothing', () => {
  fc.assert(
    fc.property(scheduleArb, instantArb, fc.integer({ min: 1, max: 400 }), (schedule, now, away) => {
      const local = localTime(schedule.timezone, now)!;
      const closedToday: ScheduleRule = { name: 'today', on: { date: local.date } };
      expect(isOpen({ ...schedule, rules: [closedToday] }, now)).toBe(false);
      const other = new Date(Date.parse(`${local.date}T12:00:00Z`) + away * 86_400_000).toISOString().slice(0, 10);
      expect(isOpen({ ...schedule, rules: [{ name: 'other', on: { date: other } }] }, now)).toBe(isOpen(schedule, now));
    }),
  );
});

test('a rule with hours decides that local day alone, whatever the week says', () => {
  fc.assert(
    fc.property(scheduleArb, instantArb, rangeArb, (schedule, now, range) => {
      const local = localTime(schedule.timezone, now)!;
      const [open, close] = range.map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
      const rules: ScheduleRule[] = [{ name: 'today', on: { yearly: `-${local.date.slice(4)}` }, hours: [range] }];
      expect(isOpen({ ...schedule, rules }, now)).toBe(open <= local.minutes && local.minutes < close);
    }),
  );
});

test('an active override decides alone; once `until` has passed the schedule decides as if there were none', () => {
  fc.assert(
    fc.property(scheduleArb, instantArb, fc.constantFrom<'open' | 'closed'>('open', 'closed'), fc.integer({ min: -10_000, max: 10_000 }), (schedule, now, state, minutes) => {
      const until = new Date(now.getTime() + minutes * 60_000).toISOString();
      const overridden = { ...schedule, override: { state, until } };
      expect(isOpen(overridden, now)).toBe(minutes > 0 ? state === 'open' : isOpen(schedule, now));
      expect(isOpen({ ...schedule, override: { state } }, now)).toBe(state === 'open');
    }),
  );
});

test('every instant’s wall time maps back to the first instant showing it (instantAt), at or before it', () => {
  fc.assert(
    fc.property(zoneArb, instantArb, (zone, now) => {
      const local = localTime(zone, now)!;
      const back = instantAt(zone, local.date, local.minutes)!;
      expect(back.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(localTime(zone, back)).toEqual(local);
      // Nothing earlier by a minute shows the same wall time unless it is a repeated hour's first pass.
      expect(now.getTime() - back.getTime()).toBeLessThanOrEqual(60 * 60_000);
    }),
    { numRuns: 300 },
  );
});

test('"until HH:MM" is the next time the zone’s clock shows it: after now, within a day, on that wall time (or past a skipped hour)', () => {
  fc.assert(
    fc.property(zoneArb, instantArb, fc.integer({ min: 0, max: 1439 }), (zone, now, minutes) => {
      const until = nextWallTime(zone, hhmm(minutes), now)!;
      expect(until.getTime()).toBeGreaterThan(now.getTime());
      expect(until.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3600_000);
      const shown = localTime(zone, until)!.minutes;
      // Exactly the time asked, unless that time was skipped by a clock change (then just past the gap).
      expect(shown === minutes || (shown > minutes && shown - minutes <= 60)).toBe(true);
    }),
    { numRuns: 300 },
  );
});

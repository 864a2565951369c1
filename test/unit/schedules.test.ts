// Shared schedules (DESIGN.md section 15), decided by the one hours evaluator (lambdas/flows/hours.ts):
// dated rules (a date, a yearly date, the nth weekday of a month, a date range) win over the weekly
// ranges, the override wins over both and expires by itself; all in the schedule's own time zone.
import { appletIsOpen, instantAt, isOpen, localTime, nextWallTime, ruleMatches, type HoursRules } from '../../lambdas/flows/hours';
import { scheduleInputSchema, type Schedule, type ScheduleRule } from '../../lambdas/flows/schedule';
import { appletSchema, type AppletOf } from '../../lambdas/flows/schema';

const closedWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const nineToFive: [string, string][] = [['09:00', '17:00']];
const weekdays = { ...closedWeek, mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive };
const schedule = (rules: ScheduleRule[], over: Partial<Schedule> = {}): Schedule => ({
  id: 'sch_office',
  name: 'Office',
  timezone: 'America/New_York',
  weekly: weekdays,
  rules,
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('the nth weekday of a month', () => {
  const thanksgiving = schedule([{ name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } }]);

  test('the 4th Thursday of November 2026 is the 26th: closed at noon; the 19th is open', () => {
    expect(isOpen(thanksgiving, at('2026-11-26T17:00:00Z'))).toBe(false); // Thu 26 Nov 12:00 EST
    expect(isOpen(thanksgiving, at('2026-11-19T17:00:00Z'))).toBe(true); // Thu 19 Nov 12:00 EST
    expect(isOpen(thanksgiving, at('2026-11-27T17:00:00Z'))).toBe(true); // the Friday after
  });

  test('the rule follows the calendar every year (2027: the 25th)', () => {
    expect(isOpen(thanksgiving, at('2027-11-25T17:00:00Z'))).toBe(false);
    expect(isOpen(thanksgiving, at('2027-11-18T17:00:00Z'))).toBe(true);
  });

  test('the last Monday of May (n = -1): 25 May 2026, 31 May 2027', () => {
    const memorial = schedule([{ name: 'Memorial Day', on: { nth: { month: 5, weekday: 'mon', n: -1 } } }]);
    expect(isOpen(memorial, at('2026-05-25T16:00:00Z'))).toBe(false);
    expect(isOpen(memorial, at('2026-05-18T16:00:00Z'))).toBe(true);
    expect(isOpen(memorial, at('2027-05-31T16:00:00Z'))).toBe(false);
    expect(isOpen(memorial, at('2027-05-24T16:00:00Z'))).toBe(true);
  });

  test('a 5th weekday that a month does not have never matches that year', () => {
    // February 2026 has four Mondays (2, 9, 16, 23); March 2026 has five (2 ... 30).
    const fifthMonday = (month: number) => ({ on: { nth: { month, weekday: 'mon' as const, n: 5 } } });
    const feb = ['2026-02-02', '2026-02-09', '2026-02-16', '2026-02-23'];
    expect(feb.filter((date) => ruleMatches(fifthMonday(2), { date, day: 'mon' }))).toEqual([]);
    expect(ruleMatches(fifthMonday(3), { date: '2026-03-30', day: 'mon' })).toBe(true);
    expect(ruleMatches(fifthMonday(3), { date: '2026-03-23', day: 'mon' })).toBe(false);
  });
});

describe('rules with hours', () => {
  const christmasEve = schedule([{ name: 'Christmas Eve', on: { yearly: '--12-24' }, hours: [['09:00', '13:00']] }]);

  test('"24 Dec closes at 13:00": open at 12:59, closed from 13:00, every year', () => {
    expect(isOpen(christmasEve, at('2026-12-24T17:59:00Z'))).toBe(true); // Thu 12:59 EST
    expect(isOpen(christmasEve, at('2026-12-24T18:00:00Z'))).toBe(false); // 13:00
    expect(isOpen(christmasEve, at('2026-12-24T21:00:00Z'))).toBe(false); // 16:00: weekly would be open
    expect(isOpen(christmasEve, at('2027-12-24T17:00:00Z'))).toBe(true); // Fri 2027, 12:00
    expect(isOpen(christmasEve, at('2027-12-24T19:00:00Z'))).toBe(false); // 14:00
  });

  test('a rule may open a day the week keeps closed (a Saturday sale)', () => {
    const sale = schedule([{ name: 'Sale', on: { date: '2026-11-28' }, hours: [['10:00', '14:00']] }]);
    expect(isOpen(sale, at('2026-11-28T16:00:00Z'))).toBe(true); // Sat 11:00
    expect(isOpen(sale, at('2026-12-05T16:00:00Z'))).toBe(false); // next Saturday: weekly
  });

  test('a one-day rule wins over a date range it falls in; the range holds on its other days', () => {
    const holidays = schedule([
      { name: 'Winter break', on: { from: '2026-12-23', to: '2027-01-01' } },
      { name: 'Christmas Eve', on: { yearly: '--12-24' }, hours: [['09:00', '13:00']] },
    ]);
    expect(isOpen(holidays, at('2026-12-23T15:00:00Z'))).toBe(false); // Wed 10:00, in the break
    expect(isOpen(holidays, at('2026-12-24T15:00:00Z'))).toBe(true); // Thu 10:00, the one-day rule
    expect(isOpen(holidays, at('2027-01-01T15:00:00Z'))).toBe(false); // the range's last day, inclusive
    expect(isOpen(holidays, at('2027-01-04T15:00:00Z'))).toBe(true); // Mon after
  });

  test('between one-day rules for the same day, the first listed wins', () => {
    const both = schedule([
      { name: 'Closed', on: { date: '2026-12-24' } },
      { name: 'Half day', on: { yearly: '--12-24' }, hours: [['09:00', '13:00']] },
    ]);
    expect(isOpen(both, at('2026-12-24T15:00:00Z'))).toBe(false);
  });

  test('a rule decides by the local date, not UTC’s', () => {
    const eve = schedule([{ name: 'Closed', on: { date: '2026-12-24' } }], { weekly: { ...closedWeek, thu: [['00:00', '24:00']], fri: [['00:00', '24:00']] } });
    expect(isOpen(eve, at('2026-12-25T04:30:00Z'))).toBe(false); // still Thu 24th 23:30 in New York
    expect(isOpen(eve, at('2026-12-25T05:00:00Z'))).toBe(true); // Fri 25th 00:00
  });
});

describe('daylight saving in the schedule’s time zone', () => {
  test('Europe/London, fall back (2026-10-25): a rule open 00:00-01:30 is open in both 01:15s and closed at 01:45 BST', () => {
    const night = schedule([{ name: 'Clock change', on: { date: '2026-10-25' }, hours: [['00:00', '01:30']] }], { timezone: 'Europe/London', weekly: closedWeek });
    expect(isOpen(night, at('2026-10-25T00:15:00Z'))).toBe(true); // 01:15 BST
    expect(isOpen(night, at('2026-10-25T00:45:00Z'))).toBe(false); // 01:45 BST
    expect(isOpen(night, at('2026-10-25T01:15:00Z'))).toBe(true); // 01:15 GMT, the second time
    expect(isOpen(night, at('2026-10-25T01:45:00Z'))).toBe(false);
  });

  test('America/New_York, spring forward (2026-03-08): a rule closing at 03:00 loses the skipped hour', () => {
    const early = schedule([{ name: 'Short night', on: { date: '2026-03-08' }, hours: [['01:00', '03:00']] }], { weekly: closedWeek });
    expect(isOpen(early, at('2026-03-08T06:59:00Z'))).toBe(true); // 01:59 EST
    expect(isOpen(early, at('2026-03-08T07:00:00Z'))).toBe(false); // 03:00 EDT: the hour in between never happened
  });

  test('"until 03:00" on a spring-forward night is 03:00 EDT; 02:30 does not exist and is read as 03:30', () => {
    expect(nextWallTime('America/New_York', '03:00', at('2026-03-08T06:00:00Z'))).toEqual(at('2026-03-08T07:00:00Z'));
    expect(instantAt('America/New_York', '2026-03-08', 2 * 60 + 30)).toEqual(at('2026-03-08T07:30:00Z'));
  });

  test('"until 01:30" on a fall-back night is the first 01:30 (EDT)', () => {
    expect(nextWallTime('America/New_York', '01:30', at('2026-11-01T04:00:00Z'))).toEqual(at('2026-11-01T05:30:00Z'));
  });

  test('"until 14:00" after 14:00 is tomorrow’s', () => {
    expect(nextWallTime('Europe/London', '14:00', at('2026-06-01T12:59:00Z'))).toEqual(at('2026-06-01T13:00:00Z'));
    expect(nextWallTime('Europe/London', '14:00', at('2026-06-01T13:00:00Z'))).toEqual(at('2026-06-02T13:00:00Z'));
  });
});

describe('the override', () => {
  const rules: ScheduleRule[] = [{ name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } }];

  test('closed until a time: closed before it, the schedule again from it (expires by itself)', () => {
    const storm = schedule(rules, { override: { state: 'closed', until: '2026-11-19T19:00:00Z' } });
    expect(isOpen(storm, at('2026-11-19T17:00:00Z'))).toBe(false);
    expect(isOpen(storm, at('2026-11-19T19:00:00Z'))).toBe(true);
  });

  test('without until it lasts until cleared', () => {
    const closed = schedule(rules, { override: { state: 'closed' } });
    expect(isOpen(closed, at('2030-06-03T15:00:00Z'))).toBe(false);
  });

  test('open wins over a closing rule and over the night', () => {
    const open = schedule(rules, { override: { state: 'open', until: '2026-11-27T00:00:00Z' } });
    expect(isOpen(open, at('2026-11-26T17:00:00Z'))).toBe(true); // Thanksgiving noon
    expect(isOpen(open, at('2026-11-26T04:00:00Z'))).toBe(true); // 23:00 the night before
  });
});

describe('the hours applet: inline or a shared schedule', () => {
  const shared = appletSchema.parse({ type: 'hours', schedule: 'sch_office', open: 'a', closed: 'b' }) as AppletOf<'hours'>;
  const office = schedule([{ name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } }]);

  test('a schedule applet decides by the schedule it names', () => {
    const schedules = new Map([[office.id, office]]);
    expect(appletIsOpen(shared, schedules, at('2026-11-19T17:00:00Z'))).toBe(true);
    expect(appletIsOpen(shared, schedules, at('2026-11-26T17:00:00Z'))).toBe(false);
  });

  test('a schedule that is not there (not loaded, or gone) is closed: the safe side', () => {
    expect(appletIsOpen(shared, new Map(), at('2026-11-19T17:00:00Z'))).toBe(false);
    expect(appletIsOpen(shared, undefined, at('2026-11-19T17:00:00Z'))).toBe(false);
  });

  test('inline hours need no schedules', () => {
    const inline = appletSchema.parse({ type: 'hours', timezone: 'America/New_York', weekly: weekdays }) as AppletOf<'hours'>;
    expect(appletIsOpen(inline, undefined, at('2026-11-26T17:00:00Z'))).toBe(true);
  });
});

describe('what a schedule may hold (a 400 names the field)', () => {
  const issues = (input: unknown) => scheduleInputSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  const valid = { name: 'Office', timezone: 'America/New_York', weekly: weekdays };

  test('a valid schedule parses, rules default to none', () => {
    expect(scheduleInputSchema.parse(valid).rules).toEqual([]);
  });

  test.each([
    [{ ...valid, timezone: 'Mars/Olympus_Mons' }, /^timezone: must be an IANA time zone/],
    [{ ...valid, weekly: { ...weekdays, mon: [['17:00', '09:00']] } }, /^weekly\.mon: the range \["17:00","09:00"\] closes before it opens/],
    [{ ...valid, rules: [{ name: 'x', on: { date: '2026-02-30' } }] }, /^rules\.0\.on\.date: 2026-02-30 is not a real date/],
    [{ ...valid, rules: [{ name: 'x', on: { from: '2026-12-31', to: '2026-12-01' } }] }, /^rules\.0\.on\.to: must not be before from/],
    [{ ...valid, rules: [{ name: 'x', on: { nth: { month: 13, weekday: 'thu', n: 4 } } }] }, /^rules\.0\.on/],
    [{ ...valid, rules: [{ name: 'x', on: { nth: { month: 11, weekday: 'thu', n: 0 } } }] }, /^rules\.0\.on/],
    [{ ...valid, rules: [{ name: 'x', on: { yearly: '12-24' } }] }, /^rules\.0\.on/],
    [{ ...valid, rules: [{ name: 'x', on: { date: '2026-12-24' }, hours: [['09:00', '13:00'], ['12:00', '14:00']] }] }, /^rules\.0\.hours: the ranges .* overlap/],
    [{ ...valid, override: { state: 'closed' } }, /^: Unrecognized key|override/],
  ])('%j is refused', (input, message) => {
    expect(issues(input).join('\n')).toMatch(message);
  });

  test('29 February every year is a real date (it exists in leap years)', () => {
    expect(issues({ ...valid, rules: [{ name: 'Leap', on: { yearly: '--02-29' } }] })).toEqual([]);
  });
});

test('an hours applet names a schedule or carries inline hours, not both, and not neither', () => {
  const messages = (input: unknown) => appletSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(messages({ type: 'hours', schedule: 'sch_1', weekly: weekdays })).toEqual([expect.stringMatching(/^weekly: not allowed with `schedule`/)]);
  expect(messages({ type: 'hours' })).toEqual([expect.stringMatching(/^timezone: required/)]);
});

test('inline hours still read as before: local time and closures', () => {
  const inline: HoursRules = { timezone: 'America/New_York', weekly: weekdays, closures: [{ date: '--12-25' }] };
  expect(isOpen(inline, at('2026-12-25T15:00:00Z'))).toBe(false);
  expect(localTime('America/New_York', at('2026-12-25T15:00:00Z'))?.day).toBe('fri');
});

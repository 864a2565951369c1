// Business hours, decided in the flow's time zone with daylight saving included (DESIGN.md section 3).
import { isOpen, localTime, type HoursRules } from '../../lambdas/flows/hours';

const closedWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
type Week = HoursRules['weekly'];
const hours = (over: Partial<Omit<HoursRules, 'weekly'>> & { weekly?: Partial<Week> } = {}): HoursRules => ({
  timezone: 'America/New_York',
  closures: [],
  ...over,
  weekly: { ...closedWeek, ...over.weekly },
});
const at = (iso: string) => new Date(iso);

describe('weekly ranges', () => {
  const split = hours({ weekly: { tue: [['09:00', '12:00'], ['13:00', '17:00']] } });

  test.each([
    ['2026-03-03T13:59:00Z', false, '08:59 before opening'],
    ['2026-03-03T14:00:00Z', true, '09:00 opening minute'],
    ['2026-03-03T16:59:59Z', true, '11:59:59'],
    ['2026-03-03T17:00:00Z', false, '12:00 lunch (close is exclusive)'],
    ['2026-03-03T18:00:00Z', true, '13:00 after lunch'],
    ['2026-03-03T21:59:00Z', true, '16:59'],
    ['2026-03-03T22:00:00Z', false, '17:00 closed'],
    ['2026-03-04T15:00:00Z', false, 'Wednesday: no ranges'],
  ])('%s → %p (%s local)', (iso, open) => {
    expect(isOpen(split, at(iso))).toBe(open);
  });

  test('the weekday is the local one, not UTC’s', () => {
    // Tuesday 2026-03-03 23:30 in New York is already Wednesday 04:30 UTC.
    const lateTuesday = hours({ weekly: { tue: [['20:00', '24:00']] } });
    expect(isOpen(lateTuesday, at('2026-03-04T04:30:00Z'))).toBe(true);
  });

  test('24:00 closes at the end of the day; the next day starts closed', () => {
    const evenings = hours({ weekly: { fri: [['18:00', '24:00']] } });
    expect(isOpen(evenings, at('2026-03-07T04:59:00Z'))).toBe(true); // Fri 23:59
    expect(isOpen(evenings, at('2026-03-07T05:00:00Z'))).toBe(false); // Sat 00:00
  });

  test('00:00-24:00 is open all day', () => {
    const allDay = hours({ weekly: { mon: [['00:00', '24:00']] } });
    expect(isOpen(allDay, at('2026-03-02T05:00:00Z'))).toBe(true); // Mon 00:00
    expect(isOpen(allDay, at('2026-03-03T04:59:00Z'))).toBe(true); // Mon 23:59
  });
});

describe('daylight saving (America/New_York)', () => {
  const weekends = hours({ weekly: { sat: [['09:00', '17:00']], sun: [['09:00', '17:00']] } });

  test('spring forward on 2026-03-08: the same UTC time is an hour later locally', () => {
    expect(isOpen(weekends, at('2026-03-07T13:30:00Z'))).toBe(false); // Sat 08:30 EST
    expect(isOpen(weekends, at('2026-03-08T13:30:00Z'))).toBe(true); // Sun 09:30 EDT
    expect(isOpen(weekends, at('2026-03-08T12:59:00Z'))).toBe(false); // Sun 08:59 EDT
    expect(isOpen(weekends, at('2026-03-08T20:59:00Z'))).toBe(true); // Sun 16:59 EDT
    expect(isOpen(weekends, at('2026-03-08T21:00:00Z'))).toBe(false); // Sun 17:00 EDT
  });

  test('the skipped hour 02:00-03:00 never happens on 2026-03-08', () => {
    expect(localTime('America/New_York', at('2026-03-08T06:59:00Z'))).toEqual({ date: '2026-03-08', day: 'sun', minutes: 1 * 60 + 59 });
    expect(localTime('America/New_York', at('2026-03-08T07:00:00Z'))).toEqual({ date: '2026-03-08', day: 'sun', minutes: 3 * 60 });
    const skipped = hours({ weekly: { sun: [['02:00', '03:00']] } });
    expect(isOpen(skipped, at('2026-03-08T06:59:00Z'))).toBe(false);
    expect(isOpen(skipped, at('2026-03-08T07:00:00Z'))).toBe(false);
  });

  test('fall back on 2026-11-01: the same UTC time is an hour earlier locally', () => {
    expect(isOpen(weekends, at('2026-10-31T13:30:00Z'))).toBe(true); // Sat 09:30 EDT
    expect(isOpen(weekends, at('2026-11-01T13:30:00Z'))).toBe(false); // Sun 08:30 EST
    expect(isOpen(weekends, at('2026-11-01T14:00:00Z'))).toBe(true); // Sun 09:00 EST
    expect(isOpen(weekends, at('2026-11-01T21:59:00Z'))).toBe(true); // Sun 16:59 EST
    expect(isOpen(weekends, at('2026-11-01T22:00:00Z'))).toBe(false); // Sun 17:00 EST
  });

  test('the repeated hour 01:00-02:00 on 2026-11-01 is open both times', () => {
    const night = hours({ weekly: { sun: [['01:00', '02:00']] } });
    expect(isOpen(night, at('2026-11-01T05:30:00Z'))).toBe(true); // 01:30 EDT
    expect(isOpen(night, at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(isOpen(night, at('2026-11-01T07:30:00Z'))).toBe(false); // 02:30 EST
  });

  test('another zone changes on its own dates (Europe/Paris, 2026-03-29)', () => {
    const paris = hours({ timezone: 'Europe/Paris', weekly: { sat: [['09:00', '17:00']], sun: [['09:00', '17:00']] } });
    expect(isOpen(paris, at('2026-03-28T07:30:00Z'))).toBe(false); // Sat 08:30 CET
    expect(isOpen(paris, at('2026-03-29T07:30:00Z'))).toBe(true); // Sun 09:30 CEST
  });
});

describe('closures', () => {
  const everyDay = hours({
    weekly: Object.fromEntries(Object.keys(closedWeek).map((d) => [d, [['00:00', '24:00']]])) as Week,
    closures: [{ date: '2026-12-24', name: 'Christmas Eve' }, { date: '--01-01', name: 'New Year' }],
  });

  test('a dated closure is closed all day, by the local date', () => {
    expect(isOpen(everyDay, at('2026-12-24T05:00:00Z'))).toBe(false); // 00:00 local
    expect(isOpen(everyDay, at('2026-12-25T03:00:00Z'))).toBe(false); // still 22:00 on the 24th locally
    expect(isOpen(everyDay, at('2026-12-25T05:00:00Z'))).toBe(true); // 00:00 on the 25th
    expect(isOpen(everyDay, at('2027-12-24T15:00:00Z'))).toBe(true); // only that year
  });

  test('a yearly closure (--MM-DD) is closed every year', () => {
    expect(isOpen(everyDay, at('2026-01-01T15:00:00Z'))).toBe(false);
    expect(isOpen(everyDay, at('2027-01-01T15:00:00Z'))).toBe(false);
    expect(isOpen(everyDay, at('2031-01-01T23:00:00Z'))).toBe(false);
    expect(isOpen(everyDay, at('2027-01-02T15:00:00Z'))).toBe(true);
  });
});

describe('override', () => {
  const nineToFive = hours({ weekly: { mon: [['09:00', '17:00']] } });

  test('an open override opens a closed time while it lasts', () => {
    const opened = { ...nineToFive, override: { state: 'open' as const, until: '2026-03-03T03:00:00Z' } };
    expect(isOpen(opened, at('2026-03-02T23:00:00Z'))).toBe(true); // Mon 18:00, override active
    expect(isOpen(opened, at('2026-03-03T03:00:00Z'))).toBe(false); // at `until` it is over
  });

  test('a closed override closes an open time, and the schedule resumes after it', () => {
    const closed = { ...nineToFive, override: { state: 'closed' as const, until: '2026-03-02T16:00:00-05:00' } };
    expect(isOpen(closed, at('2026-03-02T15:00:00Z'))).toBe(false); // Mon 10:00
    expect(isOpen(closed, at('2026-03-02T21:30:00Z'))).toBe(true); // Mon 16:30, override ended at 16:00
  });

  test('an override wins over a closure', () => {
    const holidayOpen = hours({
      weekly: { fri: [['09:00', '17:00']] },
      closures: [{ date: '2026-12-25' }],
      override: { state: 'open', until: '2026-12-26T00:00:00Z' },
    });
    expect(isOpen(holidayOpen, at('2026-12-25T15:00:00Z'))).toBe(true);
  });
});

test('an unknown time zone is treated as closed', () => {
  const bad = hours({ timezone: 'Mars/Olympus_Mons', weekly: { mon: [['00:00', '24:00']] } });
  expect(isOpen(bad, at('2026-03-02T15:00:00Z'))).toBe(false);
  expect(localTime('Mars/Olympus_Mons', at('2026-03-02T15:00:00Z'))).toBeUndefined();
});

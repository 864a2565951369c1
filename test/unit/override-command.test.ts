// The words of a text that closes or opens a schedule (DESIGN.md section 15), the override it sets, the
// answers, and the PIN's hash (pins.ts): the pure parts of webhooks/override-by-text.ts.
import { changedAnswer, findSchedule, maskPin, overrideFor, parseOverrideCommand } from '../../lambdas/flows/override-command';
import type { Schedule } from '../../lambdas/flows/schedule';
import { hashPin, verifyPin } from '../../lambdas/store/pins';

describe('reading the text', () => {
  test.each([
    ['CLOSE Main office 482913', { verb: 'close', schedule: 'Main office', pin: '482913' }],
    ['close main office until 14:00 482913', { verb: 'close', schedule: 'main office', until: '14:00', pin: '482913' }],
    ['  Close   Main   office  UNTIL 9:30   4829 ', { verb: 'close', schedule: 'Main office', until: '09:30', pin: '4829' }],
    ['OPEN sch_0123456789ab 000000000000', { verb: 'open', schedule: 'sch_0123456789ab', pin: '000000000000' }],
    ['OPEN Warehouse until 18.00 123456', { verb: 'open', schedule: 'Warehouse', until: '18:00', pin: '123456' }],
    // "until" with no time that reads as one is part of the name: nothing matches, the sender is told.
    ['CLOSE Office until 2pm 123456', { verb: 'close', schedule: 'Office until 2pm', pin: '123456' }],
    ['CLOSE until 14:00 482913', { verb: 'close', schedule: 'until 14:00', pin: '482913' }],
  ])('%j', (body, command) => {
    expect(parseOverrideCommand(body)).toEqual(command);
  });

  test.each([
    'Close the door please', // no PIN-shaped last word
    'CLOSE 482913', // no schedule
    'SHUT Main office 482913', // another first word
    'CLOSE Main office 123', // too short for a PIN
    'CLOSE Main office 1234567890123', // too long
    'Hello',
    '',
  ])('%j is not a command', (body) => {
    expect(parseOverrideCommand(body)).toBeUndefined();
  });

  test('the PIN is hidden in what is kept', () => {
    expect(maskPin('CLOSE Main office until 14:00 482913 ')).toBe('CLOSE Main office until 14:00 ••••');
  });
});

const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  id: 'sch_1',
  name: 'Main office',
  timezone: 'Europe/London',
  weekly: { mon: [['09:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  rules: [],
  ...over,
});

test('a schedule is found by id or by name, case and spacing aside; repeated names are ambiguous', () => {
  const list = [schedule(), schedule({ id: 'sch_2', name: 'Warehouse' }), schedule({ id: 'sch_3', name: 'warehouse' })];
  expect(findSchedule(list, 'main  OFFICE')).toEqual({ found: list[0] });
  expect(findSchedule(list, 'sch_3')).toEqual({ found: list[2] });
  expect(findSchedule(list, 'Warehouse')).toEqual({ ambiguous: [list[1], list[2]] });
  expect(findSchedule(list, 'Head office')).toBeUndefined();
});

describe('the override a command sets', () => {
  const mondayMorning = new Date('2026-06-01T09:00:00Z'); // 10:00 BST

  test('CLOSE until HH:MM: closed until the next HH:MM on the schedule’s clock (today’s, or tomorrow’s once passed)', () => {
    expect(overrideFor({ verb: 'close', until: '14:00' }, 'Europe/London', mondayMorning)).toEqual({ state: 'closed', until: '2026-06-01T13:00:00.000Z' });
    expect(overrideFor({ verb: 'close', until: '08:00' }, 'Europe/London', mondayMorning)).toEqual({ state: 'closed', until: '2026-06-02T07:00:00.000Z' });
  });

  test('CLOSE alone: until cleared; OPEN alone: clears; OPEN until: open until then', () => {
    expect(overrideFor({ verb: 'close' }, 'Europe/London', mondayMorning)).toEqual({ state: 'closed' });
    expect(overrideFor({ verb: 'open' }, 'Europe/London', mondayMorning)).toBeUndefined();
    expect(overrideFor({ verb: 'open', until: '20:00' }, 'Europe/London', mondayMorning)).toEqual({ state: 'open', until: '2026-06-01T19:00:00.000Z' });
  });

  test('the answer says what changed, in the schedule’s time', () => {
    const now = mondayMorning;
    expect(changedAnswer(schedule(), { state: 'closed', until: '2026-06-02T07:00:00.000Z' }, undefined, now)).toBe(
      'Main office is now closed until Tue 08:00 (Europe/London): calls and texts take its closed branch. Then its hours apply again.',
    );
    expect(changedAnswer(schedule(), undefined, { state: 'closed' }, now)).toBe('Main office: the closed override is cleared; it follows its hours again (open now).');
    expect(changedAnswer(schedule(), undefined, undefined, new Date('2026-06-01T18:00:00Z'))).toMatch(/^Main office had no override; it follows its hours \(closed now\)/);
  });
});

describe('PIN hashes', () => {
  test('the right PIN verifies, a wrong one or a malformed hash does not', async () => {
    const stored = await hashPin('482913');
    expect(await verifyPin('482913', stored)).toBe(true);
    expect(await verifyPin('482914', stored)).toBe(false);
    expect(await verifyPin('482913', undefined)).toBe(false);
    expect(await verifyPin('482913', 'plain:482913')).toBe(false);
    expect(await verifyPin('482913', stored.replace(/\$[^$]+$/, '$short'))).toBe(false);
  });
});

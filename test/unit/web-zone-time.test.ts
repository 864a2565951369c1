// The simulator's clock in the flow's zone (issue 20 item 5): wall-clock times there and instants, both ways,
// across daylight saving.
import { flowZone, instantOf, wallClock } from '../../web/src/zone-time';

test('10:00 on a Monday in New York is 15:00 UTC in winter and 14:00 in summer', () => {
  expect(instantOf('2026-12-07T10:00', 'America/New_York').toISOString()).toBe('2026-12-07T15:00:00.000Z');
  expect(instantOf('2026-07-06T10:00', 'America/New_York').toISOString()).toBe('2026-07-06T14:00:00.000Z');
  expect(instantOf('2026-07-06T10:00', 'Asia/Kolkata').toISOString()).toBe('2026-07-06T04:30:00.000Z');
});

test('round trips: the wall clock of the instant is the time typed', () => {
  for (const zone of ['Europe/Paris', 'America/Los_Angeles', 'Australia/Lord_Howe', 'UTC']) {
    for (const local of ['2026-01-15T08:30', '2026-06-30T23:45', '2026-03-29T12:00']) expect(wallClock(instantOf(local, zone), zone)).toBe(local);
  }
});

test('the hour that happens twice is its first time; the hour that never happens moves on by the gap', () => {
  // New York, 1 November 2026: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
  expect(instantOf('2026-11-01T01:30', 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
  // 8 March 2026: 02:30 does not exist; it is read as 03:30 EDT.
  expect(wallClock(instantOf('2026-03-08T02:30', 'America/New_York'), 'America/New_York')).toBe('2026-03-08T03:30');
});

test("the flow's zone is its first hours applet's, the call part first", () => {
  expect(flowZone({ call: { applets: { a: { type: 'say' }, h: { type: 'hours', timezone: 'Europe/Paris' } } }, sms: { applets: { h: { type: 'hours', timezone: 'Asia/Tokyo' } } } })).toBe('Europe/Paris');
  expect(flowZone({ sms: { applets: { h: { type: 'hours', timezone: 'Asia/Tokyo' } } } })).toBe('Asia/Tokyo');
  expect(flowZone({ call: { applets: { h: { type: 'hours', timezone: 'Not/AZone' } } } })).toBeUndefined();
});

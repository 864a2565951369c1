// A time zone's offsets worked out once at publication (flows/zone-offsets.ts) tell the same local time
// as Intl does at every instant of their span, so the webhooks can skip ICU's first-use cost without
// ever answering differently.
import fc from 'fast-check';
import { localTime } from '../../lambdas/flows/hours';
import { forgetZoneOffsets, learnZoneOffsets, learnedOffset, offsetAt, timeZonesOf, zoneOffsets, type ZoneOffsets } from '../../lambdas/flows/zone-offsets';

const ZONES = [
  'America/New_York', 'Europe/London', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu',
  'America/St_Johns', 'Pacific/Chatham', 'Africa/Casablanca', 'America/Sao_Paulo', 'Pacific/Kiritimati', 'UTC',
];
const FROM = new Date('2026-06-15T10:20:30Z');
const tables = new Map<string, ZoneOffsets>(ZONES.map((zone) => [zone, zoneOffsets(zone, FROM)!]));

afterEach(forgetZoneOffsets);

test('New York: the table holds the 2026-2029 daylight-saving changes to the minute', () => {
  const ny = tables.get('America/New_York')!;
  expect(ny.changes[0]).toEqual([Date.parse('2026-06-15T10:20:00Z'), -240]);
  expect(ny.changes.slice(1, 3)).toEqual([[Date.parse('2026-11-01T06:00:00Z'), -300], [Date.parse('2027-03-14T07:00:00Z'), -240]]);
  // Two changes a year for the three years of the span.
  expect(ny.changes).toHaveLength(7);
});

test('zones without daylight saving have one entry; a zone Intl does not know has no table', () => {
  expect(tables.get('Asia/Kolkata')!.changes).toEqual([[Date.parse('2026-06-15T10:20:00Z'), 330]]);
  expect(tables.get('Pacific/Kiritimati')!.changes).toHaveLength(1);
  expect(zoneOffsets('Mars/Olympus_Mons', FROM)).toBeUndefined();
});

test('at every instant of the span, a learned table and Intl give the same local time', () => {
  const span = tables.get('UTC')!;
  fc.assert(fc.property(
    fc.constantFrom(...ZONES),
    fc.integer({ min: span.changes[0][0], max: span.until - 1 }),
    (zone, t) => {
      forgetZoneOffsets();
      const viaIntl = localTime(zone, new Date(t));
      learnZoneOffsets(tables.get(zone)!);
      expect(learnedOffset(zone, t)).toBeDefined();
      expect(localTime(zone, new Date(t))).toEqual(viaIntl);
    },
  ), { numRuns: 3000 });
});

test('around each change, a minute before and at it, the table agrees with Intl', () => {
  for (const zone of ZONES) {
    for (const [from] of tables.get(zone)!.changes.slice(1)) {
      for (const t of [from - 60_000, from, from + 59_999]) {
        forgetZoneOffsets();
        const viaIntl = localTime(zone, new Date(t));
        learnZoneOffsets(tables.get(zone)!);
        expect([zone, t, localTime(zone, new Date(t))]).toEqual([zone, t, viaIntl]);
      }
    }
  }
});

test('outside its span a table answers nothing, and local time comes from Intl as before', () => {
  const ny = tables.get('America/New_York')!;
  expect(offsetAt(ny, ny.changes[0][0] - 1)).toBeUndefined();
  expect(offsetAt(ny, ny.until)).toBeUndefined();
  // A table that lies is never consulted outside its span: the answer stays Intl's.
  learnZoneOffsets({ zone: 'America/New_York', changes: [[0, 600]], until: Date.parse('2000-01-01T00:00:00Z') });
  expect(localTime('America/New_York', new Date('2026-11-24T15:00:00Z'))).toEqual({ date: '2026-11-24', day: 'tue', minutes: 600 });
});

test('the table reaching furthest is kept for a zone', () => {
  const older = zoneOffsets('Europe/London', new Date('2026-01-01T00:00:00Z'))!;
  learnZoneOffsets(tables.get('Europe/London')!);
  learnZoneOffsets(older);
  expect(learnedOffset('Europe/London', tables.get('Europe/London')!.until - 1)).toBeDefined();
});

test("a flow's zones are its hours applets', each once, from both parts", () => {
  const hours = (timezone: string) => ({ type: 'hours', timezone });
  expect(timeZonesOf({
    call: { applets: { a: hours('Europe/London'), b: { type: 'say' }, c: hours('America/New_York') } },
    sms: { applets: { d: hours('Europe/London') } },
  })).toEqual(['Europe/London', 'America/New_York']);
  expect(timeZonesOf({})).toEqual([]);
});

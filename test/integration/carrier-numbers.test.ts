// The carrier link's numbers over the admin API, against the project's Twilio-compatible server and
// DynamoDB Local: import, connect, drift, idempotent re-sync, paging.
import type { FakeTwilio } from '../../local/fake-twilio';
import { adminHarness, type AdminHarness } from '../support/admin';
import { fakeCarrier, PUBLIC_URL } from '../support/carrier';
import { dropTestTables } from '../support/dynamo';
import { TwilioLibraryApi } from '../../lambdas/carrier/twilio-client';

const OTHER = { voiceUrl: 'https://old-pbx.example.net/voice', smsUrl: 'https://old-pbx.example.net/sms' };
const THREE = [
  { phoneNumber: '+15550300001', friendlyName: 'Front desk' },
  { phoneNumber: '+15550300002', friendlyName: 'Billing' },
  { phoneNumber: '+15550300003', friendlyName: 'Night line' },
];
const ours = { voice: `${PUBLIC_URL}/twilio/voice`, sms: `${PUBLIC_URL}/twilio/sms`, fallback: `${PUBLIC_URL}/twilio/fallback` };

let h: AdminHarness;
let fake: FakeTwilio;

beforeEach(async () => {
  h = await adminHarness();
  const carrier = await fakeCarrier();
  fake = carrier.fake;
  h.deps.carrier = carrier.link;
  for (const n of THREE) fake.addNumber({ ...n, ...OTHER });
});
afterEach(async () => {
  await fake.stop();
  await dropTestTables(h.tables);
});

const updates = () => fake.requests.filter((r) => r.method === 'POST' && /IncomingPhoneNumbers\/PN/.test(r.path));

describe('GET /api/carrier/numbers', () => {
  test('lists the account’s numbers live: unknown to Switchboard and pointing elsewhere', async () => {
    const res = await h.api('GET', '/api/carrier/numbers');
    expect(res.status).toBe(200);
    expect(res.body.numbers).toEqual(THREE.map((n) => ({
      number: n.phoneNumber, sid: fake.numberFor(n.phoneNumber)!.sid, friendlyName: n.friendlyName,
      registered: false, connected: false, voiceUrl: OTHER.voiceUrl, smsUrl: OTHER.smsUrl,
    })));
  });

  test('a registered number is registered; connected needs all four URLs with POST', async () => {
    await h.api('PUT', '/api/numbers/+15550300001', { name: 'Desk' });
    fake.changeNumber('+15550300002', { voice_url: ours.voice, sms_url: ours.sms, voice_fallback_url: ours.fallback, sms_fallback_url: ours.fallback });
    fake.changeNumber('+15550300003', { voice_url: ours.voice, sms_url: ours.sms, voice_fallback_url: ours.fallback, sms_fallback_url: null });
    const { body } = await h.api('GET', '/api/carrier/numbers');
    expect(body.numbers.map((n: { registered: boolean; connected: boolean }) => [n.registered, n.connected])).toEqual([[true, false], [false, true], [false, false]]);
  });
});

describe('POST /api/carrier/sync', () => {
  test('registers unknown numbers under their friendly names, with no flow, and points all four URLs here with POST', async () => {
    const res = await h.api('POST', '/api/carrier/sync');
    expect(res).toMatchObject({ status: 200, body: { imported: 3, connected: 3, unchanged: 0 } });
    const { body } = await h.api('GET', '/api/numbers');
    expect(body.numbers.map((n: { number: string; name: string; flowId: null; status: string }) => [n.number, n.name, n.flowId, n.status])).toEqual(
      THREE.map((n) => [n.phoneNumber, n.friendlyName, null, 'no_flow']),
    );
    for (const n of fake.listNumbers()) {
      expect(n).toMatchObject({
        voice_url: ours.voice, voice_method: 'POST', voice_fallback_url: ours.fallback, voice_fallback_method: 'POST',
        sms_url: ours.sms, sms_method: 'POST', sms_fallback_url: ours.fallback, sms_fallback_method: 'POST',
      });
    }
    const listed = await h.api('GET', '/api/carrier/numbers');
    expect(listed.body.numbers.every((n: { registered: boolean; connected: boolean }) => n.registered && n.connected)).toBe(true);
  });

  test('is idempotent: a second sync writes nothing, at the carrier or in Switchboard', async () => {
    await h.api('POST', '/api/carrier/sync');
    const before = updates().length;
    const second = await h.api('POST', '/api/carrier/sync');
    expect(second.body).toEqual({ imported: 0, connected: 0, unchanged: 3 });
    expect(updates().length).toBe(before);
    expect((await h.api('GET', '/api/numbers')).body.numbers).toHaveLength(3);
  });

  test('drift: a Voice URL changed at the carrier shows as not connected, and the next sync mends only it', async () => {
    await h.api('POST', '/api/carrier/sync');
    fake.changeNumber('+15550300002', { voice_url: 'https://someone-else.example.org/voice' });
    const listed = await h.api('GET', '/api/carrier/numbers');
    expect(listed.body.numbers.map((n: { connected: boolean }) => n.connected)).toEqual([true, false, true]);
    const before = updates().length;
    expect((await h.api('POST', '/api/carrier/sync')).body).toEqual({ imported: 0, connected: 1, unchanged: 2 });
    expect(updates().slice(before).map((r) => r.path)).toEqual([expect.stringContaining(fake.numberFor('+15550300002')!.sid)]);
    expect(fake.numberFor('+15550300002')!.voice_url).toBe(ours.voice);
    expect((await h.api('GET', '/api/numbers')).body.numbers).toHaveLength(3);
  });

  test('a number already known keeps its name and flow; only its URLs change', async () => {
    const user = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body;
    const flow = (await h.api('POST', '/api/flows', { name: 'F', call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { user: user.id } } } } })).body;
    await h.api('PUT', '/api/numbers/+15550300001', { name: 'Our desk', flowId: flow.id });
    expect((await h.api('POST', '/api/carrier/sync')).body).toEqual({ imported: 2, connected: 3, unchanged: 0 });
    expect((await h.api('GET', '/api/numbers/+15550300001')).body).toMatchObject({ name: 'Our desk', flowId: flow.id });
  });

  test('a TwiML app on the number takes its calls instead of the Voice URL: not connected, and the sync detaches it', async () => {
    await h.api('POST', '/api/carrier/sync');
    fake.changeNumber('+15550300003', { voice_application_sid: `AP${'1'.repeat(32)}` });
    expect((await h.api('GET', '/api/carrier/numbers')).body.numbers[2].connected).toBe(false);
    expect((await h.api('POST', '/api/carrier/sync')).body.connected).toBe(1);
    expect(fake.numberFor('+15550300003')!.voice_application_sid).toBeNull();
  });

  test('pages past 50 numbers: every page is read and every number imported', async () => {
    for (let i = 0; i < 117; i++) fake.addNumber({ phoneNumber: `+1555040${String(i).padStart(4, '0')}`, ...OTHER });
    h.deps.carrier = { publicUrl: PUBLIC_URL, api: async () => new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: fake.authToken }, { apiUrl: fake.url, pageSize: 50 }) };
    expect((await h.api('GET', '/api/carrier/numbers')).body.numbers).toHaveLength(120);
    const pages = fake.requests.filter((r) => r.path.endsWith('/IncomingPhoneNumbers.json')).map((r) => r.query.Page ?? '0');
    expect(pages).toEqual(['0', '1', '2']);
    expect((await h.api('POST', '/api/carrier/sync')).body).toEqual({ imported: 120, connected: 120, unchanged: 0 });
    expect((await h.api('GET', '/api/numbers?limit=500')).body.numbers).toHaveLength(120);
  });
});

describe('carrier failures are clear errors', () => {
  test('credentials Twilio refuses: 502 carrier_error with Twilio’s code, nothing registered', async () => {
    h.deps.carrier = { publicUrl: PUBLIC_URL, api: async () => new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: 'wrong' }, { apiUrl: fake.url }) };
    const res = await h.api('POST', '/api/carrier/sync');
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'carrier_error', details: [{ status: 401, code: 20003 }] });
    expect((await h.api('GET', '/api/numbers')).body.numbers).toEqual([]);
  });

  test('no credentials configured: 503 naming what to set', async () => {
    const { carrierLinkFromEnv } = await import('../../lambdas/carrier/carrier-link');
    h.deps.carrier = carrierLinkFromEnv({});
    const saved = { ...process.env };
    delete process.env.TWILIO_AUTH_TOKEN;
    delete process.env.TWILIO_AUTH_TOKEN_SECRET_ARN;
    try {
      const res = await h.api('GET', '/api/carrier/numbers');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'carrier_not_configured', message: expect.stringContaining('TWILIO_AUTH_TOKEN') });
    } finally {
      process.env = saved;
    }
  });
});

describe('the report’s view of the carrier (GET /api/report/unassigned)', () => {
  const lists = () => fake.requests.filter((r) => r.method === 'GET' && /IncomingPhoneNumbers\.json/.test(r.path)).length;
  const notConnected = async (api: AdminHarness['api']) =>
    ((await api('GET', '/api/report/unassigned')).body.numbers as { number: string; status: string }[]).filter((n) => n.status === 'not_connected').map((n) => n.number);

  test('reuses the account’s numbers for 15 s (the dashboard asks on every view), reads again after; a sync empties it at once', async () => {
    const { REPORT_LIST_TTL_MS } = await import('../../lambdas/carrier/number-list-cache');
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const timed = await adminHarness(() => new Date(clock));
    timed.deps.carrier = h.deps.carrier;
    try {
      const everyone = THREE.map((n) => n.phoneNumber);
      expect(await notConnected(timed.api)).toEqual(everyone);
      const [a, b] = await Promise.all([notConnected(timed.api), notConnected(timed.api)]);
      expect([a, b]).toEqual([everyone, everyone]);
      expect(lists()).toBe(1);

      // Fixed in Twilio's console: the report shows it once its view is older than the TTL.
      fake.changeNumber('+15550300001', { voice_url: ours.voice, sms_url: ours.sms, voice_fallback_url: ours.fallback, sms_fallback_url: ours.fallback });
      clock += REPORT_LIST_TTL_MS - 1;
      expect(await notConnected(timed.api)).toEqual(everyone);
      clock += 1;
      expect(await notConnected(timed.api)).toEqual(everyone.slice(1));
      expect(lists()).toBe(2);

      // A sync reads live, changes the URLs, and the very next report sees them (no wait for the TTL).
      expect((await timed.api('POST', '/api/carrier/sync')).body).toMatchObject({ connected: 2 });
      const afterSync = lists();
      expect(await notConnected(timed.api)).toEqual([]);
      expect(lists()).toBe(afterSync + 1);
      // GET /api/carrier/numbers is always live.
      await timed.api('GET', '/api/carrier/numbers');
      await timed.api('GET', '/api/carrier/numbers');
      expect(lists()).toBe(afterSync + 3);
    } finally {
      await dropTestTables(timed.tables);
    }
  });

  test('a failed read is not kept: the next report asks the carrier again', async () => {
    fake.answerNextWith(503);
    const first = (await h.api('GET', '/api/report/unassigned')).body;
    expect(first.carrier).toMatchObject({ checked: false });
    expect(await notConnected(h.api)).toEqual(THREE.map((n) => n.phoneNumber));
  });
});

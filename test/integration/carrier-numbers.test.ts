// The carrier link's numbers over the admin API, against the project's Twilio-compatible server and
// DynamoDB Local: import, connect, drift, idempotent re-sync, paging; numbers Twilio routes elsewhere (a
// SIP trunk, a Messaging Service, a TwiML app), set up through the server's own REST resources.
import type { FakeTwilio } from '../../local/fake-twilio';
import { adminHarness, type AdminHarness } from '../support/admin';
import { fakeCarrier, libraryClient, PUBLIC_URL, syncToEnd } from '../support/carrier';
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
      registered: false, connected: false, reason: 'urls', fix: expect.stringContaining('npm run carrier -- sync'), voiceUrl: OTHER.voiceUrl, smsUrl: OTHER.smsUrl,
    })));
  });

  test('a registered number is registered; connected needs all four URLs with POST', async () => {
    await h.api('PUT', '/api/numbers/+15550300001', { name: 'Desk' });
    fake.changeNumber('+15550300002', { voice_url: ours.voice, sms_url: ours.sms, voice_fallback_url: ours.fallback, sms_fallback_url: ours.fallback });
    fake.changeNumber('+15550300003', { voice_url: ours.voice, sms_url: ours.sms, voice_fallback_url: ours.fallback, sms_fallback_url: '' });
    const { body } = await h.api('GET', '/api/carrier/numbers');
    expect(body.numbers.map((n: { registered: boolean; connected: boolean }) => [n.registered, n.connected])).toEqual([[true, false], [false, true], [false, false]]);
  });
});

describe('POST /api/carrier/sync', () => {
  test('registers unknown numbers under their friendly names, with no flow, and points all four URLs here with POST', async () => {
    const job = await syncToEnd(h.api);
    expect(job).toMatchObject({ status: 'done', total: 3, done: 3, failed: 0, imported: 3, connected: 3, unchanged: 0, notConnected: {} });
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
    await syncToEnd(h.api);
    const before = updates().length;
    const second = await syncToEnd(h.api);
    expect(second).toMatchObject({ status: 'done', imported: 0, connected: 0, unchanged: 3 });
    expect(updates().length).toBe(before);
    expect((await h.api('GET', '/api/numbers')).body.numbers).toHaveLength(3);
  });

  test('drift: a Voice URL changed at the carrier shows as not connected, and the next sync mends only it', async () => {
    await syncToEnd(h.api);
    fake.changeNumber('+15550300002', { voice_url: 'https://someone-else.example.org/voice' });
    const listed = await h.api('GET', '/api/carrier/numbers');
    expect(listed.body.numbers.map((n: { connected: boolean }) => n.connected)).toEqual([true, false, true]);
    const before = updates().length;
    expect(await syncToEnd(h.api)).toMatchObject({ imported: 0, connected: 1, unchanged: 2 });
    expect(updates().slice(before).map((r) => r.path)).toEqual([expect.stringContaining(fake.numberFor('+15550300002')!.sid)]);
    expect(fake.numberFor('+15550300002')!.voice_url).toBe(ours.voice);
    expect((await h.api('GET', '/api/numbers')).body.numbers).toHaveLength(3);
  });

  test('a number already known keeps its name and flow; only its URLs change', async () => {
    const user = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body;
    const flow = (await h.api('POST', '/api/flows', { name: 'F', call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { user: user.id } } } } })).body;
    await h.api('PUT', '/api/numbers/+15550300001', { name: 'Our desk', flowId: flow.id });
    expect(await syncToEnd(h.api)).toMatchObject({ imported: 2, connected: 3, unchanged: 0 });
    expect((await h.api('GET', '/api/numbers/+15550300001')).body).toMatchObject({ name: 'Our desk', flowId: flow.id });
  });

  test('a TwiML app on the number takes its calls instead of the Voice URL: not connected, and the sync detaches it', async () => {
    await syncToEnd(h.api);
    fake.changeNumber('+15550300003', { voice_application_sid: `AP${'1'.repeat(32)}` });
    expect((await h.api('GET', '/api/carrier/numbers')).body.numbers[2]).toMatchObject({ connected: false, reason: 'twiml_app', fix: expect.stringContaining(`detaches its TwiML app (AP${'1'.repeat(32)})`) });
    expect((await syncToEnd(h.api)).connected).toBe(1);
    expect(fake.numberFor('+15550300003')!.voice_application_sid).toBe('');
  });

  test('pages past 50 numbers: every page is read and every number imported', async () => {
    for (let i = 0; i < 117; i++) fake.addNumber({ phoneNumber: `+1555040${String(i).padStart(4, '0')}`, ...OTHER });
    h.deps.carrier = { publicUrl: PUBLIC_URL, api: async () => new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: fake.authToken }, { apiUrl: fake.url, pageSize: 50 }) };
    expect((await h.api('GET', '/api/carrier/numbers')).body.numbers).toHaveLength(120);
    const pages = fake.requests.filter((r) => r.path.endsWith('/IncomingPhoneNumbers.json')).map((r) => r.query.Page ?? '0');
    expect(pages).toEqual(['0', '1', '2']);
    expect(await syncToEnd(h.api)).toMatchObject({ status: 'done', total: 120, imported: 120, connected: 120, unchanged: 0 });
    expect((await h.api('GET', '/api/numbers?limit=500')).body.numbers).toHaveLength(120);
  });
});

describe('numbers Twilio routes elsewhere, set up through the server’s own REST resources', () => {
  const numbersView = async () => (await h.api('GET', '/api/carrier/numbers')).body.numbers as Array<{ number: string; connected: boolean; reason?: string; fix?: string }>;
  const notConnected = async () =>
    ((await h.api('GET', '/api/report/unassigned')).body.numbers as Array<{ number: string; status: string; reason?: string; fix: string }>).filter((n) => n.status === 'not_connected');

  test('a number on a SIP trunk: sip_trunk with its fix; the sync points its URLs here but never touches the trunk', async () => {
    await syncToEnd(h.api);
    const twilio = libraryClient(fake);
    const trunk = await twilio.trunking.v1.trunks.create({ friendlyName: 'Office PBX' });
    const pn = fake.numberFor('+15550300002')!.sid;
    await twilio.trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: pn });

    expect((await numbersView())[1]).toMatchObject({ connected: false, reason: 'sip_trunk', fix: expect.stringContaining(`DELETE https://trunking.twilio.com/v1/Trunks/${trunk.sid}/PhoneNumbers/${pn}`) });
    expect(await notConnected()).toEqual([expect.objectContaining({ number: '+15550300002', reason: 'sip_trunk', fix: expect.stringContaining('never changes a trunk') })]);
    const trunkWrites = () => fake.requests.filter((r) => r.path.startsWith('/v1/Trunks') && r.method !== 'GET').length;
    const before = trunkWrites();
    fake.changeNumber('+15550300002', { voice_url: 'https://someone-else.example.org/voice' });
    const job = await syncToEnd(h.api, { includeServices: 'inbound_url' });
    expect(job).toMatchObject({ status: 'done', connected: 1, notConnected: { sip_trunk: 1 } });
    expect(trunkWrites()).toBe(before);
    expect(fake.numberFor('+15550300002')).toMatchObject({ trunk_sid: trunk.sid, voice_url: ours.voice });
    expect((await numbersView())[1]).toMatchObject({ connected: false, reason: 'sip_trunk' });

    // Taken off the trunk (at Twilio), it is connected: its own URLs were already pointed here.
    await twilio.trunking.v1.trunks(trunk.sid).phoneNumbers(pn).remove();
    expect((await numbersView())[1]).toMatchObject({ connected: true });
  });

  test('a number in a Messaging Service whose inbound URL wins: messaging_service; a sync leaves the service alone without includeServices', async () => {
    await syncToEnd(h.api);
    const twilio = libraryClient(fake);
    const service = await twilio.messaging.v1.services.create({ friendlyName: 'Marketing', inboundRequestUrl: 'https://crm.example.net/sms' });
    await twilio.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: fake.numberFor('+15550300001')!.sid });

    expect((await numbersView()).map((n) => n.reason ?? 'connected')).toEqual(['messaging_service', 'connected', 'connected']);
    const [entry] = await notConnected();
    expect(entry).toMatchObject({ number: '+15550300001', reason: 'messaging_service', fix: expect.stringContaining(`Messaging Service ${service.sid} ("Marketing")`) });
    expect(entry.fix).toContain('--include-services=inbound-url');
    expect(entry.fix).toContain('--include-services=number-webhooks');

    expect(await syncToEnd(h.api)).toMatchObject({ status: 'done', servicesChanged: 0, notConnected: { messaging_service: 1 } });
    expect(await twilio.messaging.v1.services(service.sid).fetch()).toMatchObject({ inboundRequestUrl: 'https://crm.example.net/sms', useInboundWebhookOnNumber: false });
    expect((await numbersView())[0]).toMatchObject({ connected: false, reason: 'messaging_service' });
  });

  test.each([
    ['inbound_url', { inboundRequestUrl: ours.sms, inboundMethod: 'POST', fallbackUrl: ours.fallback, useInboundWebhookOnNumber: false }],
    ['number_webhooks', { inboundRequestUrl: 'https://crm.example.net/sms', useInboundWebhookOnNumber: true }],
  ] as const)('includeServices %s: the service hands its texts here, and its number is connected', async (choice, expected) => {
    const twilio = libraryClient(fake);
    const service = await twilio.messaging.v1.services.create({ friendlyName: 'Marketing', inboundRequestUrl: 'https://crm.example.net/sms' });
    const untouched = await twilio.messaging.v1.services.create({ friendlyName: 'No numbers', inboundRequestUrl: 'https://crm.example.net/other' });
    await twilio.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: fake.numberFor('+15550300003')!.sid });

    const job = await syncToEnd(h.api, { includeServices: choice });
    expect(job).toMatchObject({ status: 'done', includeServices: choice, servicesChanged: 1, connected: 3, notConnected: {} });
    expect(await twilio.messaging.v1.services(service.sid).fetch()).toMatchObject(expected);
    // A service with none of the account's numbers in it is not the sync's business.
    expect((await twilio.messaging.v1.services(untouched.sid).fetch()).inboundRequestUrl).toBe('https://crm.example.net/other');
    expect((await numbersView()).every((n) => n.connected)).toBe(true);
    expect(await notConnected()).toEqual([]);
  });

  test('includeServices takes one of its two values: anything else is a 400 naming the field, and no job starts', async () => {
    const res = await h.api('POST', '/api/carrier/sync', { includeServices: 'all' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation', details: [expect.objectContaining({ path: 'includeServices' })] });
    expect((await h.api('GET', '/api/carrier/sync')).body).toEqual({ job: null });
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
      expect(await syncToEnd(timed.api)).toMatchObject({ connected: 2 });
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

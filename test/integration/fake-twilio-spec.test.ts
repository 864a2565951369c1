// The project's Twilio-compatible server (local/fake-twilio.ts) against Twilio's own API definitions:
// every resource driven through the twilio library's client, every request and answer checked by
// test/support/twilio-spec.ts, and the bounds Twilio enforces answered as Twilio answers them.
import type twilio from 'twilio';
import { startFakeTwilio, type FakeTwilio } from '../../local/fake-twilio';
import { libraryClient, specProblems } from '../support/carrier';
import { TwilioLibraryApi } from '../../lambdas/carrier/twilio-client';

let fake: FakeTwilio;
let client: ReturnType<typeof twilio>;
/** Requests this file sends broken on purpose: only the answers to those are checked. */
const broken = new Set<FakeTwilio['requests'][number]>();

beforeEach(async () => {
  fake = await startFakeTwilio();
  client = libraryClient(fake);
  broken.clear();
});
afterEach(async () => {
  await fake.stop();
  expect(specProblems(fake, { skipRequests: (r) => broken.has(r) })).toEqual([]);
});

const account = () => client.api.v2010.accounts(fake.accountSid);
const numbersPath = () => `/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers`;

/** A request sent as-is (what a client with a bug would send), answered by the fake. */
async function raw(method: string, path: string, form?: Record<string, string | string[]>): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- Twilio's JSON, read by path
  const body = form ? new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))).toString() : undefined;
  const res = await fetch(`${fake.url}${path}`, {
    method,
    body,
    headers: { authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`, ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
  });
  broken.add(fake.requests.at(-1)!);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const twilioError = (status: number, code: number) => ({ status, body: { status, code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}` } });

describe('IncomingPhoneNumbers', () => {
  test('every field Twilio answers, unset ones "" or null as Twilio writes them; cleared fields too', async () => {
    const n = fake.addNumber({ phoneNumber: '+15550300001' });
    const updated = await account().incomingPhoneNumbers(n.sid).update({ voiceUrl: '', smsUrl: '', voiceFallbackUrl: '', smsFallbackUrl: '', friendlyName: 'Front desk' });
    expect(updated).toMatchObject({ voiceUrl: null, smsUrl: '', voiceFallbackUrl: null, smsFallbackUrl: '', voiceApplicationSid: '', trunkSid: null, friendlyName: 'Front desk' });
    await account().incomingPhoneNumbers(n.sid).fetch();
  });

  test('paging: PageSize pages, next_page_uri keeps the filters and carries a PageToken; a page read again is the same page', async () => {
    for (let i = 1; i <= 5; i++) fake.addNumber({ phoneNumber: `+1555030000${i}` });
    fake.addNumber({ phoneNumber: '+15550400001' });
    const first = await account().incomingPhoneNumbers.page({ phoneNumber: '+1555030000*', pageSize: 2 });
    expect(first.instances.map((n) => n.phoneNumber)).toEqual(['+15550300001', '+15550300002']);
    const next = first.nextPageUrl!;
    expect(new URL(next).searchParams.get('PhoneNumber')).toBe('+1555030000*');
    expect(new URL(next).searchParams.get('PageToken')).toMatch(/^PAPN[0-9a-f]{32}$/);
    const second = await first.nextPage();
    expect(second!.instances.map((n) => n.phoneNumber)).toEqual(['+15550300003', '+15550300004']);
    // A number before it goes away: the page the token names does not shift (a sync resuming reads it again).
    fake.removeNumber('+15550300001');
    const again = await account().incomingPhoneNumbers.getPage(next);
    expect(again.instances.map((n) => n.phoneNumber)).toEqual(['+15550300003', '+15550300004']);
    const all = await account().incomingPhoneNumbers.list({ phoneNumber: '+1555030000*', pageSize: 2 });
    expect(all.map((n) => n.phoneNumber)).toEqual(['+15550300002', '+15550300003', '+15550300004', '+15550300005']);
    expect((await account().incomingPhoneNumbers.list({ friendlyName: '(555) 040-0001' })).map((n) => n.phoneNumber)).toEqual(['+15550400001']);
  });

  test('PageSize outside 1–1000 and a PageToken Twilio never gave are 400s with Twilio’s error JSON', async () => {
    expect(await raw('GET', `${numbersPath()}.json?PageSize=0`)).toEqual(twilioError(400, 20001));
    expect(await raw('GET', `${numbersPath()}.json?PageSize=1001`)).toEqual(twilioError(400, 20001));
    expect(await raw('GET', `${numbersPath()}.json?PageSize=1000`)).toMatchObject({ status: 200, body: { page_size: 1000 } });
    expect(await raw('GET', `${numbersPath()}.json?PageSize=50&Page=1&PageToken=PAnonsense`)).toEqual(twilioError(400, 20001));
  });

  test('DELETE releases a number: 204, then 404; a malformed SID is a 404 too', async () => {
    const n = fake.addNumber({ phoneNumber: '+15550300001' });
    expect(await account().incomingPhoneNumbers(n.sid).remove()).toBe(true);
    expect(fake.numberFor('+15550300001')).toBeUndefined();
    expect(await raw('GET', `${numbersPath()}/${n.sid}.json`)).toEqual(twilioError(404, 20404));
    expect(await raw('GET', `${numbersPath()}/PN123.json`)).toEqual(twilioError(404, 20404));
  });

  test('bounds: a 65-character friendly name, a SID of the wrong kind, a URL that is none; nothing changes', async () => {
    const n = fake.addNumber({ phoneNumber: '+15550300001', friendlyName: 'Desk' });
    const before = structuredClone(n);
    expect(await raw('POST', `${numbersPath()}/${n.sid}.json`, { FriendlyName: 'x'.repeat(65), VoiceUrl: 'https://calls.example.com/v' })).toEqual(twilioError(400, 20002));
    expect(await raw('POST', `${numbersPath()}/${n.sid}.json`, { VoiceApplicationSid: `TK${'1'.repeat(32)}`, VoiceUrl: 'https://calls.example.com/v' })).toEqual(twilioError(400, 20001));
    expect(await raw('POST', `${numbersPath()}/${n.sid}.json`, { SmsUrl: 'not a url' })).toEqual(twilioError(400, 21502));
    expect(fake.numberFor('+15550300001')).toEqual(before);
    expect((await account().incomingPhoneNumbers(n.sid).update({ friendlyName: 'x'.repeat(64) })).friendlyName).toHaveLength(64);
  });
});

describe('Messages', () => {
  test('with From: 201 queued; with a Messaging Service and no From: 201 accepted, the sender picked from its pool', async () => {
    const ours = fake.addNumber({ phoneNumber: '+15550300001' });
    const direct = await account().messages.create({ to: '+15550200001', from: ours.phone_number, body: 'Hello', statusCallback: 'https://calls.example.com/twilio/message-status' });
    expect(direct).toMatchObject({ status: 'queued', from: ours.phone_number, messagingServiceSid: null });
    const service = await client.messaging.v1.services.create({ friendlyName: 'Notices' });
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: ours.sid });
    const pooled = await account().messages.create({ to: '+15550200002', messagingServiceSid: service.sid, body: 'Hello' });
    expect(pooled).toMatchObject({ status: 'accepted', from: null, messagingServiceSid: service.sid });
    expect(fake.messages.at(-1)).toMatchObject({ from: ours.phone_number, to: '+15550200002' });
  });

  test('a service without numbers, unknown services, 11 media, no From at all: Twilio’s errors', async () => {
    fake.addNumber({ phoneNumber: '+15550300001' });
    const service = await client.messaging.v1.services.create({ friendlyName: 'Empty' });
    const send = (form: Record<string, string | string[]>) => raw('POST', `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`, { To: '+15550200001', Body: 'Hi', ...form });
    expect(await send({ MessagingServiceSid: service.sid })).toEqual(twilioError(400, 21704));
    expect(await send({ MessagingServiceSid: `MG${'0'.repeat(32)}` })).toEqual(twilioError(400, 21701));
    expect(await send({})).toEqual(twilioError(400, 21603));
    const eleven = Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.jpg`);
    expect(await send({ From: '+15550300001', MediaUrl: eleven })).toEqual(twilioError(400, 21623));
    expect(await send({ From: '+15550300001', MediaUrl: eleven.slice(1) })).toMatchObject({ status: 201, body: { num_media: '10' } });
    expect(fake.messages).toHaveLength(1);
  });

  test('the list is newest first, filtered by To, its pages keep the filter', async () => {
    fake.addNumber({ phoneNumber: '+15550300001' });
    for (const body of ['one', 'two', 'three']) await account().messages.create({ to: '+15550200001', from: '+15550300001', body });
    await account().messages.create({ to: '+15550200009', from: '+15550300001', body: 'other' });
    const page = await account().messages.page({ to: '+15550200001', pageSize: 2 });
    expect(page.instances.map((m) => m.body)).toEqual(['three', 'two']);
    expect(new URL(page.nextPageUrl!).searchParams.get('To')).toBe('+15550200001');
    expect((await page.nextPage())!.instances.map((m) => m.body)).toEqual(['one']);
  });
});

describe('Messaging v1 Services and their PhoneNumbers', () => {
  test('create, update the inbound URL and use_inbound_webhook_on_number, add and list numbers, remove one', async () => {
    const [a, b] = [fake.addNumber({ phoneNumber: '+15550300001' }), fake.addNumber({ phoneNumber: '+15550300002' })];
    const service = await client.messaging.v1.services.create({ friendlyName: 'Marketing', inboundRequestUrl: 'https://crm.example.net/sms' });
    expect(service).toMatchObject({ inboundRequestUrl: 'https://crm.example.net/sms', useInboundWebhookOnNumber: false });
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: a.sid });
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: b.sid });
    expect((await client.messaging.v1.services(service.sid).phoneNumbers.list({ pageSize: 1 })).map((p) => p.phoneNumber)).toEqual(['+15550300001', '+15550300002']);
    expect((await client.messaging.v1.services(service.sid).update({ useInboundWebhookOnNumber: true })).useInboundWebhookOnNumber).toBe(true);
    await client.messaging.v1.services(service.sid).phoneNumbers(a.sid).remove();
    expect((await client.messaging.v1.services(service.sid).phoneNumbers.list()).map((p) => p.sid)).toEqual([b.sid]);
    expect((await client.messaging.v1.services.list()).map((s) => s.sid)).toEqual([service.sid]);
  });

  test('a number is in one service at most; a number the account does not have is a 404', async () => {
    const n = fake.addNumber({ phoneNumber: '+15550300001' });
    const [one, two] = [await client.messaging.v1.services.create({ friendlyName: 'One' }), await client.messaging.v1.services.create({ friendlyName: 'Two' })];
    await client.messaging.v1.services(one.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    expect(await raw('POST', `/v1/Services/${two.sid}/PhoneNumbers`, { PhoneNumberSid: n.sid })).toEqual(twilioError(409, 21712));
    expect(await raw('POST', `/v1/Services/${two.sid}/PhoneNumbers`, { PhoneNumberSid: `PN${'0'.repeat(32)}` })).toEqual(twilioError(404, 20404));
    expect(await raw('POST', '/v1/Services', { FriendlyName: 'y'.repeat(65) })).toEqual(twilioError(400, 20002));
    expect(await raw('GET', '/v1/Services?PageSize=0')).toEqual(twilioError(400, 20001));
  });
});

describe('Trunking v1 Trunks and their PhoneNumbers', () => {
  test('a number put on a trunk (either resource) has its trunk_sid, loses its voice application; taken off, it has neither', async () => {
    const [a, b] = [fake.addNumber({ phoneNumber: '+15550300001', voiceApplicationSid: `AP${'1'.repeat(32)}` }), fake.addNumber({ phoneNumber: '+15550300002' })];
    const trunk = await client.trunking.v1.trunks.create({ friendlyName: 'PBX' });
    const added = await client.trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: a.sid });
    expect(added).toMatchObject({ trunkSid: trunk.sid, voiceApplicationSid: '' });
    expect(fake.numberFor('+15550300001')).toMatchObject({ trunk_sid: trunk.sid, voice_application_sid: '' });
    await account().incomingPhoneNumbers(b.sid).update({ trunkSid: trunk.sid });
    expect((await client.trunking.v1.trunks(trunk.sid).phoneNumbers.list()).map((p) => p.phoneNumber)).toEqual(['+15550300001', '+15550300002']);
    await client.trunking.v1.trunks(trunk.sid).phoneNumbers(a.sid).remove();
    await account().incomingPhoneNumbers(b.sid).update({ trunkSid: '' });
    expect(fake.listNumbers().map((n) => n.trunk_sid)).toEqual([null, null]);
    expect(await raw('POST', `${numbersPath()}/${a.sid}.json`, { TrunkSid: `TK${'0'.repeat(32)}` })).toEqual(twilioError(400, 20001));
  });
});

describe('Recordings and Messages deletes (mailboxes, issue 20 item 8)', () => {
  const recording = `RE${'a'.repeat(32)}`;

  test('a recording’s media is a real WAV with the account’s credentials (the carrier link’s fetch); deleted, it is 404 for media and JSON', async () => {
    const ours = new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: fake.authToken }, { apiUrl: fake.url });
    const media = await ours.fetchRecordingMedia(recording, 'wav');
    expect(media.contentType).toBe('audio/x-wav');
    expect(media.data.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(media.data.subarray(8, 12).toString('ascii')).toBe('WAVE');
    expect(media.data.length).toBe(44 + 8000); // half a second of 8 kHz 16-bit mono
    const sent = fake.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'GET', path: `/2010-04-01/Accounts/${fake.accountSid}/Recordings/${recording}.wav`, auth: `${fake.accountSid}:${fake.authToken}` });
    // Without the credentials Twilio (enforcing HTTP auth on media) answers 401.
    expect((await fetch(`${fake.url}${sent.path}`)).status).toBe(401);
    broken.add(fake.requests.at(-1)!);

    await account().recordings(recording).remove();
    await ours.deleteRecording(recording); // already gone: done
    await expect(ours.fetchRecordingMedia(recording, 'wav')).rejects.toMatchObject({ status: 404, carrierCode: 20404 });
    await expect(account().recordings(recording).remove()).rejects.toMatchObject({ status: 404 });
  });

  test('a sent message is deleted with the library’s remove: gone from the list, 404 afterwards', async () => {
    fake.addNumber({ phoneNumber: '+15550300009' });
    const sent = await client.messages.create({ from: '+15550300009', to: '+15550300100', body: 'hello' });
    await client.messages(sent.sid).remove();
    expect((await client.messages.list()).map((m) => m.sid)).not.toContain(sent.sid);
    await expect(client.messages(sent.sid).remove()).rejects.toMatchObject({ status: 404 });
    const ours = new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: fake.authToken }, { apiUrl: fake.url });
    await expect(ours.deleteMessage(sent.sid)).resolves.toBeUndefined();
  });
});

// The project's Twilio-compatible server delivers as Twilio does (TWILIO.md "Delivery and opt-out"): a
// create answers `queued`, never a synchronous delivery error; then the StatusCallback gets `sent` and
// `delivered` (or, to a landline, `undelivered` with ErrorCode 30006), posted asynchronously and signed as
// Twilio signs: checked here with the twilio library's own validateRequest over the URL and every parameter.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { startFakeTwilio, type FakeTwilio } from '../../local/fake-twilio';
import { TwilioLibraryApi } from '../../lambdas/carrier/twilio-client';

const FROM = '+15550900001';
const MOBILE = '+15550900101';
const LANDLINE = '+15550900202';

let fake: FakeTwilio;
let api: TwilioLibraryApi;
let receiver: Server;
let callbackBase: string;
const received: Array<{ url: string; params: Record<string, string>; signatureValid: boolean }> = [];

beforeAll(async () => {
  fake = await startFakeTwilio({ landlines: [LANDLINE] });
  fake.addNumber({ phoneNumber: FROM });
  api = new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: fake.authToken }, { apiUrl: fake.url });
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(raw));
      const url = `${callbackBase}${req.url}`;
      received.push({ url, params, signatureValid: validateRequest(fake.authToken, String(req.headers['x-twilio-signature']), url, params) });
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  callbackBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake.stop();
  receiver.close();
});

const statusesFor = (id: string) => received.filter((r) => r.url.endsWith(`id=${id}`));

test('a text to a mobile: 201 queued, then `sent` and `delivered` posted to its StatusCallback, signed as Twilio signs', async () => {
  const created = await api.createMessage({ from: FROM, to: MOBILE, body: 'Hello', statusCallback: `${callbackBase}/twilio/message-status?id=a1` });
  expect(created).toEqual({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued' });
  await fake.callbacksSettled();
  const posted = statusesFor('a1');
  expect(posted.map((p) => p.params.MessageStatus)).toEqual(['sent', 'delivered']);
  expect(posted.every((p) => p.signatureValid)).toBe(true);
  expect(posted[0].params).toEqual({
    SmsSid: created.sid, SmsStatus: 'sent', MessageStatus: 'sent', To: MOBILE, MessageSid: created.sid, AccountSid: fake.accountSid, From: FROM, ApiVersion: '2010-04-01',
  });
  expect(fake.messages.find((m) => m.sid === created.sid)).toMatchObject({ status: 'delivered', error_code: null, date_sent: expect.any(String) });
  expect(fake.callbacks.filter((c) => c.url.endsWith('id=a1')).map((c) => c.status)).toEqual([200, 200]);
});

test('a text to a landline is accepted (queued, no error at once), then `sent` and `undelivered` with ErrorCode 30006', async () => {
  const created = await api.createMessage({ from: FROM, to: LANDLINE, body: 'Hello', statusCallback: `${callbackBase}/twilio/message-status?id=b2` });
  expect(created.status).toBe('queued');
  await fake.callbacksSettled();
  const posted = statusesFor('b2');
  expect(posted.map((p) => [p.params.MessageStatus, p.params.ErrorCode])).toEqual([['sent', undefined], ['undelivered', '30006']]);
  expect(posted.every((p) => p.signatureValid)).toBe(true);
  expect(fake.messages.find((m) => m.sid === created.sid)).toMatchObject({ status: 'undelivered', error_code: 30006, error_message: 'Landline or unreachable carrier' });
});

test('a filtered text (30007) is no synchronous refusal either: it ends undelivered on the callback', async () => {
  fake.failDeliveryTo('+15550900303', 30007);
  const created = await api.createMessage({ from: FROM, to: '+15550900303', body: 'Hello', statusCallback: `${callbackBase}/twilio/message-status?id=c3` });
  expect(created.status).toBe('queued');
  await fake.callbacksSettled();
  expect(statusesFor('c3').map((p) => [p.params.MessageStatus, p.params.ErrorCode])).toEqual([['sent', undefined], ['undelivered', '30007']]);
  expect(() => fake.failSendsTo('+15550900303', 30007)).toThrow(/does not know error 30007/);
});

test('without a StatusCallback nothing is posted, and the message still moves to delivered', async () => {
  const before = fake.callbacks.length;
  const created = await api.createMessage({ from: FROM, to: MOBILE, body: 'No callback' });
  await fake.callbacksSettled();
  expect(fake.callbacks).toHaveLength(before);
  expect(fake.messages.find((m) => m.sid === created.sid)?.status).toBe('delivered');
});

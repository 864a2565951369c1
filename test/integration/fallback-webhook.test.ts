// DESIGN.md sections 5 and 11: Twilio's fallback URL is served without DynamoDB. It checks the
// signature, answers safely and puts what must be kept into the spill (here the real file spool).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fallbackWebhook, type FallbackDeps } from '../../lambdas/fallback/fallback-webhook';
import { FileSpill, SPOOL_FILE } from '../../lambdas/spill/file-spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

let dir: string;
let deps: FallbackDeps;
const NOW = new Date('2026-12-01T10:00:00.000Z');
const spooled = () => (existsSync(path.join(dir, SPOOL_FILE)) ? readFileSync(path.join(dir, SPOOL_FILE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fallback-test-'));
  deps = { spill: new FileSpill(dir), authToken: async () => TEST_AUTH_TOKEN, now: () => NOW };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));


const CALL = { CallSid: `CA${'a'.repeat(32)}`, AccountSid: `AC${'2'.repeat(32)}`, From: '+15550109999', To: '+15550100001', CallStatus: 'ringing', Direction: 'inbound' };
const TEXT = { MessageSid: `SM${'b'.repeat(32)}`, AccountSid: `AC${'2'.repeat(32)}`, From: '+15550109999', To: '+15550100001', Body: 'Is anyone there?', NumMedia: '1', MediaUrl0: 'https://api.twilio.com/media/ME1', MediaContentType0: 'image/jpeg' };

test('a call gets the apology and a voicemail into unrouted, recorded by the voice webhook, and is counted in the spill', async () => {
  const res = await fallbackWebhook(deps)(signedTwilioEvent({ url: '/twilio/fallback', params: CALL }));
  expect(res.statusCode).toBe(200);
  expect(res.headers?.['content-type']).toBe('text/xml');
  expect(res.body).toContain('<Say>Sorry');
  // With the call's arrival time (ra): the recording is routed by the number's flow as it stood then.
  expect(res.body).toMatch(/<Record [^>]*action="https:\/\/abc123\.execute-api\.us-east-1\.amazonaws\.com\/twilio\/voice\/recording\?mb=unrouted&amp;c=%2B15550109999&amp;n=%2B15550100001&amp;ra=2026-12-01T10%3A00%3A00\.000Z"/);
  expect(res.body).toMatch(/recordingStatusCallback="[^"]+\/twilio\/voice\/recording\?mb=unrouted&amp;c=%2B15550109999&amp;n=%2B15550100001&amp;cb=1&amp;ra=2026-12-01T10%3A00%3A00\.000Z"/);
  expect(spooled()).toEqual([{ kind: 'unrouted', number: '+15550100001', sid: CALL.CallSid, channel: 'call', at: NOW.toISOString(), reason: 'fallback' }]);
});

test('a text (it has a MessageSid) gets an empty <Response/> and is spilled for unrouted, with its media and its count', async () => {
  const res = await fallbackWebhook(deps)(signedTwilioEvent({ url: '/twilio/fallback', params: TEXT, base64: true }));
  expect(res.statusCode).toBe(200);
  expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  expect(spooled()).toEqual(
    expect.arrayContaining([
      {
        kind: 'text', messageSid: TEXT.MessageSid, mailbox: 'unrouted', from: TEXT.From, to: TEXT.To, body: TEXT.Body,
        // The flow was never read: the drain routes the text by it as it stood on arrival.
        media: [{ url: TEXT.MediaUrl0, contentType: 'image/jpeg' }], receivedAt: NOW.toISOString(), routeAt: NOW.toISOString(),
      },
      { kind: 'unrouted', number: TEXT.To, sid: TEXT.MessageSid, channel: 'sms', at: NOW.toISOString(), reason: 'fallback' },
    ]),
  );
  expect(spooled()).toHaveLength(2);
});

test('a bad signature gets 403 and nothing is spilled', async () => {
  const res = await fallbackWebhook(deps)(signedTwilioEvent({ url: '/twilio/fallback', params: TEXT, authToken: 'wrong-token' }));
  expect(res.statusCode).toBe(403);
  const unsigned = signedTwilioEvent({ url: '/twilio/fallback', params: CALL });
  delete unsigned.headers['x-twilio-signature'];
  expect((await fallbackWebhook(deps)(unsigned)).statusCode).toBe(403);
  expect(spooled()).toEqual([]);
});

test('a request without CallSid, From or To gets 400 naming them, and nothing is spilled', async () => {
  const res = await fallbackWebhook(deps)(signedTwilioEvent({ url: '/twilio/fallback', params: { CallSid: CALL.CallSid } }));
  expect(res).toMatchObject({ statusCode: 400, body: 'missing From, To' });
  const text = await fallbackWebhook(deps)(signedTwilioEvent({ url: '/twilio/fallback', params: { MessageSid: TEXT.MessageSid, From: TEXT.From } }));
  expect(text.statusCode).toBe(400);
  expect(spooled()).toEqual([]);
});

test('without the auth token (Secrets Manager unreadable) a caller still hears the safe answer and a text gets <Response/>, keeping nothing unverified', async () => {
  const noToken = { ...deps, authToken: () => Promise.reject(new Error('AccessDenied')) };
  const call = await fallbackWebhook(noToken)(signedTwilioEvent({ url: '/twilio/fallback', params: CALL }));
  expect(call.statusCode).toBe(200);
  expect(call.body).toContain('<Record');
  const text = await fallbackWebhook(noToken)(signedTwilioEvent({ url: '/twilio/fallback', params: TEXT, base64: true }));
  expect(text.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  expect(spooled()).toEqual([]);
});

test('when the spill fails too, the caller still hears the safe answer', async () => {
  // The spool's directory is gone and a file stands in its place: every put fails (ENOTDIR).
  rmSync(dir, { recursive: true });
  writeFileSync(dir, 'not a directory');
  const res = await fallbackWebhook(deps)(signedTwilioEvent({ url: '/twilio/fallback', params: CALL }));
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('<Record');
});

test('signatures are checked against PUBLIC_URL when it is set', async () => {
  const withPublic = { ...deps, publicUrl: 'https://calls.example.com' };
  const signedForPublic = signedTwilioEvent({ url: 'https://calls.example.com/twilio/fallback', params: CALL, headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com' } });
  const res = await fallbackWebhook(withPublic)(signedForPublic);
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('action="https://calls.example.com/twilio/voice/recording?mb=unrouted');
});

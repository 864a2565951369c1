// Issue 18, items 2 and 6, through signed webhooks against DynamoDB Local: what can never be stored or
// should never be shown is refused before any write (stored or spilled): a body over 1,600 characters
// is cut with "… [truncated]", media past the 10th and media or recording URLs that are not Twilio's
// https URLs (javascript:, data:, other hosts, over 2,048 characters) are dropped, with a log.
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { createStores } from '../../lambdas/store/stores';
import { MAX_SMS_TEXT } from '../../lambdas/flows/applets';
import { TRUNCATION_MARKER } from '../../lambdas/twilio/carrier-limits';
import { webhookDynamoClientConfig, type WebhookDeps } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { fallbackWebhook } from '../../lambdas/fallback/fallback-webhook';
import { capturingOutput } from '../support/carrier';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const CALLER = '+15550109999';
const NUMBER = '+15550100041';
const ACCOUNT = 'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000';
const media = (i: number) => `${ACCOUNT}/Messages/MM00000000000000000000000000000000/Media/ME${String(i).padStart(32, '0')}`;

let t: TestTables;
let stores: ReturnType<typeof createStores>;
let spilled: TestSpill;
let deps: WebhookDeps;
let n = 0;
const sid = (prefix: string) => `${prefix}${String(++n).padStart(32, '0')}`;

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
  spilled = tempSpill();
  deps = { ...stores, spill: spilled.spill, now: () => new Date('2026-12-01T10:00:00.000Z'), authToken: async () => TEST_AUTH_TOKEN };
});
afterAll(() => spilled.dispose());

const stored = async (id: string) => (await stores.messages.list('unrouted', 1000)).find((m) => m.id === id);

test('a signed text with a javascript: MediaUrl0 (and data:, another host) stores only the Twilio media, and logs what it dropped', async () => {
  const messageSid = sid('MM');
  const params = {
    MessageSid: messageSid, From: CALLER, To: NUMBER, Body: 'look', NumMedia: '4',
    MediaUrl0: 'javascript:alert(document.domain)', MediaContentType0: 'image/png',
    MediaUrl1: 'data:image/png;base64,iVBORw0KGgo=', MediaContentType1: 'image/png',
    MediaUrl2: 'https://evil.example/track.png', MediaContentType2: 'image/png',
    MediaUrl3: media(3), MediaContentType3: 'image/jpeg',
  };
  const { result: res, lines } = await capturingOutput(() => smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params })));
  expect(res.body).toBe(EMPTY);
  expect((await stored(messageSid))?.media).toEqual([{ url: media(3), contentType: 'image/jpeg' }]);
  const cut = lines.filter((l) => l.message === 'text cut to the carrier limits before it is kept');
  expect(cut).toEqual([
    expect.objectContaining({ sid: messageSid, droppedMedia: [{ index: 0, reason: 'not_https' }, { index: 1, reason: 'not_https' }, { index: 2, reason: 'not_carrier_host' }] }),
  ]);
  expect(JSON.stringify(lines)).not.toContain('javascript:');
  expect(lines).toContainEqual(expect.objectContaining({ MediaDropped: 1, reason: 'not_carrier_host' }));
});

test('a signed recording callback with a javascript: RecordingUrl stores the voicemail without it', async () => {
  const recordingSid = sid('RE');
  const { result: res, lines } = await capturingOutput(() =>
    voiceWebhook(deps)(
      signedTwilioEvent({
        url: `/twilio/voice/recording?mb=unrouted&c=%2B15550109999&n=%2B15550100041&cb=1`,
        params: { CallSid: sid('CA'), RecordingSid: recordingSid, RecordingUrl: 'javascript:alert(document.domain)', RecordingDuration: '7', RecordingStatus: 'completed' },
      }),
    ),
  );
  expect(res.body).toBe(EMPTY);
  const voicemail = await stored(recordingSid);
  expect(voicemail).toMatchObject({ kind: 'voicemail', durationSeconds: 7 });
  expect(voicemail).not.toHaveProperty('recordingUrl');
  expect(lines).toContainEqual(expect.objectContaining({ message: 'recording URL dropped: not a Twilio https URL', recordingSid, reason: 'not_https' }));
});

test('a Twilio RecordingUrl is kept as posted', async () => {
  const recordingSid = sid('RE');
  const url = `${ACCOUNT}/Recordings/${recordingSid}`;
  await voiceWebhook(deps)(
    signedTwilioEvent({ url: `/twilio/voice/recording?mb=unrouted&cb=1`, params: { CallSid: sid('CA'), RecordingSid: recordingSid, RecordingUrl: url, RecordingStatus: 'completed' } }),
  );
  expect((await stored(recordingSid))?.recordingUrl).toBe(url);
});

test('a body over 1,600 characters is stored cut to the limit, ending with "… [truncated]"', async () => {
  const messageSid = sid('SM');
  const { lines } = await capturingOutput(() =>
    smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: CALLER, To: NUMBER, Body: 'w'.repeat(5000), NumMedia: '0' } })),
  );
  const body = (await stored(messageSid))?.body ?? '';
  expect(body).toHaveLength(MAX_SMS_TEXT);
  expect(body).toBe(`${'w'.repeat(MAX_SMS_TEXT - TRUNCATION_MARKER.length)}${TRUNCATION_MARKER}`);
  expect(lines).toContainEqual(expect.objectContaining({ message: 'text cut to the carrier limits before it is kept', sid: messageSid, bodyChars: 5000 }));
  expect(lines).toContainEqual(expect.objectContaining({ BodiesTruncated: 1 }));
});

test('12 media: the first 10 are stored, the 11th and 12th dropped with a log; a URL over 2,048 characters too', async () => {
  const messageSid = sid('MM');
  const long = `${media(99)}?${'q'.repeat(2100)}`;
  const urls = Array.from({ length: 12 }, (_, i) => (i === 4 ? long : media(i)));
  const params = { MessageSid: messageSid, From: CALLER, To: NUMBER, Body: '', NumMedia: '12', ...Object.fromEntries(urls.flatMap((u, i) => [[`MediaUrl${i}`, u], [`MediaContentType${i}`, 'image/jpeg']])) };
  const { lines } = await capturingOutput(() => smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params })));
  expect((await stored(messageSid))?.media?.map((m) => (typeof m === 'string' ? m : m.url))).toEqual(urls.slice(0, 10).filter((u) => u !== long));
  expect(lines).toContainEqual(
    expect.objectContaining({ sid: messageSid, droppedMedia: [{ index: 4, reason: 'too_long' }, { index: 10, reason: 'over_10' }, { index: 11, reason: 'over_10' }] }),
  );
});

test('with DynamoDB down, the spilled text is already cut: the drain gets nothing the store would refuse', async () => {
  const dead = createDynamoDb({ ...webhookDynamoClientConfig, endpoint: 'http://127.0.0.1:9' });
  const down = { ...createStores(dead, t.names), spill: spilled.spill, now: () => new Date('2026-12-01T10:00:00.000Z'), authToken: async () => TEST_AUTH_TOKEN };
  const before = spilled.items().length;
  const messageSid = sid('MM');
  await capturingOutput(() =>
    smsWebhook(down)(
      signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: CALLER, To: NUMBER, Body: 'v'.repeat(3000), NumMedia: '2', MediaUrl0: 'javascript:alert(1)', MediaUrl1: media(1), MediaContentType1: 'image/gif' } }),
    ),
  );
  dead.destroy();
  const text = spilled.items().slice(before).find((i) => i.kind === 'text');
  expect(text).toMatchObject({ messageSid, body: expect.stringMatching(/… \[truncated\]$/), media: [{ url: media(1), contentType: 'image/gif' }] });
  expect((text as { body: string }).body).toHaveLength(MAX_SMS_TEXT);
});

test('the fallback URL keeps the same limits', async () => {
  const before = spilled.items().length;
  const messageSid = sid('MM');
  await capturingOutput(() =>
    fallbackWebhook({ spill: spilled.spill, now: () => new Date('2026-12-01T10:00:00.000Z'), authToken: async () => TEST_AUTH_TOKEN })(
      signedTwilioEvent({ url: '/twilio/fallback', params: { MessageSid: messageSid, From: CALLER, To: NUMBER, Body: 'u'.repeat(1700), NumMedia: '1', MediaUrl0: 'https://evil.example/x.png' } }),
    ),
  );
  const text = spilled.items().slice(before).find((i) => i.kind === 'text');
  expect(text).toMatchObject({ messageSid, body: expect.stringMatching(/… \[truncated\]$/) });
  expect(text).not.toHaveProperty('media');
  expect(text).not.toHaveProperty('cut');
});

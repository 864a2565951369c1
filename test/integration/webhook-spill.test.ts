// DESIGN.md section 11 through the webhooks: when DynamoDB is down, every voicemail, transcript, text
// and unrouted event goes to the spill (for the mailbox it was meant for), the carrier still gets the
// answer of section 5, and once replayed each item is stored exactly once.
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { replay } from '../../lambdas/spill/replay';
import { createStores } from '../../lambdas/store/stores';
import { webhookDynamoClientConfig, type WebhookDeps } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const CALLER = '+15550109999';
const NUMBER = '+15550100031';

let t: TestTables;
let healthy: ReturnType<typeof createStores>;
let spilled: TestSpill;
let down: WebhookDeps;
let n = 0;
const sid = (prefix: string) => `${prefix}${String(++n).padStart(32, '0')}`;

beforeAll(async () => {
  t = await createTestTables();
  healthy = createStores(t.doc, t.names);
  // The webhooks' own client settings, against a port nobody listens on: every request fails at once.
  const dead = createDynamoDb({ ...webhookDynamoClientConfig, endpoint: 'http://127.0.0.1:9' });
  spilled = tempSpill();
  down = { ...createStores(dead, t.names), spill: spilled.spill, now: () => new Date('2026-12-01T10:00:00.000Z'), authToken: async () => TEST_AUTH_TOKEN };
});
afterAll(() => spilled.dispose());

const spilledSince = (before: number) => spilled.items().slice(before);

describe('with DynamoDB down', () => {
  test('a recording status callback answers <Response/> and spills the voicemail for its mailbox', async () => {
    const before = spilled.items().length;
    const [callSid, recordingSid] = [sid('CA'), sid('RE')];
    const res = await voiceWebhook(down)(
      signedTwilioEvent({ url: `/twilio/voice/recording?mb=group%23grp_sales&c=%2B15550109999&n=%2B15550100031&cb=1`, params: { CallSid: callSid, RecordingSid: recordingSid, RecordingUrl: 'https://api.twilio.com/r/1', RecordingDuration: '12', RecordingStatus: 'completed' } }),
    );
    expect(res.body).toBe(EMPTY);
    expect(spilledSince(before)).toEqual([
      { kind: 'voicemail', recordingSid, mailbox: 'group#grp_sales', callSid, from: CALLER, to: NUMBER, recordingUrl: 'https://api.twilio.com/r/1', durationSeconds: 12, receivedAt: '2026-12-01T10:00:00.000Z' },
    ]);
  });

  test('the unrouted Record action answers <Hangup/> (never a second recording) and spills the voicemail', async () => {
    const before = spilled.items().length;
    const res = await voiceWebhook(down)(
      signedTwilioEvent({ url: `/twilio/voice/recording?mb=unrouted&c=%2B15550109999&n=%2B15550100031`, params: { CallSid: sid('CA'), From: CALLER, To: NUMBER, RecordingSid: sid('RE'), RecordingUrl: 'https://api.twilio.com/r/2', Digits: 'hangup' } }),
    );
    expect(res.body).toBe(HANGUP);
    expect(spilledSince(before)).toEqual([expect.objectContaining({ kind: 'voicemail', mailbox: 'unrouted' })]);
  });

  test('a flow voicemail’s Record action answers <Hangup/> even when its revision cannot be read', async () => {
    const res = await voiceWebhook(down)(
      signedTwilioEvent({ url: '/twilio/voice/step?f=flw_unknown&r=3&step=voicemail&applet=vm', params: { CallSid: sid('CA'), From: CALLER, To: NUMBER, RecordingSid: sid('RE'), RecordingUrl: 'https://api.twilio.com/r/3' } }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(HANGUP);
  });

  test('a transcription callback answers <Response/> and spills the transcript', async () => {
    const before = spilled.items().length;
    const recordingSid = sid('RE');
    const res = await voiceWebhook(down)(
      signedTwilioEvent({ url: '/twilio/voice/transcription', params: { CallSid: sid('CA'), RecordingSid: recordingSid, TranscriptionStatus: 'completed', TranscriptionText: 'Call me back' } }),
    );
    expect(res.body).toBe(EMPTY);
    expect(spilledSince(before)).toEqual([{ kind: 'transcript', recordingSid, text: 'Call me back' }]);
  });

  test('an incoming call gets the safe answer and its unrouted event is spilled for the report', async () => {
    const before = spilled.items().length;
    const callSid = sid('CA');
    const res = await voiceWebhook(down)(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: CALLER, To: NUMBER, CallStatus: 'ringing' } }));
    expect(res.body).toContain('<Record');
    // Its recording is routed later by the flow as it stood when the call came in: the URLs say when.
    expect(res.body).toContain('ra=2026-12-01T10%3A00%3A00.000Z');
    expect(spilledSince(before)).toEqual([{ kind: 'unrouted', number: NUMBER, sid: callSid, channel: 'call', at: '2026-12-01T10:00:00.000Z', reason: 'error' }]);
  });

  test('a text gets an empty <Response/>, and the text and its unrouted event are spilled', async () => {
    const before = spilled.items().length;
    const messageSid = sid('SM');
    const res = await smsWebhook(down)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: CALLER, To: NUMBER, Body: 'are you open?', NumMedia: '0' } }));
    expect(res.body).toBe(EMPTY);
    expect(spilledSince(before)).toEqual(
      expect.arrayContaining([
        // The flow could not be read: the drain routes it by the flow as it stood on arrival (routeAt).
        { kind: 'text', messageSid, mailbox: 'unrouted', from: CALLER, to: NUMBER, body: 'are you open?', receivedAt: '2026-12-01T10:00:00.000Z', routeAt: '2026-12-01T10:00:00.000Z' },
        { kind: 'unrouted', number: NUMBER, sid: messageSid, channel: 'sms', at: '2026-12-01T10:00:00.000Z', reason: 'error' },
      ]),
    );
    expect(spilledSince(before)).toHaveLength(2);
  });

  test('once replayed (twice, as after a crash), every spilled item is stored exactly once', async () => {
    const items = spilled.items();
    for (const _pass of [1, 2]) for (const item of items) await replay(item, healthy);
    const sales = await healthy.messages.list('group#grp_sales');
    expect(sales).toEqual([expect.objectContaining({ kind: 'voicemail', durationSeconds: 12 })]);
    const unrouted = await healthy.messages.list('unrouted');
    expect(unrouted.map((m) => m.kind).sort()).toEqual(['sms', 'voicemail']);
    const events = await healthy.state.unroutedSince(NUMBER, undefined);
    expect(events.map((e) => e.channel).sort()).toEqual(['call', 'sms']);
  });
});

describe('with DynamoDB up', () => {
  test('nothing is spilled: a flow voicemail and its transcript are stored directly', async () => {
    const deps = { ...healthy, spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN };
    const user = await healthy.directory.createUser({ name: 'Vic', phone: '+15550210009', available: true });
    const flow = await publishFlow(deps, undefined, flowDocumentSchema.parse({
      name: 'Direct',
      call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { user: user.id }, transcribe: true } } },
      sms: { start: 'in', applets: { in: { type: 'inbox', mailbox: { user: user.id } } } },
    }));
    const before = spilled.items().length;
    const recordingSid = sid('RE');
    const action = await voiceWebhook(deps)(
      signedTwilioEvent({ url: `/twilio/voice/step?f=${flow.id}&r=1&step=voicemail&applet=vm`, params: { CallSid: sid('CA'), From: CALLER, To: NUMBER, RecordingSid: recordingSid, RecordingUrl: 'https://api.twilio.com/r/9' } }),
    );
    expect(action.body).toBe(HANGUP);
    await voiceWebhook(deps)(signedTwilioEvent({ url: '/twilio/voice/transcription', params: { CallSid: sid('CA'), RecordingSid: recordingSid, TranscriptionStatus: 'completed', TranscriptionText: 'hi Vic' } }));
    expect(spilled.items().length).toBe(before);
    expect(await healthy.messages.list(`user#${user.id}`)).toEqual([expect.objectContaining({ id: recordingSid, transcript: 'hi Vic' })]);
  });
});

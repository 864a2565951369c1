// Issue 18 item 9 (DESIGN.md section 11): a text or voicemail that arrived while its number's flow could
// not be read was kept for `unrouted` with its arrival time (routeAt); when the store answers again the
// replay both drains use routes it by the number's flow as it stood at arrival: a text into the inbox its
// sms part picks, with that inbox's notifications and no late reply unless `lateReply`; a voicemail into
// the first voicemail applet its call part reaches without caller input. Stored and notified once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import type { SendAbout, TextSender } from '../../lambdas/carrier/text-sender';
import type { OutboundText } from '../../lambdas/flows/outbound';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { drainQueueBatch } from '../../lambdas/spill/drain-queue';
import { FileSpill } from '../../lambdas/spill/file-spill';
import { parseSpillItem } from '../../lambdas/spill/item-schema';
import { replay, type ReplayStores } from '../../lambdas/spill/replay';
import type { SpilledText, SpilledVoicemail } from '../../lambdas/spill/spill';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { createStores } from '../../lambdas/store/stores';
import { SpoolDrain } from '../../local/spool-drain';
import type { WebhookDeps } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

let t: TestTables;
let stores: ReturnType<typeof createStores>;
let sent: Array<{ text: OutboundText; about: SendAbout }>;
const texts: TextSender = {
  sendTexts: async (list, about) => {
    sent.push(...list.map((text) => ({ text, about })));
    return { sent: list.length, failed: 0 };
  },
};
/** What the drains give the replay: every store, and a carrier that only records what it is asked to send. */
const drain = (): ReplayStores => ({ ...stores, texts });

let ann: { id: string; phone: string };
let bob: { id: string; phone: string };
let sales: string;

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
  ann = (await stores.directory.createUser({ name: 'Ann', phone: '+15550201001', available: true })) as { id: string; phone: string };
  bob = (await stores.directory.createUser({ name: 'Bob', phone: '+15550201002', available: true })) as { id: string; phone: string };
  sales = (await stores.directory.createGroup({ name: 'Sales', members: [ann.id, bob.id] })).id;
});
afterAll(() => {
  t.client.destroy();
  t.doc.destroy();
});
beforeEach(() => {
  sent = [];
});

let n = 0;
const sid = (prefix: string) => `${prefix}${String(++n).padStart(32, '0')}`;
let numbers = 0;
const newNumber = () => `+1555030${String(++numbers).padStart(4, '0')}`;

/** Publishes `doc` as revision after revision of flow `id`, each at its own time. */
async function publish(id: string, docs: Array<[unknown, string]>): Promise<string> {
  let head;
  for (const [doc, at] of docs) head = await stores.flows.publish(id, flowDocumentSchema.parse(doc), head, new Date(at));
  return id;
}
/** A number of its own on the flow. */
async function numberOn(flowId: string | undefined): Promise<string> {
  const number = newNumber();
  await stores.numbers.register(number, undefined, flowId, new Date('2026-11-01T00:00:00Z'));
  return number;
}

/** A text the safe answer kept for `unrouted` because the number's flow could not be read. */
const lateText = (to: string, at: string, body = 'Is anyone there?'): SpilledText => ({
  kind: 'text', messageSid: sid('SM'), mailbox: 'unrouted', from: '+15550109999', to, body, receivedAt: at, routeAt: at,
});
/** A recording into `unrouted` from the safe answer to a call whose flow could not be read. */
const lateVoicemail = (to: string, at: string, recordingSid = sid('RE')): SpilledVoicemail => ({
  kind: 'voicemail', recordingSid, mailbox: 'unrouted', callSid: sid('CA'), from: '+15550108888', to,
  recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingSid}`, durationSeconds: 42,
  receivedAt: new Date(Date.parse(at) + 60_000).toISOString(), routeAt: at,
});

const ids = async (box: Parameters<typeof stores.messages.list>[0]) => (await stores.messages.list(box)).map((m) => m.id);

// Weekdays 09:00-17:00 in New York; 2026-12-07 is a Monday, 2026-12-05 a Saturday.
const OPEN = '2026-12-07T15:00:00.000Z'; // 10:00 in New York
const CLOSED = '2026-12-05T15:00:00.000Z';
const hours = (open: string, closed: string) => ({
  type: 'hours', timezone: 'America/New_York',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
  open, closed,
});

describe('a text kept while its flow could not be read', () => {
  let flow: string;
  let to: string;
  beforeAll(async () => {
    flow = await publish('flw_late_text', [[{
      name: 'Late texts',
      sms: {
        start: 'thanks',
        applets: {
          thanks: { type: 'reply', text: 'Thanks, we will get back to you.', next: 'in' },
          in: { type: 'inbox', mailbox: { user: ann.id }, notify: true },
        },
      },
    }, '2026-11-01T00:00:00Z']]);
    to = await numberOn(flow);
  });

  test('lands in the inbox its sms part picks, notifies the inbox once through the carrier, and sends no late reply', async () => {
    const text = lateText(to, OPEN);
    expect(await replay(text, drain())).toBe(true);
    expect(await ids(`user#${ann.id}`)).toContain(text.messageSid);
    expect(await ids('unrouted')).not.toContain(text.messageSid);
    expect(sent).toEqual([{ text: { from: to, to: ann.phone, body: `From +15550109999: ${text.body}` }, about: { reason: 'inbox_notify', sid: text.messageSid } }]);
    // Replayed again (SQS redelivers, the local drain crashed after it): stored and notified once.
    expect(await replay(text, drain())).toBe(false);
    expect((await ids(`user#${ann.id}`)).filter((id) => id === text.messageSid)).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  test('the reply goes out late only when the reply applet says lateReply: true', async () => {
    const eager = await publish('flw_late_reply', [[{
      name: 'Late reply',
      sms: { start: 'thanks', applets: { thanks: { type: 'reply', text: 'Sorry for the wait.', lateReply: true, next: 'in' }, in: { type: 'inbox', mailbox: { user: bob.id } } } },
    }, '2026-11-01T00:00:00Z']]);
    const number = await numberOn(eager);
    const text = lateText(number, OPEN);
    expect(await replay(text, drain())).toBe(true);
    expect(await ids(`user#${bob.id}`)).toContain(text.messageSid);
    expect(sent).toEqual([{ text: { from: number, to: '+15550109999', body: 'Sorry for the wait.' }, about: { reason: 'reply', sid: text.messageSid } }]);
  });

  test('hours are evaluated at the arrival time, not when the store came back', async () => {
    const hoursFlow = await publish('flw_late_hours', [[{
      name: 'Office hours',
      sms: { start: 'h', applets: { h: hours('day', 'night'), day: { type: 'inbox', mailbox: { user: ann.id } }, night: { type: 'inbox', mailbox: { user: bob.id } } } },
    }, '2026-11-01T00:00:00Z']]);
    const number = await numberOn(hoursFlow);
    const [inHours, afterHours] = [lateText(number, OPEN), lateText(number, CLOSED)];
    await replay(afterHours, drain());
    await replay(inHours, drain());
    expect(await ids(`user#${ann.id}`)).toContain(inHours.messageSid);
    expect(await ids(`user#${bob.id}`)).toContain(afterHours.messageSid);
    expect(await ids(`user#${bob.id}`)).not.toContain(inHours.messageSid);
  });

  test('the flow is read as it stood at arrival: the revision current then, not one published since', async () => {
    const inbox = (user: string) => ({ name: 'Moving inbox', sms: { start: 'in', applets: { in: { type: 'inbox', mailbox: { user } } } } });
    const moving = await publish('flw_late_rev', [[inbox(ann.id), '2026-11-01T00:00:00Z'], [inbox(bob.id), '2026-12-06T00:00:00Z'], [inbox(ann.id), '2026-12-08T00:00:00Z']]);
    const number = await numberOn(moving);
    const [before, between] = [lateText(number, CLOSED), lateText(number, OPEN)]; // Dec 5 (revision 1), Dec 7 (revision 2)
    await replay(before, drain());
    await replay(between, drain());
    expect(await ids(`user#${ann.id}`)).toContain(before.messageSid);
    expect(await ids(`user#${bob.id}`)).toContain(between.messageSid);
  });

  test('stays in unrouted when its number still has no flow, or is not one of ours', async () => {
    const [spare, stranger] = [lateText(await numberOn(undefined), OPEN), lateText('+15550309999', OPEN)];
    expect(await replay(spare, drain())).toBe(true);
    expect(await replay(stranger, drain())).toBe(true);
    expect(await ids('unrouted')).toEqual(expect.arrayContaining([spare.messageSid, stranger.messageSid]));
    expect(sent).toEqual([]);
  });

  test('a forward is sent once, late, and the text kept in unrouted (a forward stores nothing else)', async () => {
    const fwd = await publish('flw_late_fwd', [[{ name: 'Forward', sms: { start: 'f', applets: { f: { type: 'forward', to: '+15550307777' } } } }, '2026-11-01T00:00:00Z']]);
    const text = lateText(await numberOn(fwd), OPEN);
    await replay(text, drain());
    await replay(text, drain());
    expect(await ids('unrouted')).toContain(text.messageSid);
    expect(sent.map((s) => [s.text.to, s.about.reason])).toEqual([['+15550307777', 'forward']]);
  });

  test('without the routing stores (an older drain) it is stored in unrouted, as spilled', async () => {
    const text = lateText(to, OPEN);
    expect(await replay(text, { messages: stores.messages, state: stores.state })).toBe(true);
    expect(await ids('unrouted')).toContain(text.messageSid);
  });

  test('a store that does not answer fails the replay (the item waits), a flow the router cannot run does not', async () => {
    const down = createStores(createDynamoDb({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }), t.names);
    await expect(replay(lateText(to, OPEN), { ...down, texts })).rejects.toThrow();
    const text = lateText(to, OPEN);
    const broken: ReplayStores = { ...drain(), flows: { revisionAt: () => Promise.reject(new TypeError('a bug')) } };
    expect(await replay(text, broken)).toBe(true);
    expect(await ids('unrouted')).toContain(text.messageSid);
  });
});

describe('a voicemail recorded into unrouted while its flow could not be read', () => {
  let to: string;
  beforeAll(async () => {
    const flow = await publish('flw_late_vm', [[{
      name: 'Late voicemail',
      call: {
        start: 'h',
        applets: {
          h: hours('greet', 'ring'),
          greet: { type: 'say', prompt: { text: 'Hello.' }, next: 'menu' },
          menu: { type: 'menu', prompt: { text: 'Press 1 for sales.' }, options: { '1': 'salesVm' }, fallback: 'frontVm' },
          salesVm: { type: 'voicemail', mailbox: { group: sales } },
          frontVm: { type: 'voicemail', mailbox: { user: ann.id } },
          ring: { type: 'dial', user: bob.id, noAnswer: 'nightVm' },
          nightVm: { type: 'voicemail', mailbox: { user: bob.id }, notify: true },
        },
      },
    }, '2026-11-01T00:00:00Z']]);
    to = await numberOn(flow);
  });

  test('lands in the first voicemail reachable without caller input: a dial nobody answered, at the arrival time', async () => {
    const vm = lateVoicemail(to, CLOSED);
    expect(await replay(vm, drain())).toBe(true);
    expect(await stores.messages.list(`user#${bob.id}`)).toEqual(expect.arrayContaining([expect.objectContaining({ id: vm.recordingSid, kind: 'voicemail', durationSeconds: 42 })]));
    expect(sent).toEqual([{ text: { from: to, to: bob.phone, body: 'New voicemail from +15550108888, 0:42' }, about: { reason: 'voicemail_notify', sid: vm.callSid } }]);
  });

  test('a menu is passed by its fallback (no key pressed), never by an option', async () => {
    const vm = lateVoicemail(to, OPEN);
    await replay(vm, drain());
    expect(await ids(`user#${ann.id}`)).toContain(vm.recordingSid);
    expect(await ids(`group#${sales}`)).not.toContain(vm.recordingSid);
  });

  test('replayed twice and in reverse order (transcript first, status callback and Record action), it is stored and notified once', async () => {
    const recordingSid = sid('RE');
    const action = lateVoicemail(to, CLOSED, recordingSid);
    const callback = { ...action, receivedAt: new Date(Date.parse(action.receivedAt) + 1_000).toISOString() };
    const items = [{ kind: 'transcript' as const, recordingSid, text: 'Call me back' }, callback, action];
    for (const item of [...items, ...items.reverse()]) await replay(item, drain());
    const box = (await stores.messages.list(`user#${bob.id}`)).filter((m) => m.id === recordingSid);
    expect(box).toEqual([expect.objectContaining({ id: recordingSid, transcript: 'Call me back' })]);
    expect(await ids('unrouted')).not.toContain(recordingSid);
    expect(sent.filter((s) => s.about.reason === 'voicemail_notify')).toHaveLength(1);
  });

  test('stays in unrouted when the number has no flow, or the flow reaches no voicemail without input', async () => {
    const hangup = await publish('flw_late_hangup', [[{ name: 'Hang up', call: { start: 'm', applets: { m: { type: 'menu', prompt: { text: 'Press 1.' }, options: { '1': 'vm' } }, vm: { type: 'voicemail', mailbox: { user: ann.id } } } } }, '2026-11-01T00:00:00Z']]);
    const [spare, noFallback] = [lateVoicemail(await numberOn(undefined), OPEN), lateVoicemail(await numberOn(hangup), OPEN)];
    await replay(spare, drain());
    await replay(noFallback, drain());
    expect(await ids('unrouted')).toEqual(expect.arrayContaining([spare.recordingSid, noFallback.recordingSid]));
  });
});

describe('through both drains', () => {
  let to: string;
  beforeAll(async () => {
    to = await numberOn(await publish('flw_late_drains', [[{ name: 'Drains', sms: { start: 'in', applets: { in: { type: 'inbox', mailbox: { group: sales } } } } }, '2026-11-01T00:00:00Z']]));
  });

  test('the item survives JSON with its arrival time', () => {
    const text = lateText(to, OPEN);
    expect(parseSpillItem(JSON.stringify(text))).toEqual(text);
    const vm = lateVoicemail(to, OPEN);
    expect(parseSpillItem(JSON.stringify(vm))).toEqual(vm);
  });

  test('the spill-drain Lambda’s batch routes it', async () => {
    const text = lateText(to, OPEN);
    const record = { messageId: 'late-1', body: JSON.stringify(text), attributes: { ApproximateReceiveCount: '1' } } as unknown as SQSRecord;
    expect(await drainQueueBatch({ Records: [record, record] }, drain())).toEqual({ batchItemFailures: [] });
    expect((await ids(`group#${sales}`)).filter((id) => id === text.messageSid)).toHaveLength(1);
  });

  test('the local spool drain routes it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'late-spool-'));
    try {
      const spill = new FileSpill(dir);
      const [a, b] = [lateText(to, OPEN), lateText(to, CLOSED)];
      for (const item of [a, b, a]) await spill.put(item);
      expect(await new SpoolDrain(spill, drain()).drainNow()).toEqual({ replayed: 3, remaining: 0 });
      const box = await ids(`group#${sales}`);
      expect(box.filter((id) => id === a.messageSid || id === b.messageSid).sort()).toEqual([a.messageSid, b.messageSid].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('through the webhooks, when the store answers again by the time the item is written', () => {
  let to: string;
  let spilled: TestSpill;
  beforeAll(async () => {
    to = await numberOn(await publish('flw_late_blip', [[{
      name: 'Blip',
      call: { start: 'ring', applets: { ring: { type: 'dial', user: ann.id, noAnswer: 'vm' }, vm: { type: 'voicemail', mailbox: { user: ann.id } } } },
      sms: { start: 'in', applets: { in: { type: 'inbox', mailbox: { user: ann.id } } } },
    }, '2026-11-01T00:00:00Z']]));
    spilled = tempSpill();
  });
  afterAll(() => spilled.dispose());

  /** The webhooks' deps, whose first number read fails as an outage does (a blip), then answers. */
  const blip = (): WebhookDeps => {
    let failed = false;
    const unavailable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { name: 'TimeoutError' });
    return {
      ...stores,
      numbers: { find: (n: string) => (failed ? stores.numbers.find(n) : ((failed = true), Promise.reject(unavailable))) },
      spill: spilled.spill,
      now: () => new Date(OPEN),
      authToken: async () => TEST_AUTH_TOKEN,
      texts,
    };
  };

  test('a text whose number could not be read is routed into its flow’s inbox at once, not kept in unrouted', async () => {
    const messageSid = sid('SM');
    const before = spilled.items().length;
    const res = await smsWebhook(blip())(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: '+15550109999', To: to, Body: 'hello?', NumMedia: '0' } }));
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await ids(`user#${ann.id}`)).toContain(messageSid);
    expect(await ids('unrouted')).not.toContain(messageSid);
    expect(spilled.items().slice(before).filter((i) => i.kind === 'text')).toEqual([]);
  });

  test('a call whose number could not be read records with its arrival time, and the recording is routed by it', async () => {
    const callSid = sid('CA');
    const res = await voiceWebhook(blip())(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: '+15550108888', To: to, CallStatus: 'ringing' } }));
    const action = /<Record [^>]*action="([^"]+)"/.exec(res.body)?.[1]?.replaceAll('&amp;', '&');
    expect(action).toContain('mb=unrouted');
    expect(action).toContain(`ra=${encodeURIComponent(OPEN)}`);
    const recordingSid = sid('RE');
    const url = action!.slice(action!.indexOf('/twilio/'));
    const done = await voiceWebhook({ ...blip(), numbers: stores.numbers })(
      signedTwilioEvent({ url, params: { CallSid: callSid, From: '+15550108888', To: to, RecordingSid: recordingSid, RecordingUrl: 'https://api.twilio.com/r/9', RecordingDuration: '7', Digits: 'hangup' } }),
    );
    expect(done.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    expect(await ids(`user#${ann.id}`)).toContain(recordingSid);
    expect(await ids('unrouted')).not.toContain(recordingSid);
  });
});

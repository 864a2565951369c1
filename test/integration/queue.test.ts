// Call queues through the voice webhook against DynamoDB Local (issue 22 item 1), every request signed as
// Twilio signs it: a caller joins (<Enqueue>, recorded, a queue job handed to the job queue), waits (the wait
// URL), is offered to the members (the job worker's offerQueue, placing calls through the carrier port),
// is taken by the first to answer (<Dial><Queue>, the bridge noted on the caller's end), and the offers
// nobody needs are hung up; another leaves at maxWaitSeconds for the timeout branch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { publishFlow } from '../../lambdas/admin/flows';
import { listQueues } from '../../lambdas/admin/queues';
import type { NewCall } from '../../lambdas/carrier/carrier-link';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { DirJobQueue } from '../../lambdas/jobs/dir-job-queue';
import { offerQueue } from '../../lambdas/jobs/queue-offers';
import { createStores } from '../../lambdas/store/stores';
import type { WebhookHandler } from '../../lambdas/webhooks/guard';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { createTestTables } from '../support/dynamo';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN, TEST_DOMAIN } from '../support/twilio-events';
import { twimlViolations } from '../support/twiml-structure';

const NUMBER = '+15550100097';
let stores: ReturnType<typeof createStores>;
let webhook: WebhookHandler;
let jobQueue: DirJobQueue;
let dir: string;
const spilled = tempSpill();
let ann: { id: string };
let bob: { id: string };

/** The carrier's Calls API as the worker sees it (the real client is exercised end to end in test/e2e/queue.test.ts). */
const placed: Array<NewCall & { sid: string }> = [];
const cancelled: string[] = [];
let nextSid = 0;
const carrier = {
  createCall: async (call: NewCall) => {
    const sid = `CA${(++nextSid).toString(16).padStart(32, 'a')}`;
    placed.push({ ...call, sid });
    return { sid, status: 'queued' };
  },
  cancelCall: async (sid: string) => {
    cancelled.push(sid);
  },
};
const offer = () => offerQueue('front desk', { ...stores, carrier: async () => carrier, publicUrl: `https://${TEST_DOMAIN}`, now: () => new Date() });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-queue-test-'));
  jobQueue = new DirJobQueue(dir);
  const t = await createTestTables();
  stores = createStores(t.doc, t.names);
  webhook = voiceWebhook({ ...stores, spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN, jobs: jobQueue });
  [ann, bob] = await Promise.all([
    stores.directory.createUser({ name: 'Ann', phone: '+15550250001', available: true }),
    stores.directory.createUser({ name: 'Bob', client: 'bob', available: true }),
  ]);
  const away = await stores.directory.createUser({ name: 'Cat', phone: '+15550250003', available: false });
  const desk = await stores.directory.createGroup({ name: 'Desk', members: [ann.id, bob.id, away.id] });
  const flow = await publishFlow({ ...stores, now: () => new Date() }, undefined, flowDocumentSchema.parse({
    name: 'Queued',
    call: {
      start: 'q',
      applets: {
        q: { type: 'queue', name: 'front desk', targets: [{ group: desk.id }], announceEverySeconds: 30, maxWaitSeconds: 120, timeout: 'vm' },
        vm: { type: 'voicemail', mailbox: { group: desk.id } },
      },
    },
  }));
  await stores.numbers.register(NUMBER, 'Front desk', flow.id, new Date());
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  spilled.dispose();
});

const local = (url: string) => url.replace(/&amp;/g, '&').replace(/^https:\/\/[^/]+/, '');
const attr = (xml: string, element: string, name: string) => local(new RegExp(`<${element}[^>]*\\s${name}="([^"]+)"`).exec(xml)![1]);
const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const post = (url: string, params: Record<string, string>) => webhook(signedTwilioEvent({ url, params }));
const jobs = () => jobQueue.pending().map((f) => jobQueue.read(f));

describe('a caller a member takes', () => {
  const caller = { CallSid: sid(1), From: '+15550259901', To: NUMBER };
  let enqueue: string;

  test('joins: <Enqueue> into the named queue, recorded as waiting with who may take them, and the queue is looked at', async () => {
    const answer = await post('/twilio/voice', { ...caller, CallStatus: 'ringing' });
    expect(twimlViolations(answer.body, 'voice')).toEqual([]);
    expect(answer.body).toMatch(/<Response><Enqueue action="[^"]+step=queue&amp;applet=q" method="POST" waitUrl="[^"]+\/twilio\/voice\/queue-wait\?f=[^"]+&amp;a=q" waitUrlMethod="POST">front desk<\/Enqueue><\/Response>/);
    enqueue = answer.body;
    const snapshot = await stores.queues.snapshot('front desk');
    expect(snapshot.waiting).toEqual([expect.objectContaining({ callSid: caller.CallSid, from: caller.From, to: NUMBER, applet: 'q' })]);
    expect(await stores.queues.names()).toContain('front desk');
    expect(jobs()).toEqual([expect.objectContaining({ kind: 'queue', queue: 'front desk' })]);
  });

  test('a replayed incoming request does not make them join twice', async () => {
    await post('/twilio/voice', { ...caller, CallStatus: 'ringing' });
    expect((await stores.queues.snapshot('front desk')).waiting).toHaveLength(1);
  });

  test('waits: the wait URL says the position and loops the hold prompt, the position again after announceEverySeconds', async () => {
    const wait = attr(enqueue, 'Enqueue', 'waitUrl');
    const first = await post(wait, { ...caller, QueuePosition: '1', QueueTime: '0', QueueSid: 'QU1', CurrentQueueSize: '1', AvgQueueTime: '0' });
    expect(twimlViolations(first.body, 'voice')).toEqual([]);
    expect(first.body).toMatch(/<Say>You are next in line\.<\/Say><Say loop="\d+">Thanks for waiting\./);
    const again = local(/<Redirect[^>]*>([^<]+)<\/Redirect>/.exec(first.body)![1]);
    expect(again).toContain('la=0');
    const quiet = await post(again, { ...caller, QueuePosition: '1', QueueTime: '20' });
    expect(quiet.body).not.toContain('in line');
    const due = await post(again, { ...caller, QueuePosition: '1', QueueTime: '31' });
    expect(due.body).toContain('You are next in line.');
  });

  test('is offered to every available member at once, from the number called, with our TwiML and status URLs', async () => {
    expect(await offer()).toEqual({ placed: 2, cancelled: 0 });
    expect(placed.map((p) => [p.to, p.from])).toEqual([['+15550250001', NUMBER], ['client:bob', NUMBER]]); // Cat is away
    expect(placed[0].url).toBe(`https://${TEST_DOMAIN}/twilio/voice/agent?q=front+desk&u=${ann.id}`);
    expect(placed[0].statusCallback).toBe(`https://${TEST_DOMAIN}/twilio/voice/agent-status?q=front+desk&u=${ann.id}`);
    expect((await stores.queues.snapshot('front desk')).offers.map((o) => [o.userId, o.state])).toEqual([[ann.id, 'ringing'], [bob.id, 'ringing']]);
    // Looked at again meanwhile: nothing more to do.
    expect(await offer()).toEqual({ placed: 0, cancelled: 0 });
  });

  test('the first member to answer is told the queue and connected to its head; their offer is answered, they are on a call', async () => {
    const [annOffer] = placed;
    const answer = await post(local(annOffer.url), { CallSid: annOffer.sid, From: NUMBER, To: '+15550250001', CallStatus: 'in-progress', Direction: 'outbound-api' });
    expect(twimlViolations(answer.body, 'voice')).toEqual([]);
    expect(answer.body).toMatch(/<Say>Call from the front desk queue\.<\/Say><Dial><Queue url="[^"]+\/twilio\/voice\/queue-bridged\?q=front\+desk&amp;u=[^"]+&amp;o=[^"]+" method="POST">front desk<\/Queue><\/Dial>/);
    expect((await stores.queues.snapshot('front desk')).offers.find((o) => o.agentCallSid === annOffer.sid)?.state).toBe('answered');
    expect((await stores.presence.presence([ann.id])).get(ann.id)?.onCall).toBe(true);

    // Twilio runs the <Queue url> on the caller's end: no longer waiting; Bob's offer, still ringing, is hung up.
    const bridged = await post(attr(answer.body, 'Queue', 'url'), { CallSid: caller.CallSid, QueueSid: 'QU1', QueueTime: '12', DequeingCallSid: annOffer.sid });
    expect(bridged.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await stores.queues.snapshot('front desk')).waiting).toEqual([]);
    expect(await offer()).toEqual({ placed: 0, cancelled: 1 });
    expect(cancelled).toEqual([placed[1].sid]);
  });

  test('the conversation ends: the caller\'s action (QueueResult=bridged) hangs up; the member\'s call ends and so does their offer', async () => {
    const done = await post(attr(enqueue, 'Enqueue', 'action'), { ...caller, QueueResult: 'bridged', QueueTime: '12', CallStatus: 'completed' });
    expect(done.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
    const [annOffer, bobOffer] = placed;
    await post(local(annOffer.statusCallback), { CallSid: annOffer.sid, CallStatus: 'completed', CallDuration: '60' });
    await post(local(bobOffer.statusCallback), { CallSid: bobOffer.sid, CallStatus: 'canceled' });
    const snapshot = await stores.queues.snapshot('front desk');
    expect(snapshot.offers).toEqual([]);
    expect(snapshot.declined.size).toBe(0); // canceled by us is not a decline
    const presence = (await stores.presence.presence([ann.id])).get(ann.id)!;
    expect(presence.onCall).toBe(false);
    expect(presence.lastCallEndedAt).toBeDefined();
  });
});

describe('a caller nobody takes', () => {
  const caller = { CallSid: sid(2), From: '+15550259902', To: NUMBER };

  test('members who let the offer ring out are not offered it again at once; at maxWaitSeconds the caller leaves for the timeout branch', async () => {
    placed.length = 0;
    const answer = await post('/twilio/voice', { ...caller, CallStatus: 'ringing' });
    expect(await offer()).toEqual({ placed: 2, cancelled: 0 });
    for (const p of placed) await post(local(p.statusCallback), { CallSid: p.sid, CallStatus: p.to.startsWith('client:') ? 'busy' : 'no-answer' });
    const snapshot = await stores.queues.snapshot('front desk');
    expect([...snapshot.declined.keys()].sort()).toEqual([ann.id, bob.id].sort());
    expect(await offer()).toEqual({ placed: 0, cancelled: 0 });

    const wait = attr(answer.body, 'Enqueue', 'waitUrl');
    const leave = await post(wait, { ...caller, QueuePosition: '1', QueueTime: '120' });
    expect(leave.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Leave/></Response>');
    const timeout = await post(attr(answer.body, 'Enqueue', 'action'), { ...caller, QueueResult: 'leave', QueueTime: '120' });
    expect(timeout.body).toContain('<Record '); // the timeout branch: voicemail
    expect((await stores.queues.snapshot('front desk')).waiting).toEqual([]);
  });

  test('the dashboard\'s view: waiting callers with their wait, and who is offered', async () => {
    const caller3 = { CallSid: sid(3), From: '+15550259903', To: NUMBER };
    await post('/twilio/voice', { ...caller3, CallStatus: 'ringing' });
    const { queues } = await listQueues({ ...stores, now: () => new Date(Date.now() + 90_000) });
    const desk = queues.find((q) => q.name === 'front desk')!;
    expect(desk.waiting.map((w) => w.from)).toEqual(['+15550259903']);
    expect(desk.longestWaitSeconds).toBeGreaterThanOrEqual(89);
  });
});

test('a member who picks up after the caller is gone hears so and is hung up', async () => {
  await stores.queues.leave('front desk', sid(3), 'left', new Date());
  const answer = await post(`/twilio/voice/agent?q=${encodeURIComponent('front desk')}&u=${ann.id}`, { CallSid: sid(9), From: NUMBER, To: '+15550250001', CallStatus: 'in-progress' });
  expect(answer.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>The caller is no longer waiting. Thank you. Goodbye.</Say><Hangup/></Response>');
});

test('a job queue that refuses the queue job still queues the caller; the next wait request asks again', async () => {
  const refused: string[] = [];
  const flaky = voiceWebhook({
    ...stores, spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN,
    jobs: { put: async (jobs) => { refused.push(...jobs.map((j) => j.id)); throw new Error('SQS is down'); } },
  });
  const caller = { CallSid: sid(4), From: '+15550259904', To: NUMBER };
  const answer = await flaky(signedTwilioEvent({ url: '/twilio/voice', params: { ...caller, CallStatus: 'ringing' } }));
  expect(answer.body).toContain('<Enqueue');
  expect((await stores.queues.snapshot('front desk')).waiting.map((w) => w.callSid)).toContain(caller.CallSid);
  const wait = await flaky(signedTwilioEvent({ url: attr(answer.body, 'Enqueue', 'waitUrl'), params: { ...caller, QueuePosition: '1', QueueTime: '0' } }));
  expect(wait.body).toContain('<Say>You are next in line.</Say>');
  expect(refused.map((id) => id.split(':')[2])).toEqual(['join', 'tick']);
});

// DESIGN.md section 5, idempotency: an incoming CallSid seen before does not advance a round-robin
// counter again, and neither does the SDK sending the same update twice. Against DynamoDB Local.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { DynamoStateStore, ROUND_ROBIN_REMEMBERS } from '../../lambdas/store/state-store';
import { createStores } from '../../lambdas/store/stores';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

// Nothing spills while DynamoDB Local answers; the webhooks need somewhere to put what it would not take.
const spilled = tempSpill();
afterAll(() => spilled.dispose());

let t: TestTables;
let state: DynamoStateStore;
const sid = (n: number) => `CA${String(n).padStart(32, '0')}`;
let counterKeys = 0;
const freshKey = () => `flw_test:ring:grp_${++counterKeys}`;

beforeAll(async () => {
  t = await createTestTables();
  state = new DynamoStateStore(t.doc, t.names.state);
});

const counter = async (key: string) =>
  (await t.doc.send(new GetCommand({ TableName: t.names.state, Key: { pk: `rr#${key}`, sk: '-' }, ConsistentRead: true }))).Item;

describe('nextRoundRobinStart', () => {
  it('advances once per CallSid: the same CallSid again gets the same start', async () => {
    const key = freshKey();
    expect(await state.nextRoundRobinStart(key, 3, sid(1))).toBe(0);
    expect(await state.nextRoundRobinStart(key, 3, sid(2))).toBe(1);
    expect(await state.nextRoundRobinStart(key, 3, sid(1))).toBe(0); // replay
    expect(await state.nextRoundRobinStart(key, 3, sid(2))).toBe(1); // replay
    expect(await state.nextRoundRobinStart(key, 3, sid(3))).toBe(2);
    expect(await state.nextRoundRobinStart(key, 3, sid(4))).toBe(0);
    expect((await counter(key))?.calls).toBe(4);
  });

  it('an update the SDK sends twice (the first answer lost) advances the counter once', async () => {
    const key = freshKey();
    // A client whose every UpdateItem reaches DynamoDB twice, as when the SDK retries after a timeout
    // that hid a successful first attempt: the caller only sees the second answer.
    // Its own client: a document client shares the middleware stack of the client it wraps.
    const twice = createDynamoDb({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
    let sent = 0;
    const send = twice.send.bind(twice);
    twice.send = async (command) => {
      if (!(command instanceof UpdateCommand)) return send(command);
      sent++;
      await send(command).catch(() => undefined); // lost on the way back
      sent++;
      return send(command);
    };
    const retried = new DynamoStateStore(twice, t.names.state);
    expect(await retried.nextRoundRobinStart(key, 4, sid(10))).toBe(0);
    expect(await retried.nextRoundRobinStart(key, 4, sid(11))).toBe(1);
    expect(await retried.nextRoundRobinStart(key, 4, sid(12))).toBe(2);
    expect(sent).toBeGreaterThanOrEqual(6); // every advance really was sent twice
    expect((await counter(key))?.calls).toBe(3);
    expect(await state.nextRoundRobinStart(key, 4, sid(13))).toBe(3);
  });

  it('concurrent first calls each get their own start, and concurrent replays of one call share one', async () => {
    const key = freshKey();
    const starts = await Promise.all(Array.from({ length: 12 }, (_, i) => state.nextRoundRobinStart(key, 100, sid(100 + i))));
    expect([...starts].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const replays = await Promise.all(Array.from({ length: 6 }, () => state.nextRoundRobinStart(key, 100, sid(200))));
    expect(new Set(replays)).toEqual(new Set([12]));
    expect((await counter(key))?.calls).toBe(13);
  });

  it('remembers the latest CallSids only: past the high mark the oldest are forgotten, the recent still answer the same', async () => {
    const key = freshKey();
    const n = ROUND_ROBIN_REMEMBERS.high + 1;
    for (let i = 0; i < n; i++) await state.nextRoundRobinStart(key, 1000, sid(300 + i));
    const item = await counter(key);
    expect(Object.keys(item?.recent ?? {}).length).toBe(ROUND_ROBIN_REMEMBERS.low);
    expect(item?.calls).toBe(n);
    expect(await state.nextRoundRobinStart(key, 1000, sid(300 + n - 1))).toBe(n - 1); // the latest is still known
    expect((await counter(key))?.calls).toBe(n);
  });

  it('goes on from a counter written before CallSids were remembered', async () => {
    const key = freshKey();
    await t.doc.send(new PutCommand({ TableName: t.names.state, Item: { pk: `rr#${key}`, sk: '-', calls: 7 } }));
    expect(await state.nextRoundRobinStart(key, 3, sid(400))).toBe(7 % 3);
    expect(await state.nextRoundRobinStart(key, 3, sid(400))).toBe(7 % 3);
    expect(await state.nextRoundRobinStart(key, 3, sid(401))).toBe(8 % 3);
  });

  it('without a CallSid every call advances (the simulator and old callers)', async () => {
    const key = freshKey();
    await t.doc.send(new UpdateCommand({ TableName: t.names.state, Key: { pk: `rr#${key}`, sk: '-' }, UpdateExpression: 'SET calls = :c', ExpressionAttributeValues: { ':c': 2 } }));
    expect(await state.nextRoundRobinStart(key, 5)).toBe(2);
    expect(await state.nextRoundRobinStart(key, 5)).toBe(3);
  });
});

describe('a replayed incoming call through the voice webhook', () => {
  it('rings the same member as the first time, and the next new call goes on where it would have', async () => {
    const stores = createStores(t.doc, t.names);
    const deps = { ...stores, now: () => new Date() };
    const webhook = voiceWebhook({ ...deps, spill: spilled.spill, authToken: async () => TEST_AUTH_TOKEN });
    const users = await Promise.all(
      ['Ann', 'Bob', 'Cat'].map((name, i) => stores.directory.createUser({ name, phone: `+1555031000${i}`, available: true })),
    );
    const group = await stores.directory.createGroup({ name: 'Rotation', members: users.map((u) => u.id) });
    const flow = await publishFlow(deps, undefined, flowDocumentSchema.parse({
      name: 'Round robin',
      call: { start: 'ring', applets: { ring: { type: 'dial', group: group.id, strategy: 'round-robin', noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    }));
    await stores.numbers.register('+15550100080', 'Rotation line', flow.id, new Date());
    const incoming = (callSid: string) =>
      signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: '+15550109977', To: '+15550100080', CallStatus: 'ringing' } });
    const rung = async (callSid: string) => {
      const res = await webhook(incoming(callSid));
      expect(res.statusCode).toBe(200);
      return [...res.body.matchAll(/<Number[^>]*>([^<]+)<\/Number>/g)].map((m) => m[1]);
    };

    expect(await rung(sid(500))).toEqual(['+15550310000']);
    expect(await rung(sid(501))).toEqual(['+15550310001']);
    expect(await rung(sid(500))).toEqual(['+15550310000']); // the replay: Ann again, the counter untouched
    expect(await rung(sid(501))).toEqual(['+15550310001']);
    expect(await rung(sid(502))).toEqual(['+15550310002']); // the next new call: Cat, as if no replay had come
    expect(await rung(sid(503))).toEqual(['+15550310000']);
  });
});

describe('releaseRoundRobinStart: a call that took a start and did not dial gives it back', () => {
  it('moves the counter back once, only for an advance it remembers', async () => {
    const key = freshKey();
    expect(await state.nextRoundRobinStart(key, 3, sid(600))).toBe(0);
    expect(await state.nextRoundRobinStart(key, 3, sid(601))).toBe(1);
    expect(await state.releaseRoundRobinStart(key, sid(600))).toBe(true);
    expect((await counter(key))?.calls).toBe(1);
    expect(await state.releaseRoundRobinStart(key, sid(600))).toBe(false); // a second release changes nothing
    expect(await state.releaseRoundRobinStart(key, sid(699))).toBe(false); // nor one for a call that never advanced
    expect(await state.releaseRoundRobinStart(freshKey(), sid(600))).toBe(false); // nor one on a counter that does not exist
    expect((await counter(key))?.calls).toBe(1);
    expect(Object.keys((await counter(key))?.recent ?? {})).toEqual([sid(601)]);
  });
});

describe('the counter moves only for calls that dial (issue 18: +97 for 40 calls that rang)', () => {
  const line = '+15550100081';
  let stores: ReturnType<typeof createStores>;
  let flowId: string;
  let groupId: string;
  beforeAll(async () => {
    stores = createStores(t.doc, t.names);
    const users = await Promise.all(['Dee', 'Eve'].map((name, i) => stores.directory.createUser({ name, phone: `+1555031100${i}`, available: true })));
    groupId = (await stores.directory.createGroup({ name: 'Rotation 2', members: users.map((u) => u.id) })).id;
    flowId = (await publishFlow({ ...stores, now: () => new Date() }, undefined, flowDocumentSchema.parse({
      name: 'Round robin 2',
      call: { start: 'ring', applets: { ring: { type: 'dial', group: groupId, strategy: 'round-robin', noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    }))).id;
    await stores.numbers.register(line, 'Rotation line 2', flowId, new Date());
  });
  const calls = async () => (await counter(`${flowId}:ring:${groupId}`))?.calls ?? 0;
  const incoming = (callSid: string) => signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: '+15550109976', To: line, CallStatus: 'ringing' } });

  it('a trace write that fails after the advance: the caller gets the safe answer and the start is given back', async () => {
    const before = await calls();
    const traces = Object.create(stores.traces) as typeof stores.traces;
    traces.append = async () => Promise.reject(new Error('trace table unavailable'));
    const webhook = voiceWebhook({ ...stores, traces, now: () => new Date(), spill: spilled.spill, authToken: async () => TEST_AUTH_TOKEN });
    const res = await webhook(incoming(sid(700)));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('cannot take your call');
    expect(await calls()).toBe(before);
    // The next call dials and takes the start the failed one gave back.
    const ok = await voiceWebhook({ ...stores, now: () => new Date(), spill: spilled.spill, authToken: async () => TEST_AUTH_TOKEN })(incoming(sid(701)));
    expect(ok.body).toContain('<Dial');
    expect(await calls()).toBe(before + 1);
  });

  it('an advance still on its way when the answer deadline passes: the safe answer goes out, and the advance is given back when it lands', async () => {
    const before = await calls();
    let landed!: () => void;
    const hasLanded = new Promise<void>((r) => (landed = r));
    // The update reaches DynamoDB, but its answer comes back only after the 3 s answer deadline.
    const slow = Object.create(stores.state) as typeof stores.state;
    slow.nextRoundRobinStart = async (...args) => {
      const start = await stores.state.nextRoundRobinStart(...args);
      await new Promise((r) => setTimeout(r, 3_500));
      landed();
      return start;
    };
    const webhook = voiceWebhook({ ...stores, state: slow, now: () => new Date(), spill: spilled.spill, authToken: async () => TEST_AUTH_TOKEN });
    const res = await webhook(incoming(sid(702)));
    expect(res.body).toContain('cannot take your call');
    await hasLanded;
    // Given back once the update's answer is in (bounded wait: a few DynamoDB round trips).
    for (let i = 0; i < 50 && (await calls()) !== before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await calls()).toBe(before);
  }, 30_000);
});

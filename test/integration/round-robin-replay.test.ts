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

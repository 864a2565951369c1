// DESIGN.md section 10: a dial reads only the people it rings, so its cost does not grow with the
// directory. Counted in DynamoDB requests and items read, against DynamoDB Local.
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDb, type DynamoDb } from '../../lambdas/store/dynamo-client';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { DynamoDirectoryStore } from '../../lambdas/store/directory-store';
import { BATCH_GET_TRIES } from '../../lambdas/store/reads';
import { createStores } from '../../lambdas/store/stores';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { DirectoryCache, DIRECTORY_TTL_MS } from '../../lambdas/webhooks/caches';
import { createTestTables, type TestTables } from '../support/dynamo';
import { countReads } from '../support/read-counter';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

// Nothing spills while DynamoDB Local answers; the webhooks need somewhere to put what it would not take.
const spilled = tempSpill();
afterAll(() => spilled.dispose());

let t: TestTables;
let counted: DynamoDb;
let reads: ReturnType<typeof countReads>;
let stores: ReturnType<typeof createStores>;

beforeAll(async () => {
  t = await createTestTables();
  // Its own client, so the counter sees only what the webhook sends.
  counted = createDynamoDb({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  reads = countReads(counted);
  stores = createStores(t.doc, t.names);
});

describe('a group dial', () => {
  const NUMBER = '+15550100090';
  let groupId: string;

  beforeAll(async () => {
    const deps = { ...stores, now: () => new Date() };
    const team = await Promise.all(
      ['Ann', 'Bob', 'Cat'].map((name, i) => stores.directory.createUser({ name, phone: `+1555032000${i}`, available: true })),
    );
    groupId = (await stores.directory.createGroup({ name: 'Team', members: team.map((u) => u.id) })).id;
    const flow = await publishFlow(deps, undefined, flowDocumentSchema.parse({
      name: 'Team line',
      call: { start: 'ring', applets: { ring: { type: 'dial', group: groupId, noAnswer: 'vm' }, vm: { type: 'voicemail', mailbox: { group: groupId } } } },
    }));
    await stores.numbers.register(NUMBER, 'Team line', flow.id, new Date());
  });

  /** One incoming call on a fresh webhook (a cold container: nothing cached), counted. */
  async function dial(callSid: string) {
    const webhook = voiceWebhook({ ...createStores(counted, t.names), spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN });
    reads.reset();
    const res = await webhook(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: '+15550109966', To: NUMBER, CallStatus: 'ringing' } }));
    const rung = [...res.body.matchAll(/<Number[^>]*>([^<]+)<\/Number>/g)].map((m) => m[1]);
    return { rung, requests: reads.requests, items: reads.items };
  }

  it('reads the same with 3,000 users in the directory as with 3', async () => {
    const small = await dial(`CA${'1'.repeat(32)}`);
    expect(small.rung).toEqual(['+15550320000', '+15550320001', '+15550320002']);

    // 2,997 more users (and a few groups) that this flow never rings.
    for (let i = 0; i < 2997; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, 2997 - i) }, (_, j) =>
          stores.directory.createUser({ name: `Extra ${i + j}`, phone: `+1555040${String(i + j).padStart(4, '0')}`, available: true }),
        ),
      );
    }
    expect((await stores.directory.listUsers()).length).toBe(3000);

    const large = await dial(`CA${'2'.repeat(32)}`);
    expect(large.rung).toEqual(small.rung);
    expect({ requests: large.requests, items: large.items }).toEqual({ requests: small.requests, items: small.items });
    // number + flow head, the group, its 3 members: 6 items; + BatchGet twice, the trace write.
    expect(small.items).toBe(6);
    expect(small.requests).toBe(5);
  }, 120_000);

  it('within the cache TTL a second call of the same flow reads no people at all', async () => {
    const webhook = voiceWebhook({ ...createStores(counted, t.names), spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN });
    const call = (sid: string) => webhook(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: sid, From: '+15550109966', To: NUMBER, CallStatus: 'ringing' } }));
    await call(`CA${'3'.repeat(32)}`);
    reads.reset();
    const second = await call(`CA${'4'.repeat(32)}`);
    expect(second.body).toContain('+15550320000');
    expect(reads.items).toBe(2); // number + flow head only
  });
});

describe('DynamoDirectoryStore.peopleFor', () => {
  it('reads the named users and groups and the groups\u2019 members, leaving out ids that are not there or cannot be keys', async () => {
    const [ann, bob] = await Promise.all([
      stores.directory.createUser({ name: 'Ann P', phone: '+15550330001', available: true }),
      stores.directory.createUser({ name: 'Bob P', phone: '+15550330002', available: false }),
    ]);
    const group = await stores.directory.createGroup({ name: 'Pair', members: [ann.id, bob.id] });
    const people = await stores.directory.peopleFor({ users: [ann.id, 'usr_missing', 'x'.repeat(3000), group.id], groups: [group.id, group.id, ann.id] });
    expect(people.groups).toEqual([{ id: group.id, name: 'Pair', members: [ann.id, bob.id] }]);
    expect(people.users.map((u) => u.id).sort()).toEqual([ann.id, bob.id].sort());
    expect(people.users.find((u) => u.id === bob.id)).toEqual({ id: bob.id, name: 'Bob P', phone: '+15550330002', available: false });
  });

  it('asks again, with backoff, for the keys DynamoDB left unprocessed', async () => {
    const users = await Promise.all(
      Array.from({ length: 6 }, (_, i) => stores.directory.createUser({ name: `U${i}`, phone: `+155503400${String(i).padStart(2, '0')}`, available: true })),
    );
    // DynamoDB answers part of a batch when throttled: here each answer serves the first two keys asked
    // for and hands the rest back as UnprocessedKeys, as DynamoDB does.
    const sent: number[] = [];
    const partial = Object.create(t.doc) as DynamoDb;
    partial.send = (async (command: InstanceType<typeof BatchGetCommand>) => {
      const [table, request] = Object.entries(command.input.RequestItems!)[0];
      const keys = request.Keys!;
      sent.push(keys.length);
      const out = await t.doc.send(new BatchGetCommand({ RequestItems: { [table]: { ...request, Keys: keys.slice(0, 2) } } }));
      return keys.length > 2 ? { ...out, UnprocessedKeys: { [table]: { ...request, Keys: keys.slice(2) } } } : out;
    }) as DynamoDb['send'];
    const store = new DynamoDirectoryStore(partial, t.names.directory);
    const people = await store.peopleFor({ users: users.map((u) => u.id), groups: [] });
    expect(people.users.map((u) => u.id).sort()).toEqual(users.map((u) => u.id).sort());
    expect(sent).toEqual([6, 4, 2]);
  });

  it('gives up with an error when keys stay unprocessed (the webhook then gives its safe answer)', async () => {
    const user = await stores.directory.createUser({ name: 'Stuck', phone: '+15550350001', available: true });
    let tries = 0;
    const throttled = Object.create(t.doc) as DynamoDb;
    throttled.send = (async (command: InstanceType<typeof BatchGetCommand>) => {
      tries++;
      return { Responses: {}, UnprocessedKeys: command.input.RequestItems };
    }) as DynamoDb['send'];
    await expect(new DynamoDirectoryStore(throttled, t.names.directory).peopleFor({ users: [user.id], groups: [] })).rejects.toThrow(/unprocessed/);
    expect(tries).toBe(BATCH_GET_TRIES);
  });
});

describe('DirectoryCache', () => {
  it('keeps each set of people for the TTL, reads another set by itself, and sees changes once the TTL passed', async () => {
    const source = createStores(counted, t.names).directory;
    const [ann, bob] = await Promise.all([
      stores.directory.createUser({ name: 'Ann C', phone: '+15550360001', available: true }),
      stores.directory.createUser({ name: 'Bob C', phone: '+15550360002', available: true }),
    ]);
    const cache = new DirectoryCache();
    const t0 = 1_000_000;
    reads.reset();
    expect((await cache.get(source, t0, { users: [ann.id], groups: [] })).users.get(ann.id)?.available).toBe(true);
    expect(reads.requests).toBe(1);
    await cache.get(source, t0 + DIRECTORY_TTL_MS, { users: [ann.id], groups: [] });
    expect(reads.requests).toBe(1); // within the TTL: from memory

    const other = await cache.get(source, t0 + 1, { users: [bob.id], groups: [] }); // another flow's people
    expect([...other.users.keys()]).toEqual([bob.id]);
    expect(reads.requests).toBe(2);

    await stores.directory.updateUser(ann.id, { name: 'Ann C', phone: '+15550360001', available: false });
    expect((await cache.get(source, t0 + DIRECTORY_TTL_MS + 1, { users: [ann.id], groups: [] })).users.get(ann.id)?.available).toBe(false);
    expect(reads.requests).toBe(3);
  });

  it('reads again at once when someone it names was missing, and never keeps a failed read', async () => {
    const cache = new DirectoryCache();
    let calls = 0;
    const flaky = {
      peopleFor: async (needs: { users: readonly string[]; groups: readonly string[] }) => {
        calls++;
        if (calls === 1) throw new Error('DynamoDB said no');
        return calls === 2 ? { users: [], groups: [] } : stores.directory.peopleFor(needs);
      },
    };
    const user = await stores.directory.createUser({ name: 'Late', phone: '+15550360003', available: true });
    const needs = { users: [user.id], groups: [] };
    await expect(cache.get(flaky, 0, needs)).rejects.toThrow('DynamoDB said no');
    expect((await cache.get(flaky, 1, needs)).users.size).toBe(0); // not seen yet (an eventually consistent read)
    expect((await cache.get(flaky, 2, needs)).users.has(user.id)).toBe(true); // missing someone: read again
    expect(calls).toBe(3);
    await cache.get(flaky, 3, needs);
    expect(calls).toBe(3);
  });
});

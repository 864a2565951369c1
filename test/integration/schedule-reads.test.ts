// The webhooks' budget with shared schedules (DESIGN.md section 10): a flow whose hours name a schedule
// costs one extra read — the schedule and its override together, one BatchGetItem across the directory
// and state tables — and a flow that names none costs nothing more. A warm webhook reads it again only
// after the cache's seconds (caches.ts). Counted in DynamoDB requests and items, against DynamoDB Local.
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { createDynamoDb, type DynamoDb } from '../../lambdas/store/dynamo-client';
import { createStores } from '../../lambdas/store/stores';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import type { WebhookHandler } from '../../lambdas/webhooks/guard';
import { createTestTables, type TestTables } from '../support/dynamo';
import { countReads } from '../support/read-counter';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const spilled = tempSpill();
let t: TestTables;
let counted: DynamoDb;
let reads: ReturnType<typeof countReads>;
let stores: ReturnType<typeof createStores>;
const SHARED = '+15550800001';
const INLINE = '+15550800002';
let schedule: string;

const allWeek = (ranges: string[][]) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ranges]));
const line = (hours: Record<string, unknown>) =>
  flowDocumentSchema.parse({
    name: 'Line',
    call: {
      start: 'hours',
      applets: {
        hours: { type: 'hours', ...hours, open: 'open', closed: 'closed' },
        open: { type: 'say', prompt: { text: 'We are open.' }, next: 'bye' },
        closed: { type: 'say', prompt: { text: 'We are closed.' }, next: 'bye' },
        bye: { type: 'hangup' },
      },
    },
  });

beforeAll(async () => {
  t = await createTestTables();
  counted = createDynamoDb({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  reads = countReads(counted);
  stores = createStores(t.doc, t.names);
  const deps = { ...stores, now: () => new Date() };
  schedule = (await stores.schedules.create({ name: 'Office', timezone: 'UTC', weekly: allWeek([['00:00', '24:00']]) as never, rules: [] }, new Date())).id;
  const shared = await publishFlow(deps, undefined, line({ schedule }));
  const inline = await publishFlow(deps, undefined, line({ timezone: 'UTC', weekly: allWeek([['00:00', '24:00']]) }));
  await stores.numbers.register(SHARED, 'Shared', shared.id, new Date());
  await stores.numbers.register(INLINE, 'Inline', inline.id, new Date());
});
afterAll(() => {
  spilled.dispose();
  counted.destroy();
  t.client.destroy();
  t.doc.destroy();
});

const webhook = () => voiceWebhook({ ...createStores(counted, t.names), spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN });
let n = 0;
async function call(hook: WebhookHandler, to: string) {
  reads.reset();
  const res = await hook(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: `CA${String(++n).padStart(32, '0')}`, From: '+15550809999', To: to, CallStatus: 'ringing' } }));
  return { said: [...res.body.matchAll(/<Say[^>]*>([^<]+)<\/Say>/g)].map((m) => m[1]), requests: reads.requests, items: reads.items };
}

test('a flow with inline hours: the number, the flow head, the trace write — no schedule read', async () => {
  expect(await call(webhook(), INLINE)).toEqual({ said: ['We are open.'], requests: 3, items: 2 });
});

test('a flow whose hours name a schedule: one request more, the schedule and its override read together', async () => {
  expect(await call(webhook(), SHARED)).toEqual({ said: ['We are open.'], requests: 4, items: 3 });
  await stores.schedules.setOverride(schedule, { state: 'closed' }, new Date(), 'test');
  // A cold webhook: still one request, now with the override item in it.
  expect(await call(webhook(), SHARED)).toEqual({ said: ['We are closed.'], requests: 4, items: 4 });
  await stores.schedules.setOverride(schedule, undefined, new Date(), 'test');
});

test('a warm webhook reads the schedule once within the cache’s seconds', async () => {
  const warm = webhook();
  expect((await call(warm, SHARED)).requests).toBe(4);
  expect((await call(warm, SHARED)).requests).toBe(3);
});

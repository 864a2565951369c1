// A published flow carries its time zones' offsets (flows/zone-offsets.ts) in its head and revision
// items, and whoever reads the flow learns them: the webhooks tell local time without Intl. Against
// DynamoDB Local.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { forgetZoneOffsets, learnedOffset } from '../../lambdas/flows/zone-offsets';
import { createStores } from '../../lambdas/store/stores';
import { callOnlyFlow } from '../support/fixtures';
import { createTestTables } from '../support/dynamo';

const withHours = (timezone: string) => flowDocumentSchema.parse({
  name: 'Office',
  call: {
    start: 'open',
    applets: {
      open: { type: 'hours', timezone, weekly: { mon: [['09:00', '17:00']] }, open: 'bye', closed: 'bye' },
      bye: { type: 'hangup' },
    },
  },
});

afterEach(forgetZoneOffsets);

it('publishing stores the offsets beside the document; reading the current revision or an old one learns them', async () => {
  const t = await createTestTables();
  const stores = createStores(t.doc, t.names);
  const now = new Date('2026-12-06T12:00:00Z');
  const deps = { ...stores, now: () => now };
  const { id } = await publishFlow(deps, undefined, withHours('Australia/Lord_Howe'));

  const head = await t.doc.send(new GetCommand({ TableName: t.names.flows, Key: { id, rev: 0 } }));
  const rev1 = await t.doc.send(new GetCommand({ TableName: t.names.flows, Key: { id, rev: 1 } }));
  const [table] = JSON.parse(head.Item!.zones as string);
  expect(table.zone).toBe('Australia/Lord_Howe');
  expect(table.changes[0]).toEqual([Date.parse('2025-12-05T12:00:00Z'), 660]); // a year back, +11:00 in the southern summer
  expect(table.until).toBe(Date.parse('2029-12-08T12:00:00Z')); // three years ahead (of 366 days)
  expect(rev1.Item!.zones).toBe(head.Item!.zones);
  // The head as the admin API answers it says nothing of them.
  expect(await stores.flows.getHead(id)).not.toHaveProperty('zones');

  forgetZoneOffsets();
  await stores.flows.getCurrent(id);
  expect(learnedOffset('Australia/Lord_Howe', now.getTime())).toBe(660);
  forgetZoneOffsets();
  await stores.flows.getRevision(id, 1);
  expect(learnedOffset('Australia/Lord_Howe', Date.parse('2027-07-01T00:00:00Z'))).toBe(630); // +10:30 in winter
});

it('a revision without hours applets carries no offsets, and the head drops the previous ones', async () => {
  const t = await createTestTables();
  const stores = createStores(t.doc, t.names);
  const deps = { ...stores, now: () => new Date() };
  const { id } = await publishFlow(deps, undefined, withHours('Europe/London'));
  await publishFlow(deps, id, flowDocumentSchema.parse(callOnlyFlow('Office')));

  const head = await t.doc.send(new GetCommand({ TableName: t.names.flows, Key: { id, rev: 0 } }));
  const rev2 = await t.doc.send(new GetCommand({ TableName: t.names.flows, Key: { id, rev: 2 } }));
  expect(head.Item).not.toHaveProperty('zones');
  expect(rev2.Item).not.toHaveProperty('zones');
});

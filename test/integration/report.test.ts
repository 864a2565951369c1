import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow, callOnlyFlow } from '../support/fixtures';
import { countReads } from '../support/read-counter';
import { buildUnassignedReport } from '../../lambdas/report/unassigned-report';
import { reportMetricValues, runScheduledReport } from '../../lambdas/report/publish-report';
import { formatReport } from '../../lambdas/report/format';
import { createStores } from '../../lambdas/store/stores';

let h: AdminHarness;
let clock = new Date('2026-11-24T10:00:00Z');
let userId: string;

const published: Array<{ subject: string; message: string }> = [];
const publisher = { publish: async (subject: string, message: string) => void published.push({ subject, message }) };
const run = () => runScheduledReport(h.deps, publisher, clock, () => undefined);
const entry = async (number: string) => (await h.api('GET', '/api/report/unassigned')).body.numbers.find((n: { number: string }) => n.number === number);

beforeAll(async () => {
  h = await adminHarness(() => clock);
  userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
});

it('lists numbers with no flow, no call part and no sms part with their status, since and fix', async () => {
  const full = (await h.api('POST', '/api/flows', callAndSmsFlow(userId))).body.id;
  const callOnly = (await h.api('POST', '/api/flows', callOnlyFlow())).body.id;
  const smsOnly = (await h.api('POST', '/api/flows', { name: 'Texts', sms: { start: 'i', applets: { i: { type: 'inbox', mailbox: { user: userId } } } } })).body.id;
  await h.api('PUT', '/api/numbers/+15550300001', { name: 'Fine', flowId: full });
  await h.api('PUT', '/api/numbers/+15550300002', { name: 'Nothing' });
  await h.api('PUT', '/api/numbers/+15550300003', { name: 'No texts', flowId: callOnly });
  await h.api('PUT', '/api/numbers/+15550300004', { name: 'No calls', flowId: smsOnly });

  const report = (await h.api('GET', '/api/report/unassigned')).body;
  expect(report.numbers.map((n: { number: string; status: string }) => [n.number, n.status])).toEqual([
    ['+15550300002', 'no_flow'],
    ['+15550300003', 'no_sms_flow'],
    ['+15550300004', 'no_call_flow'],
  ]);
  expect(report.numbers[0]).toMatchObject({ name: 'Nothing', since: clock.toISOString(), lostCalls: 0, lostTexts: 0, fix: 'PUT /api/numbers/%2B15550300002/flow {"flowId":"<flow id>"}' });
  expect(report.numbers[1].fix).toContain(`PUT /api/flows/${callOnly}`);
  expect(report.subject).toBe('3 numbers lack a flow or part of one (nothing lost since the last report)');
});

it('drops a number from the next report once it gets a flow', async () => {
  const full = (await h.api('GET', '/api/flows')).body.flows.find((f: { name: string }) => f.name === 'Support').id;
  await h.api('PUT', '/api/numbers/+15550300005', { name: 'Soon fixed' });
  expect(await entry('+15550300005')).toBeDefined();
  await h.api('PUT', '/api/numbers/+15550300005/flow', { flowId: full });
  expect(await entry('+15550300005')).toBeUndefined();
});

it('counts distinct unrouted calls and texts since the last published report; reading changes nothing', async () => {
  const at = clock.toISOString();
  for (const sid of ['CA1', 'CA2', 'CA2']) await h.deps.state.recordUnrouted({ number: '+15550300002', sid, channel: 'call', at, reason: 'no_flow' });
  await h.deps.state.recordUnrouted({ number: '+15550300002', sid: 'SM1', channel: 'sms', at, reason: 'no_flow' });
  expect(await entry('+15550300002')).toMatchObject({ lostCalls: 2, lostTexts: 1 });
  expect(await entry('+15550300002')).toMatchObject({ lostCalls: 2, lostTexts: 1 });

  clock = new Date('2026-11-24T11:00:00Z');
  const first = await run();
  expect(first.published).toBe(true);
  expect(published.at(-1)!.subject).toBe('3 numbers lack a flow or part of one (2 calls and 1 text lost since the last report)');
  expect(published.at(-1)!.message).toContain('+15550300002');
  // The mark moved: the lost traffic is counted again from here.
  expect(await entry('+15550300002')).toMatchObject({ lostCalls: 0, lostTexts: 0 });
});

it('does not publish an unchanged report twice within a day, and publishes again after a day, on new losses or on change', async () => {
  const count = published.length;
  clock = new Date('2026-11-24T12:00:00Z');
  expect(await run()).toMatchObject({ published: false, reason: 'unchanged' }); // same numbers, nothing lost since 11:00
  clock = new Date('2026-11-24T13:00:00Z');
  expect(await run()).toMatchObject({ published: false, reason: 'unchanged' });
  clock = new Date('2026-11-24T20:00:00Z');
  expect(await run()).toMatchObject({ published: false, reason: 'unchanged' });
  expect(published.length).toBe(count);
  clock = new Date('2026-11-25T12:00:01Z');
  expect((await run()).published).toBe(true);
  clock = new Date('2026-11-25T13:00:00Z');
  await h.deps.state.recordUnrouted({ number: '+15550300003', sid: 'SM9', channel: 'sms', at: clock.toISOString(), reason: 'no_sms_flow' });
  expect((await run()).published).toBe(true); // a lost text is news
  clock = new Date('2026-11-25T14:00:00Z');
  expect(await run()).toMatchObject({ published: false, reason: 'unchanged' });
  await h.api('PUT', '/api/numbers/+15550300099', { name: 'New spare' });
  expect((await run()).published).toBe(true); // a new number without a flow
});

it('publishes nothing when every number has a flow, but still reports metrics', async () => {
  const h2 = await adminHarness(() => clock);
  const lines: Array<Record<string, number>> = [];
  const result = await runScheduledReport(h2.deps, publisher, clock, (r) => lines.push(reportMetricValues(r)));
  expect(result).toMatchObject({ published: false, reason: 'empty' });
  expect(lines[0]).toMatchObject({ NumbersWithoutFlow: 0, UnroutedCalls: 0 });
});

it('formats the report as a table with a fix line per number', async () => {
  const text = formatReport(await buildUnassignedReport(h.deps, clock));
  expect(text.split('\n')[0]).toMatch(/^4 numbers lack a flow/);
  expect(text).toMatch(/\+15550300002\s+Nothing\s+no_flow/);
  expect(text).toContain('fix: PUT /api/numbers/%2B15550300002/flow');
});

it('reads tens of items, not thousands: 3,000 numbers with 10 unassigned', async () => {
  const h3 = await adminHarness(() => clock);
  const u = (await h3.api('POST', '/api/users', { name: 'U', phone: '+15550200001' })).body.id;
  const flowId = (await h3.api('POST', '/api/flows', callAndSmsFlow(u))).body.id;
  const at = clock.toISOString();
  const items = Array.from({ length: 3000 }, (_, i) => {
    const number = `+1555${String(4000000 + i)}`;
    return i < 10 ? { number, name: `spare ${i}`, noFlow: '1', since: at, createdAt: at, updatedAt: at } : { number, name: `line ${i}`, flowId, since: at, createdAt: at, updatedAt: at };
  });
  for (let i = 0; i < items.length; i += 25) {
    await h3.tables.doc.send(new BatchWriteCommand({ RequestItems: { [h3.tables.names.numbers]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  const doc = createDynamoDb({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  const reads = countReads(doc);
  const report = await buildUnassignedReport(createStores(doc, h3.tables.names), clock);
  expect(report.numbers).toHaveLength(10);
  // 10 unassigned numbers + 1 flow head + the report mark + 10 (empty) unrouted queries: about a dozen items.
  expect(reads.items).toBeLessThan(50);
});

it('says it in one line for a single kind', async () => {
  const { subjectOf } = await import('../../lambdas/report/unassigned-report');
  expect(subjectOf({ withoutFlow: 0, withoutCallFlow: 3, withoutSmsFlow: 0, lostCalls: 12, lostTexts: 0 })).toBe(
    '3 numbers have no call flow (12 calls lost since the last report)',
  );
  expect(subjectOf({ withoutFlow: 1, withoutCallFlow: 0, withoutSmsFlow: 0, lostCalls: 0, lostTexts: 1 })).toBe(
    '1 number has no flow (1 text lost since the last report)',
  );
});

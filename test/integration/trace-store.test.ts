// Traces expire TRACE_DAYS after they are written (DynamoDB TTL on expiresAt), whatever clock the call ran on:
// a call simulated at an old date (`x-switchboard-at` in local mode) keeps its trace as long as any other.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoTraceStore, TRACE_DAYS } from '../../lambdas/store/trace-store';
import { createTestTables, dropTestTables, type TestTables } from '../support/dynamo';

let t: TestTables;
beforeAll(async () => {
  t = await createTestTables();
});
afterAll(() => dropTestTables(t));

const header = (sid: string) => ({ sid, channel: 'call' as const, from: '+15550109999', to: '+15550100001', flowId: 'flw_1', revision: 1 });
const step = { at: '2025-01-07T15:00:00.000Z', applet: 'start', type: 'say', twiml: '<Response/>' };

it('a trace of a call on a simulated clock long past expires TRACE_DAYS after it was written, not after its clock', async () => {
  const traces = new DynamoTraceStore(t.doc, t.names.traces);
  const before = Math.floor(Date.now() / 1000);
  await traces.append(header('CAold'), [step]);
  await traces.appendOnce(header('SMold'), [step], '0#text');
  for (const sid of ['CAold', 'SMold']) {
    const { Items = [] } = await t.doc.send(new QueryCommand({ TableName: t.names.traces, KeyConditionExpression: 'sid = :s', ExpressionAttributeValues: { ':s': sid } }));
    expect(Items).toHaveLength(1);
    expect(Items[0].expiresAt).toBeGreaterThanOrEqual(before + TRACE_DAYS * 86400);
    expect(Items[0].expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + TRACE_DAYS * 86400);
  }
  expect((await traces.get('CAold')).steps).toEqual([expect.objectContaining({ at: step.at, applet: 'start' })]);
});

// The SDK floor of `npm run bench`: the least a handler can do to answer an incoming call with the same
// SDK clients as the voice webhook (the document client, created at load with the same budget), and the
// same three requests: the number, the flow's current revision, the trace step. Bundled with the
// Lambdas' own settings, it is the yardstick of the first answer: what the voice function adds over it
// is ours (DESIGN.md section 10, at most 1.25x).
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import { tableNamesFromEnv } from '../lambdas/store/tables';
import { webhookDynamoClientConfig } from '../lambdas/webhooks/deps';

const doc = createDynamoDb(webhookDynamoClientConfig);
const tables = tableNamesFromEnv();

export async function handler(event: { body?: string; isBase64Encoded?: boolean }): Promise<{ statusCode: number; body: string }> {
  const form = new URLSearchParams(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : event.body);
  const number = await doc.send(new GetCommand({ TableName: tables.numbers, Key: { number: form.get('To') } }));
  const flowId = String(number.Item?.flowId ?? 'none');
  await doc.send(new GetCommand({ TableName: tables.flows, Key: { id: flowId, rev: 0 } }));
  await doc.send(new PutCommand({ TableName: tables.traces, Item: { sid: form.get('CallSid'), step: '0', at: new Date().toISOString() } }));
  return { statusCode: 200, body: '<Response/>' };
}

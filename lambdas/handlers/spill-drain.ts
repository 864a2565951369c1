// Spill-drain Lambda (SQS event source, ReportBatchItemFailures), as a middy pipeline: writes what the
// webhooks spilled into DynamoDB with their own idempotent writes. Granted write access to the messages
// and state tables, read access to numbers, flows and directory (late routing), the outbound queue, and
// UpdateItem on the outbound texts' records (a status callback kept during an outage).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { drainQueueBatch } from '../spill/drain-queue';
import { dynamoDb } from '../store/dynamo-client';
import { DynamoMessageStore } from '../store/message-store';
import { DynamoOutboundStore } from '../store/outbound-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';
import { lateRoutingStores } from '../spill/late-route-stores';
import { OutboxTextSender } from '../carrier/queued-text';
import { outboxFromEnv } from '../outbox/outbox-from-env';

const tables = tableNamesFromEnv(process.env, ['messages', 'state', 'numbers', 'flows', 'directory', 'outbound']);
const doc = dynamoDb();
// Numbers, flows and directory (read) and the outbound queue: items kept while their flow could not be
// read are routed by it, their notifications queued for the sender (lambdas/spill/late-route.ts).
const texts = new OutboxTextSender(outboxFromEnv());
// And the outbound texts' records: a delivery status kept during an outage moves its record.
const stores = {
  messages: new DynamoMessageStore(doc, tables.messages),
  state: new DynamoStateStore(doc, tables.state),
  outbound: new DynamoOutboundStore(doc, tables.outbound),
  ...lateRoutingStores(doc, tables, texts),
};

export const handler = middy((event: SQSEvent): Promise<SQSBatchResponse> => drainQueueBatch(event, stores))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

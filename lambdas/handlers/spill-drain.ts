// Spill-drain Lambda (SQS event source, ReportBatchItemFailures), as a middy pipeline: writes what the
// webhooks spilled into DynamoDB with their own idempotent writes. Granted write access to the messages
// and state tables, read access to numbers, flows and directory (late routing), and the outbound queue.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { drainQueueBatch } from '../spill/drain-queue';
import { dynamoDb } from '../store/dynamo-client';
import { DynamoMessageStore } from '../store/message-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';
import { lateRoutingStores } from '../spill/late-route-stores';
import { OutboxTextSender } from '../carrier/queued-text';
import { outboxFromEnv } from '../outbox/outbox-from-env';

const tables = tableNamesFromEnv(process.env, ['messages', 'state', 'numbers', 'flows', 'directory']);
const doc = dynamoDb();
// Numbers, flows and directory (read) and the outbound queue: items kept while their flow could not be
// read are routed by it, their notifications queued for the sender (lambdas/spill/late-route.ts).
const texts = new OutboxTextSender(outboxFromEnv());
const stores = { messages: new DynamoMessageStore(doc, tables.messages), state: new DynamoStateStore(doc, tables.state), ...lateRoutingStores(doc, tables, texts) };

export const handler = middy((event: SQSEvent): Promise<SQSBatchResponse> => drainQueueBatch(event, stores))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

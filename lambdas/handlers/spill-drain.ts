// Spill-drain Lambda (SQS event source, ReportBatchItemFailures), as a middy pipeline: writes what the
// webhooks spilled into DynamoDB with their own idempotent writes. Granted write access to the messages
// and state tables only.
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

const tables = tableNamesFromEnv(process.env, ['messages', 'state']);
const doc = dynamoDb();
const stores = { messages: new DynamoMessageStore(doc, tables.messages), state: new DynamoStateStore(doc, tables.state) };

export const handler = middy((event: SQSEvent): Promise<SQSBatchResponse> => drainQueueBatch(event, stores))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

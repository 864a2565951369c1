// Outbound sender Lambda (SQS event source, ReportBatchItemFailures), as a middy pipeline: sends the texts
// the webhooks and the spill drain queued (DESIGN.md section 17) with the twilio library's REST client,
// each with a StatusCallback to /twilio/message-status. Off the webhook path: the library's size is paid
// here, never by a caller. Granted the Twilio secret, the state table's opt-outs (read; a 21610 refusal
// recorded), the outbound table's records (written queued, then the Sid or the refusal) and its queue.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { carrierLinkFromEnv } from '../carrier/carrier-link';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { sendQueueBatch } from '../outbox/send-batch';
import { dynamoDb } from '../store/dynamo-client';
import { DynamoOutboundStore } from '../store/outbound-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';

const tables = tableNamesFromEnv(process.env, ['state', 'outbound']);
const link = carrierLinkFromEnv();
const deps = {
  carrier: () => link.api(),
  publicUrl: () => link.publicUrl,
  optOuts: new DynamoStateStore(dynamoDb(), tables.state),
  records: new DynamoOutboundStore(dynamoDb(), tables.outbound),
};

export const handler = middy((event: SQSEvent): Promise<SQSBatchResponse> => sendQueueBatch(event, deps))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

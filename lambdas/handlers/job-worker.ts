// Job worker Lambda (SQS FIFO event source, ReportBatchItemFailures): does what the webhooks handed
// off. Emails of voicemails, composed as MIME and sent through Amazon SES v2 from the verified identity
// EMAIL_FROM names (its role may ses:SendEmail on that identity only); and call queues' offers, placed and
// hung up through the twilio library's REST client (one queue at a time: its jobs share a message group).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { carrierLinkFromEnv } from '../carrier/carrier-link';
import { ENV } from '../config/env';
import { fromAddress } from '../mail/mime';
import { SesTransport } from '../mail/ses-transport';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { runJobBatch } from '../jobs/worker-batch';
import { DynamoDirectoryStore } from '../store/directory-store';
import { dynamoDb } from '../store/dynamo-client';
import { DynamoQueueStore } from '../store/queue-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';

// Without a sender identity (no `emailFrom` at deploy time) the stack has no SES grant: emails are dropped, logged and counted.
const identity = process.env[ENV.emailFrom];
const from = identity ? fromAddress(identity) : '';
const tables = tableNamesFromEnv(process.env, ['state', 'directory']);
const doc = dynamoDb();
const carrier = carrierLinkFromEnv();
const ports = {
  ...(identity && { mail: new SesTransport(from) }),
  from,
  now: () => new Date(),
  queues: {
    queues: new DynamoQueueStore(doc, tables.state),
    directory: new DynamoDirectoryStore(doc, tables.directory),
    presence: new DynamoStateStore(doc, tables.state),
    carrier: carrier.api,
    publicUrl: carrier.publicUrl ?? '',
    now: () => new Date(),
  },
};

export const handler = middy((event: SQSEvent): Promise<SQSBatchResponse> => runJobBatch(event, ports))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

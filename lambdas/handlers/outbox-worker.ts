// Outbox worker Lambda (SQS FIFO event source, ReportBatchItemFailures): does what the webhooks handed
// off. Today: emails of voicemails, composed as MIME and sent through Amazon SES v2 from the verified
// identity EMAIL_FROM names (its role may ses:SendEmail on that identity only).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV } from '../config/env';
import { fromAddress } from '../mail/mime';
import { SesTransport } from '../mail/ses-transport';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { runOutboxBatch } from '../outbox/worker-batch';

// Without a sender identity (no `emailFrom` at deploy time) the stack has no SES grant: emails are dropped, logged and counted.
const identity = process.env[ENV.emailFrom];
const from = identity ? fromAddress(identity) : '';
const ports = { ...(identity && { mail: new SesTransport(from) }), from, now: () => new Date() };

export const handler = middy((event: SQSEvent): Promise<SQSBatchResponse> => runOutboxBatch(event, ports))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

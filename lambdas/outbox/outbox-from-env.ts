// Which outbound queue a function puts its texts on, from its environment at cold start: the SQS queue
// the stack gives it (OUTBOX_QUEUE_URL), or the local server's spool directory (OUTBOX_SPOOL_DIR).
// Neither is a deployment mistake, and it fails at once rather than at the first text.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Outbox } from '../carrier/queued-text';
import { ENV } from '../config/env';
import { FileOutbox } from './file-outbox';
import { SqsOutbox } from './sqs-outbox';

export function outboxFromEnv(env: NodeJS.ProcessEnv = process.env, sqs?: SQSClient): Outbox {
  const queueUrl = env[ENV.outboxQueueUrl];
  if (queueUrl) return new SqsOutbox(queueUrl, sqs);
  const spoolDir = env[ENV.outboxSpoolDir];
  if (spoolDir) return new FileOutbox(spoolDir);
  throw new Error(`missing environment: ${ENV.outboxQueueUrl} (AWS) or ${ENV.outboxSpoolDir} (local mode)`);
}

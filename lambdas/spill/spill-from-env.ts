// Which spill a function writes to, from its environment at cold start: the SQS queue the stack gives it
// (SPILL_QUEUE_URL), or the local server's spool directory (SPILL_SPOOL_DIR). Neither is a deployment
// mistake, and it fails at once rather than at the first outage.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { FileSpill } from './file-spill';
import { ENV } from '../config/env';
import type { Spill } from './spill';
import { SqsSpill } from './sqs-spill';

/** `sqs`: a client to share (the webhooks' outbound queue uses the same one); one of its own otherwise. */
export function spillFromEnv(env: NodeJS.ProcessEnv = process.env, sqs?: SQSClient): Spill {
  const queueUrl = env[ENV.spillQueueUrl];
  if (queueUrl) return new SqsSpill(queueUrl, sqs);
  const spoolDir = env[ENV.spillSpoolDir];
  if (spoolDir) return new FileSpill(spoolDir);
  throw new Error(`missing environment: ${ENV.spillQueueUrl} (AWS) or ${ENV.spillSpoolDir} (local mode)`);
}

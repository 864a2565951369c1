// Which spill a function writes to, from its environment at cold start: the SQS queue the stack gives it
// (SPILL_QUEUE_URL), or the local server's spool directory (SPILL_SPOOL_DIR). Neither is a deployment
// mistake, and it fails at once rather than at the first outage.
import { FileSpill } from './file-spill';
import { SPILL_ENV, type Spill } from './spill';
import { SqsSpill } from './sqs-spill';

export function spillFromEnv(env: NodeJS.ProcessEnv = process.env): Spill {
  const queueUrl = env[SPILL_ENV.queueUrl];
  if (queueUrl) return new SqsSpill(queueUrl);
  const spoolDir = env[SPILL_ENV.spoolDir];
  if (spoolDir) return new FileSpill(spoolDir);
  throw new Error(`missing environment: ${SPILL_ENV.queueUrl} (AWS) or ${SPILL_ENV.spoolDir} (local mode)`);
}

// Which job queue a function writes to, from its environment at cold start: the SQS FIFO queue the stack
// gives it (JOB_QUEUE_URL), or the local server's directory (JOB_DIR). Neither: no job queue (a stack
// without emails); what would go there is logged and dropped.
import { ENV } from '../config/env';
import { DirJobQueue } from './dir-job-queue';
import type { JobQueue } from './job-queue';
import { SqsJobQueue } from './sqs-job-queue';

export function jobQueueFromEnv(env: NodeJS.ProcessEnv = process.env): JobQueue | undefined {
  const queueUrl = env[ENV.jobQueueUrl];
  if (queueUrl) return new SqsJobQueue(queueUrl);
  const dir = env[ENV.jobDir];
  return dir ? new DirJobQueue(dir) : undefined;
}

// Which outbox a function writes to, from its environment at cold start: the SQS FIFO queue the stack
// gives it (OUTBOX_QUEUE_URL), or the local server's directory (OUTBOX_DIR). Neither: no outbox (a stack
// without emails); what would go there is logged and dropped.
import { ENV } from '../config/env';
import { DirOutbox } from './dir-outbox';
import type { Outbox } from './outbox';
import { SqsOutbox } from './sqs-outbox';

export function outboxFromEnv(env: NodeJS.ProcessEnv = process.env): Outbox | undefined {
  const queueUrl = env[ENV.outboxQueueUrl];
  if (queueUrl) return new SqsOutbox(queueUrl);
  const dir = env[ENV.outboxDir];
  return dir ? new DirOutbox(dir) : undefined;
}

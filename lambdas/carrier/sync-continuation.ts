// How a carrier sync job's next step gets run (sync-job.ts). In AWS: an SQS message to the job's queue,
// which the admin function itself consumes (lib/admin-api.ts): a step that crashes or times out leaves
// its message to come back after the visibility timeout, and resumes from the saved cursor. Locally (and
// in the tests): the same step, in this process, on a timer. The step code is the same in both.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { errorField, logger } from '../observability/logger';
import type { SyncContinuation } from './sync-job';

/** What a step message carries. */
interface StepMessage {
  kind: 'carrier-sync-step';
  jobId: string;
}

/** SQS delays a message at most 15 minutes. */
const MAX_DELAY_SECONDS = 900;

export class SqsContinuation implements SyncContinuation {
  constructor(
    private readonly queueUrl: string,
    // The queue is the stack's own, in the function's region (see sqs-spill.ts on useQueueUrlAsEndpoint).
    private readonly client = new SQSClient({ useQueueUrlAsEndpoint: false }),
  ) {}

  async schedule(jobId: string, delaySeconds: number): Promise<void> {
    const message: StepMessage = { kind: 'carrier-sync-step', jobId };
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: Math.min(Math.max(Math.round(delaySeconds), 0), MAX_DELAY_SECONDS) }));
  }
}

/** The next step in this process, after the delay; a step that throws is logged (a later POST resumes the job). */
export function inProcessContinuation(run: (jobId: string) => Promise<void>): SyncContinuation {
  return {
    schedule: async (jobId, delaySeconds) => {
      setTimeout(() => {
        run(jobId).catch((err: unknown) => logger.error('a carrier sync step failed in-process', { jobId, error: errorField(err) }));
      }, delaySeconds * 1000);
    },
  };
}

/** Whether the admin function was invoked by the sync queue rather than the HTTP API. */
export const isSqsEvent = (event: unknown): event is SQSEvent =>
  Array.isArray((event as SQSEvent)?.Records) && (event as SQSEvent).Records.every((r) => r.eventSource === 'aws:sqs');

/** The jobs whose steps an SQS event asks for (anything else in the queue is logged and dropped). */
export function stepJobIds(event: SQSEvent): string[] {
  return event.Records.flatMap((r) => {
    try {
      const message = JSON.parse(r.body) as StepMessage;
      if (message.kind === 'carrier-sync-step' && typeof message.jobId === 'string') return [message.jobId];
    } catch {
      // not JSON: reported below
    }
    logger.warn('a message that is no carrier sync step was dropped', { messageId: r.messageId });
    return [];
  });
}

// The outbox in AWS: an SQS FIFO queue. Each job is one message, deduplicated by its id (SQS drops a
// second put of the same job within five minutes: a retried callback sends nothing twice) and grouped
// by jobGroup. Up to ten in one SendMessageBatch.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkClientConfig, type RequestBudget } from '../config/request-budget';
import { jobGroup, type OutboxJob } from './jobs';
import type { Outbox } from './outbox';

const BATCH = 10;

/**
 * A webhook hands its jobs over beside its answer (at most OUTBOX_WAIT_MS): one retry of a hung request.
 * A client of its own: the spill's has a budget for a moment when DynamoDB already failed.
 */
export const outboxSqsClientConfig: RequestBudget = { maxAttempts: 2, connectionTimeout: 300, requestTimeout: 600 };

/** The queue is the stack's own, in the function's region: sent to the client's endpoint (AWS_ENDPOINT_URL_SQS honoured), not the URL's host. */
const outboxSqsClient = () => new SQSClient({ useQueueUrlAsEndpoint: false, ...sdkClientConfig(outboxSqsClientConfig) });

export class SqsOutbox implements Outbox {
  constructor(
    private readonly queueUrl: string,
    private readonly client: SQSClient = outboxSqsClient(),
  ) {}

  async put(jobs: readonly OutboxJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += BATCH) {
      const chunk = jobs.slice(i, i + BATCH);
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((job, n) => ({
            Id: String(n),
            MessageBody: JSON.stringify(job),
            MessageGroupId: jobGroup(job),
            MessageDeduplicationId: job.id,
            MessageAttributes: { kind: { DataType: 'String', StringValue: job.kind } },
          })),
        }),
      );
      if (out.Failed?.length) throw new Error(`the outbox refused ${out.Failed.length} job(s): ${out.Failed.map((f) => f.Code).join(', ')}`);
    }
  }
}

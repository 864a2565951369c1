// The job queue in AWS: an SQS FIFO queue. Each job is one message, deduplicated by its id (SQS drops a
// second put of the same job within five minutes: a retried callback sends nothing twice) and grouped
// by jobGroup. Up to ten in one SendMessageBatch.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkClientConfig, type RequestBudget } from '../config/request-budget';
import { jobGroup, type Job } from './jobs';
import type { JobQueue } from './job-queue';

const BATCH = 10;

/**
 * A webhook hands its jobs over beside its answer (at most HANDOFF_WAIT_MS): one retry of a hung request.
 * A client of its own: the spill's has a budget for a moment when DynamoDB already failed.
 */
export const jobQueueSqsClientConfig: RequestBudget = { maxAttempts: 2, connectionTimeout: 300, requestTimeout: 600 };

/** The queue is the stack's own, in the function's region: sent to the client's endpoint (AWS_ENDPOINT_URL_SQS honoured), not the URL's host. */
const jobQueueSqsClient = () => new SQSClient({ useQueueUrlAsEndpoint: false, ...sdkClientConfig(jobQueueSqsClientConfig) });

export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly client: SQSClient = jobQueueSqsClient(),
  ) {}

  async put(jobs: readonly Job[]): Promise<void> {
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
      if (out.Failed?.length) throw new Error(`the job queue refused ${out.Failed.length} job(s): ${out.Failed.map((f) => f.Code).join(', ')}`);
    }
  }
}

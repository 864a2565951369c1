// The job worker Lambda's work on one SQS FIFO batch: each job in turn; a job that fails is named so
// SQS redelivers it (ReportBatchItemFailures) and, after maxReceiveCount tries, moves it to the
// dead-letter queue, which alarms. In a FIFO queue the jobs after a failed one of the same group are
// failed too, unrun, so a group's order holds.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { errorField, logger } from '../observability/logger';
import { parseJob } from './job-schema';
import { runJob, type WorkerPorts } from './worker';

export async function runJobBatch(event: SQSEvent, ports: WorkerPorts): Promise<SQSBatchResponse> {
  const failed: string[] = [];
  const blocked = new Set<string>();
  for (const record of event.Records) {
    const group = record.attributes?.MessageGroupId ?? record.messageId;
    if (blocked.has(group)) {
      failed.push(record.messageId);
      continue;
    }
    const job = parseJob(record.body);
    if (!job) {
      logger.error('job queue message is not a job; leaving it for the dead-letter queue', { messageId: record.messageId });
      failed.push(record.messageId);
      blocked.add(group);
      continue;
    }
    try {
      await runJob(job, ports);
    } catch (err) {
      logger.warn('a job queue job failed; SQS will redeliver it', { kind: job.kind, id: job.id, receiveCount: record.attributes?.ApproximateReceiveCount, error: errorField(err) });
      failed.push(record.messageId);
      blocked.add(group);
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

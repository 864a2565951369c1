// Runs one background job (AWS: the job worker Lambda, per SQS message; locally: the job queue drain). An
// email is composed as MIME here, never on the webhook path, and handed to the transport (SES, or a file).
import { composeMime } from '../mail/mime';
import type { MailTransport } from '../mail/mail-transport';
import { logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import type { Job } from './jobs';
import { offerQueue, type QueueOfferPorts } from './queue-offers';

export interface WorkerPorts {
  /** Absent where queues cannot be served (no carrier link): queue jobs are logged and dropped. */
  queues?: QueueOfferPorts;
  /** Absent when the deployment names no sender (no `emailFrom`): emails are dropped, logged and counted. */
  mail?: MailTransport;
  /** The From address (the verified identity's, fromAddress()). */
  from: string;
  now(): Date;
}

/** Throws when the job failed and should be tried again (SQS redelivers it, then the dead-letter queue). */
export async function runJob(job: Job, ports: WorkerPorts): Promise<void> {
  switch (job.kind) {
    case 'email': {
      if (!ports.mail) {
        // Not a failure to retry: nothing would change until the stack is given an identity to send from.
        logger.error('an email was not sent: no sender identity is configured (CDK context emailFrom)', { reason: job.reason, sid: job.sid });
        countBy(METRIC.emailSendFailures, 'reason', 'no_sender');
        return;
      }
      const raw = await composeMime(job.email, ports.from, ports.now());
      try {
        await ports.mail.send(raw, job.email);
      } catch (err) {
        countBy(METRIC.emailSendFailures, 'reason', job.reason);
        throw err;
      }
      // The domain only: an address is personal data, kept out of the logs as phone numbers are.
      logger.info('email sent', { reason: job.reason, sid: job.sid, toDomain: job.email.to.split('@').pop() });
      return;
    }
    case 'queue': {
      if (!ports.queues) {
        logger.error('a queue was not offered: this worker has no carrier link', { queue: job.queue });
        return;
      }
      await offerQueue(job.queue, ports.queues);
      return;
    }
    default: {
      const unknown: never = job;
      throw new Error(`unknown background job ${JSON.stringify(unknown)}`);
    }
  }
}

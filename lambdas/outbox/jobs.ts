// Work the webhooks hand off instead of doing it while the carrier waits (DESIGN.md sections 3 and 17):
// emails of voicemails. Each job is plain JSON, the same through SQS in AWS and the local outbox directory.
import type { OutboundEmail } from '../flows/outbound';

export type EmailReason = 'voicemail_notify' | 'transcript_notify';

export interface EmailJob {
  kind: 'email';
  /** Names this job once: a second put of the same job (a retried callback) is dropped by the outbox. */
  id: string;
  reason: EmailReason;
  email: OutboundEmail;
  /** The CallSid or RecordingSid that caused it, for the logs. */
  sid?: string;
}

export type OutboxJob = EmailJob;

/**
 * An id SQS FIFO accepts as a MessageDeduplicationId (at most 128 characters of letters, digits and
 * punctuation) and a file name can carry: what the job is about, hashed when long.
 */
export function jobId(...parts: string[]): string {
  const raw = parts.join(':').replace(/[^A-Za-z0-9_.:@+-]/g, '_');
  if (raw.length <= 100) return raw;
  // FNV-1a: short, stable, no crypto import on the webhook path.
  let hash = 0x811c9dc5;
  for (let i = 0; i < raw.length; i++) hash = Math.imul(hash ^ raw.charCodeAt(i), 0x01000193) >>> 0;
  return `${raw.slice(0, 90)}~${hash.toString(16)}`;
}

/**
 * Jobs in one group run one after another (an SQS FIFO message group; the local drain runs everything in
 * turn): every email is a group of its own, so one slow send holds up nothing else.
 */
export const jobGroup = (job: OutboxJob): string => `email:${job.id}`;

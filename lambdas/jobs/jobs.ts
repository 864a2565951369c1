// Work the webhooks hand off instead of doing it while the carrier waits (DESIGN.md section 3): emails of
// voicemails, and offering a queue's waiting callers to its members (calls placed through the carrier's
// REST API). Each job is plain JSON, the same through SQS in AWS and the local job directory.
import type { OutboundEmail } from '../flows/outbound';

export type EmailReason = 'voicemail_notify' | 'transcript_notify';

export interface EmailJob {
  kind: 'email';
  /** Names this job once: a second put of the same job (a retried callback) is dropped by the job queue. */
  id: string;
  reason: EmailReason;
  email: OutboundEmail;
  /** The CallSid or RecordingSid that caused it, for the logs. */
  sid?: string;
}

/**
 * Look at a queue again and offer its longest-waiting caller to whoever may take them (or hang up offers
 * nobody needs now): after a caller joins or leaves, an offer is answered or ends, and while callers wait.
 */
export interface QueueJob {
  kind: 'queue';
  id: string;
  queue: string;
}

export type Job = EmailJob | QueueJob;

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
 * turn): every email is a group of its own, so one slow send holds up nothing else; a queue's jobs share
 * one, so two workers never offer the same queue at once.
 */
export const jobGroup = (job: Job): string => (job.kind === 'queue' ? jobId('queue', job.queue) : `email:${job.id}`);

/** How often a waiting caller's wait requests may ask for a queue to be looked at again. */
export const QUEUE_TICK_MS = 15_000;

/** A queue job for `event` (a Sid, or a clock tick: at most one per queue per QUEUE_TICK_MS). */
export const queueJob = (queue: string, event: string): QueueJob => ({ kind: 'queue', id: jobId('queue', queue, event), queue });

// What the job worker accepts from its queue: a job as the webhooks write it, or nothing (a message
// that is not one goes to the dead-letter queue for a person to look at).
import { z } from 'zod';
import type { Job } from './jobs';

const email = z.object({
  kind: z.literal('email'),
  id: z.string().min(1).max(128),
  reason: z.enum(['voicemail_notify', 'transcript_notify']),
  sid: z.string().optional(),
  email: z.object({ to: z.email(), subject: z.string().min(1).max(998), text: z.string(), html: z.string() }),
});

const queue = z.object({ kind: z.literal('queue'), id: z.string().min(1).max(128), queue: z.string().min(1).max(64) });

const job = z.discriminatedUnion('kind', [email, queue]);

export function parseJob(body: string): Job | undefined {
  try {
    const parsed = job.safeParse(JSON.parse(body));
    return parsed.success ? (parsed.data as Job) : undefined;
  } catch {
    return undefined;
  }
}

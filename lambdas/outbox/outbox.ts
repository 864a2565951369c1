// Where the webhooks put work that must not run while the carrier waits: an SQS FIFO queue in AWS (a
// worker Lambda takes it, lambdas/handlers/outbox-worker.ts), a directory locally (local/outbox-drain.ts).
import { errorField, logger } from '../observability/logger';
import { atMost } from '../runtime/deadline';
import type { OutboxJob } from './jobs';

export interface Outbox {
  put(jobs: readonly OutboxJob[]): Promise<void>;
}

/** The longest a webhook answer waits to hand its jobs over: a put is one small SQS request (or a file). */
export const OUTBOX_WAIT_MS = 1_000;

/**
 * What a webhook calls: computes the jobs (a thunk may read the directory), puts them, and returns within
 * OUTBOX_WAIT_MS whatever happens. Never throws: a job that could not be handed over is logged, and the
 * message it is about is stored all the same.
 */
export async function putBestEffort(
  outbox: Outbox | undefined,
  jobs: readonly OutboxJob[] | (() => Promise<readonly OutboxJob[]>),
  about: { what: string; sid?: string },
): Promise<void> {
  const work = (async () => {
    const list = typeof jobs === 'function' ? await jobs() : jobs;
    if (list.length === 0) return;
    if (!outbox) {
      logger.warn('not handed over: no outbox in this function', { what: about.what, sid: about.sid, count: list.length });
      return;
    }
    await outbox.put(list);
  })().catch((err) => logger.error('handing work to the outbox failed; nothing sent', { what: about.what, sid: about.sid, error: errorField(err) }));
  await atMost(work, OUTBOX_WAIT_MS);
}

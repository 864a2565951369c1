// Where the webhooks put work that must not run while the carrier waits: an SQS FIFO queue in AWS (a
// worker Lambda takes it, lambdas/handlers/job-worker.ts), a directory locally (local/job-drain.ts).
import { errorField, logger } from '../observability/logger';
import { atMost } from '../runtime/deadline';
import type { Job } from './jobs';

export interface JobQueue {
  put(jobs: readonly Job[]): Promise<void>;
}

/** The longest a webhook answer waits to hand its jobs over: a put is one small SQS request (or a file). */
export const HANDOFF_WAIT_MS = 1_000;

/**
 * What a webhook calls: computes the jobs (a thunk may read the directory), puts them, and returns within
 * HANDOFF_WAIT_MS whatever happens. Never throws: a job that could not be handed over is logged, and the
 * message it is about is stored all the same.
 */
export async function putBestEffort(
  queue: JobQueue | undefined,
  jobs: readonly Job[] | (() => Promise<readonly Job[]>),
  about: { what: string; sid?: string },
): Promise<void> {
  const work = (async () => {
    const list = typeof jobs === 'function' ? await jobs() : jobs;
    if (list.length === 0) return;
    if (!queue) {
      logger.warn('not handed over: no job queue in this function', { what: about.what, sid: about.sid, count: list.length });
      return;
    }
    await queue.put(list);
  })().catch((err) => logger.error('handing work to the job queue failed; nothing sent', { what: about.what, sid: about.sid, error: errorField(err) }));
  await atMost(work, HANDOFF_WAIT_MS);
}

// Local mode's job worker: what the webhooks put in the job queue directory (lambdas/jobs/dir-job-queue.ts)
// is run here, one job at a time, oldest first, with the worker the job queue Lambda runs in AWS
// (lambdas/jobs/worker.ts): an email becomes an `.eml` file (local/eml-transport.ts) instead of an SES send.
// A job that fails is tried again on the next tick; after MAX_TRIES it is moved to `failed/`, as SQS moves
// it to the dead-letter queue.
import { mkdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import type { DirJobQueue } from '../lambdas/jobs/dir-job-queue';
import { runJob, type WorkerPorts } from '../lambdas/jobs/worker';
import { errorField, logger } from '../lambdas/observability/logger';

export const MAX_TRIES = 5;

export class JobDrain {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private readonly tries = new Map<string, number>();

  constructor(
    readonly jobs: DirJobQueue,
    private readonly ports: WorkerPorts,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.drainNow().catch((err) => logger.error('job drain failed', { error: errorField(err) })), this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs what waits now (or joins the run under way); resolves with the number of jobs done. */
  drainNow(): Promise<number> {
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<number> {
    let done = 0;
    for (const file of this.jobs.pending()) {
      try {
        await runJob(this.jobs.read(file), this.ports);
        this.jobs.done(file);
        this.tries.delete(file);
        done++;
      } catch (err) {
        const tries = (this.tries.get(file) ?? 0) + 1;
        this.tries.set(file, tries);
        logger.warn('a background job failed; it is tried again', { file: path.basename(file), tries, error: errorField(err) });
        if (tries >= MAX_TRIES) {
          const failed = path.join(this.jobs.dir, 'failed');
          mkdirSync(failed, { recursive: true });
          renameSync(file, path.join(failed, path.basename(file)));
          this.tries.delete(file);
        }
      }
    }
    return done;
  }
}

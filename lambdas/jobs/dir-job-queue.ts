// The job queue in local mode: one JSON file per job in a directory, written whole (a temporary file, then
// a rename) so the drain never reads half a job. A job whose id is already waiting is not written again.
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Job } from './jobs';
import type { JobQueue } from './job-queue';

const JOB = /^(\d{13})-(\d{6})-(.+)\.json$/;

export class DirJobQueue implements JobQueue {
  private count = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async put(jobs: readonly Job[]): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const waiting = new Set(this.pending().map((p) => JOB.exec(path.basename(p))![3]));
    for (const job of jobs) {
      const name = encodeURIComponent(job.id);
      if (waiting.has(name)) continue;
      const file = path.join(this.dir, `${Date.now()}-${String(this.count++ % 1e6).padStart(6, '0')}-${name}.json`);
      const temporary = `${file}.tmp`;
      writeFileSync(temporary, JSON.stringify(job));
      renameSync(temporary, file);
      waiting.add(name);
    }
  }

  /** The jobs waiting, oldest first. */
  pending(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => JOB.test(name))
      .sort()
      .map((name) => path.join(this.dir, name));
  }

  read(file: string): Job {
    return JSON.parse(readFileSync(file, 'utf8')) as Job;
  }

  done(file: string): void {
    unlinkSync(file);
  }
}

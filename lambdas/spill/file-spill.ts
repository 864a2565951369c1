// The spill in local mode: an append-only spool of JSON lines in the data directory. A put returns only
// once its line is on disk (fsync), so a crash right after the webhook answered loses nothing. The local
// server drains it (local/spool-drain.ts) by taking the whole spool as a batch: a rename, so puts that
// come meanwhile start a new spool and are never lost or read half-written.
// A put that could not write its whole line (a full disk writes part of it without an error) fails, and
// the spool is cut back to where it was: the caller reports the item lost (storeOrSpill), never kept.
// The spool itself (FileSpool) holds any JSON item: the outbound texts' local queue is one too
// (lambdas/outbox/, DESIGN.md section 17), in a directory of its own.
import { fstatSync, mkdirSync, readdirSync, readSync, renameSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { appendDurably, exists, fsyncDir } from './durable-file';
import type { Spill, SpillItem } from './spill';

export { fsyncDir } from './durable-file';

export const SPOOL_FILE = 'spool.jsonl';
const BATCH = /^batch-(\d+)-(\d+)\.jsonl$/;

/**
 * Puts and batch-taking of one spool directory run one at a time within the process (the webhooks and
 * the drain share it): a rename never lands between a put's open and its fsync.
 */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(dir: string, work: () => T): Promise<T> {
  const run = (queues.get(dir) ?? Promise.resolve()).then(work);
  queues.set(dir, run.catch(() => undefined));
  return run;
}

/** An fsynced append-only spool of JSON lines, taken whole by a rename for each drain. */
export class FileSpool<T> {
  private batches = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  get spoolPath(): string {
    return path.join(this.dir, SPOOL_FILE);
  }

  put(item: T): Promise<void> {
    const line = `${JSON.stringify(item)}\n`;
    return serialized(this.dir, () => {
      // The directory may have gone (memory mode removes its temporary spool on stop while requests finish).
      mkdirSync(this.dir, { recursive: true });
      // A crash in the middle of a write leaves a line without its newline: start on a fresh line, so
      // only that half line is unreadable, not this one too. Whole or not at all: a short write throws.
      appendDurably(this.spoolPath, (fd) => Buffer.from(endsMidLine(fd) ? `\n${line}` : line, 'utf8'));
    });
  }

  /** Moves what the spool holds into a new batch file (the drain's to replay); undefined when it is empty. */
  takeBatch(): Promise<string | undefined> {
    return serialized(this.dir, () => {
      if (!exists(this.spoolPath) || statSync(this.spoolPath).size === 0) return undefined;
      const batch = path.join(this.dir, `batch-${Date.now()}-${String(this.batches++).padStart(6, '0')}.jsonl`);
      renameSync(this.spoolPath, batch);
      fsyncDir(this.dir);
      return batch;
    });
  }

  /** Batch files waiting to be replayed, oldest first: also those a crashed drain left behind. */
  pendingBatches(): string[] {
    return readdirSync(this.dir)
      .map((name) => BATCH.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]) || a[2].localeCompare(b[2]))
      .map((m) => path.join(this.dir, m[0]));
  }

  /** True when nothing waits to be replayed. */
  isEmpty(): boolean {
    return (!exists(this.spoolPath) || statSync(this.spoolPath).size === 0) && this.pendingBatches().length === 0;
  }
}

/** The spill's spool: voicemails, transcripts, texts and unrouted events DynamoDB could not take. */
export class FileSpill extends FileSpool<SpillItem> implements Spill {}

function endsMidLine(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

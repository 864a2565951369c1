// Local mode's spill drain (DESIGN.md section 11): while the spool holds anything, the local server tries
// every second to replay it into DynamoDB Local; the first replay that succeeds is the sign the store
// answers again. Crash-safe: a batch file is deleted only after every item in it was replayed, and
// after a partial drain it is rewritten (atomically) with what is left. Anything read twice after a
// crash is replayed twice, which the Sid-keyed writes make harmless.
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, type FileSpill } from '../lambdas/spill/file-spill';
import { parseSpillItem } from '../lambdas/spill/item-schema';
import { replay, type ReplayStores } from '../lambdas/spill/replay';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import { DynamoMessageStore } from '../lambdas/store/message-store';
import { DynamoStateStore } from '../lambdas/store/state-store';
import type { TableNames } from '../lambdas/store/tables';
import { errorField, logger } from '../lambdas/observability/logger';
import { lateRoutingStores } from '../lambdas/spill/late-route-stores';

/** Lines that are not spill items (a half-written last line after a crash) are set aside here, not dropped. */
export const REJECTED_FILE = 'rejected.jsonl';

export interface DrainResult {
  replayed: number;
  /** Items still waiting (the store failed mid-drain). */
  remaining: number;
}

/**
 * A hung DynamoDB Local must not hold a drain for long: it only delays the next probe. With the numbers,
 * flows and directory (read only) and the carrier link, items kept while their flow could not be read are
 * routed by it (lambdas/spill/late-route.ts), their notifications sent as the webhooks send them.
 */
export function drainStores(endpoint: string, tables: Pick<TableNames, 'messages' | 'state' | 'numbers' | 'flows' | 'directory'>): ReplayStores & { destroy(): void } {
  const doc = createDynamoDb({ endpoint, maxAttempts: 1, connectionTimeout: 1_000, requestTimeout: 2_000 });
  return { messages: new DynamoMessageStore(doc, tables.messages), state: new DynamoStateStore(doc, tables.state), ...lateRoutingStores(doc, tables), destroy: () => doc.destroy() };
}

export class SpoolDrain {
  private timer?: NodeJS.Timeout;
  private running?: Promise<DrainResult>;
  private failing = false;

  constructor(
    private readonly spill: FileSpill,
    private readonly stores: ReplayStores,
    private readonly intervalMs = 1_000,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.drainNow().catch((err) => logger.error('spool drain failed', { error: errorField(err) })), this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One drain now (or the one already under way). */
  drainNow(): Promise<DrainResult> {
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<DrainResult> {
    if (this.spill.isEmpty()) return { replayed: 0, remaining: 0 };
    await this.spill.takeBatch();
    let replayed = 0;
    for (const batch of this.spill.pendingBatches()) {
      const lines = readFileSync(batch, 'utf8').split('\n').filter((line) => line.trim() !== '');
      for (let i = 0; i < lines.length; i++) {
        const item = parseSpillItem(lines[i]);
        if (!item) {
          this.reject(lines[i]);
          continue;
        }
        try {
          await replay(item, this.stores);
          replayed++;
        } catch (err) {
          // The store is still away: keep the rest for the next probe, and say so once per outage.
          this.rewrite(batch, lines.slice(i));
          const remaining = this.countRemaining();
          if (!this.failing) logger.warn('DynamoDB does not answer yet; the spool waits', { remaining, error: errorField(err) });
          this.failing = true;
          return { replayed, remaining };
        }
      }
      unlinkSync(batch);
      fsyncDir(this.spill.dir);
    }
    if (replayed) logger.info('spool drained into DynamoDB', { replayed });
    this.failing = false;
    return { replayed, remaining: 0 };
  }

  private countRemaining(): number {
    return this.spill.pendingBatches().reduce((n, batch) => n + readFileSync(batch, 'utf8').split('\n').filter((l) => l.trim() !== '').length, 0);
  }

  /** Replaces a batch with the lines still to replay: a temporary file, fsynced, renamed over it. */
  private rewrite(batch: string, lines: string[]): void {
    const tmp = `${batch}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, lines.map((line) => `${line}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, batch);
    fsyncDir(this.spill.dir);
  }

  private reject(line: string): void {
    logger.error('spool line is not a spill item; set aside', { file: REJECTED_FILE });
    appendFileSync(path.join(this.spill.dir, REJECTED_FILE), `${line}\n`);
  }
}

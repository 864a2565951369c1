// Local mode's spill drain (DESIGN.md section 11): while the spool holds anything, the local server tries
// every second to replay it into DynamoDB Local; the first replay that succeeds is the sign the store
// answers again. Crash-safe: a batch file is deleted only after every item in it was replayed, and
// after a partial drain it is rewritten (atomically: written whole and fsynced, then renamed; a failed
// rewrite leaves the batch as it was) with what is left. Anything read twice after a crash is replayed
// twice, which the Sid-keyed writes make harmless. An item DynamoDB refuses for good (too large,
// invalid) is set aside in the rejected file, as the dead-letter queue does in AWS, and the drain goes on.
import { readFileSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { appendDurably, fsyncDir, replaceDurably } from '../lambdas/spill/durable-file';
import type { FileSpill } from '../lambdas/spill/file-spill';
import { parseSpillItem } from '../lambdas/spill/item-schema';
import { replay, type ReplayStores } from '../lambdas/spill/replay';
import { spillKey } from '../lambdas/spill/spill';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import { DynamoMessageStore } from '../lambdas/store/message-store';
import { DynamoStateStore } from '../lambdas/store/state-store';
import type { TableNames } from '../lambdas/store/tables';
import { isPermanentRefusal } from '../lambdas/store/unavailable';
import { errorField, logger } from '../lambdas/observability/logger';
import { countBy, METRIC } from '../lambdas/observability/metrics';
import { lateRoutingStores } from '../lambdas/spill/late-route-stores';

/**
 * Lines set aside, never dropped: what is not a spill item (a half-written last line after a crash) and
 * items DynamoDB refuses for good. One spool line each, as it was, so a person can read them and put
 * them back (append to spool.jsonl) once the cause is fixed.
 */
export const REJECTED_FILE = 'rejected.jsonl';

export interface DrainResult {
  replayed: number;
  /** Items set aside in the rejected file in this drain (refused for good, or not spill items). */
  rejected?: number;
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
    let rejected = 0;
    const result = (remaining: number): DrainResult => ({ replayed, ...(rejected && { rejected }), remaining });
    for (const batch of this.spill.pendingBatches()) {
      const lines = readFileSync(batch, 'utf8').split('\n').filter((line) => line.trim() !== '');
      for (let i = 0; i < lines.length; i++) {
        const item = parseSpillItem(lines[i]);
        if (!item) {
          this.reject(lines[i]);
          rejected++;
          logger.error('spool line is not a spill item; set aside', { file: REJECTED_FILE });
          countBy(METRIC.itemsRejected, 'kind', 'unreadable');
          continue;
        }
        try {
          await replay(item, this.stores);
          replayed++;
        } catch (err) {
          if (isPermanentRefusal(err)) {
            // Retrying cannot help, and everything behind it would wait forever: set it aside (durably,
            // before the batch forgets it) and go on, as SQS moves it to the dead-letter queue in AWS.
            this.reject(lines[i]);
            rejected++;
            logger.error('DynamoDB refuses a spilled item for good; set aside', { key: spillKey(item), file: REJECTED_FILE, error: errorField(err) });
            countBy(METRIC.itemsRejected, 'kind', item.kind);
            continue;
          }
          // The store is still away: keep the rest for the next probe, and say so once per outage.
          this.rewrite(batch, lines.slice(i));
          const remaining = this.countRemaining();
          if (!this.failing) logger.warn('DynamoDB does not answer yet; the spool waits', { remaining, error: errorField(err) });
          this.failing = true;
          return result(remaining);
        }
      }
      unlinkSync(batch);
      fsyncDir(this.spill.dir);
    }
    if (replayed) logger.info('spool drained into DynamoDB', { replayed });
    this.failing = false;
    return result(0);
  }

  private countRemaining(): number {
    return this.spill.pendingBatches().reduce((n, batch) => n + readFileSync(batch, 'utf8').split('\n').filter((l) => l.trim() !== '').length, 0);
  }

  /**
   * Replaces a batch with the lines still to replay: a temporary file written whole and fsynced, renamed
   * over it. A short or failed write throws before the rename, so the batch keeps every line it had
   * (those already replayed are replayed again next time, which stores nothing twice).
   */
  private rewrite(batch: string, lines: string[]): void {
    replaceDurably(batch, Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'));
  }

  /** Sets a line aside, whole and fsynced, or throws (the batch then keeps it: nothing is dropped). */
  private reject(line: string): void {
    appendDurably(path.join(this.spill.dir, REJECTED_FILE), Buffer.from(`${line}\n`, 'utf8'));
  }
}

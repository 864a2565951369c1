// Local mode's spill drain (DESIGN.md section 11): while the spool holds anything, the local server tries
// every second to replay it into DynamoDB Local; the first replay that succeeds is the sign the store
// answers again. Crash-safe: a batch file is deleted only after every item in it was replayed, and
// after a partial drain it is rewritten (atomically: written whole and fsynced, then renamed; a failed
// rewrite leaves the batch as it was) with what is left. Anything read twice after a crash is replayed
// twice, which the Sid-keyed writes make harmless. An item DynamoDB refuses for good (too large,
// invalid) is set aside in the rejected file, as the dead-letter queue does in AWS, and the drain goes on.
// The loop itself (SpoolLoop) also sends the outbound texts' local queue (local/outbox-sender.ts).
import { readFileSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import { appendDurably, fsyncDir, replaceDurably } from '../lambdas/spill/durable-file';
import type { FileSpill, FileSpool } from '../lambdas/spill/file-spill';
import { parseSpillItem } from '../lambdas/spill/item-schema';
import { replay, type ReplayStores } from '../lambdas/spill/replay';
import { spillKey, type SpillItem } from '../lambdas/spill/spill';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import { DynamoMessageStore } from '../lambdas/store/message-store';
import { DynamoOutboundStore } from '../lambdas/store/outbound-store';
import { DynamoStateStore } from '../lambdas/store/state-store';
import type { TableNames } from '../lambdas/store/tables';
import { isPermanentRefusal } from '../lambdas/store/unavailable';
import { errorField, logger } from '../lambdas/observability/logger';
import { countBy, METRIC } from '../lambdas/observability/metrics';
import { lateRoutingStores } from '../lambdas/spill/late-route-stores';
import type { TextSender } from '../lambdas/carrier/text-sender';

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
 * flows and directory (read only) and `texts` (the outbound queue), items kept while their flow could not
 * be read are routed by it (lambdas/spill/late-route.ts), their notifications queued as the webhooks queue them.
 */
export function drainStores(endpoint: string, tables: Pick<TableNames, 'messages' | 'state' | 'numbers' | 'flows' | 'directory' | 'outbound'>, texts?: TextSender): ReplayStores & { destroy(): void } {
  const doc = createDynamoDb({ endpoint, maxAttempts: 1, connectionTimeout: 1_000, requestTimeout: 2_000 });
  return {
    messages: new DynamoMessageStore(doc, tables.messages),
    state: new DynamoStateStore(doc, tables.state),
    outbound: new DynamoOutboundStore(doc, tables.outbound),
    ...lateRoutingStores(doc, tables, texts),
    destroy: () => doc.destroy(),
  };
}

/**
 * What a spool loop does with its items: read a line back, work on the item (throwing to keep it, and
 * every line behind it, for the next round), and say which failures no retry can fix (the item is then
 * set aside in the rejected file and the loop goes on). The spill's drain and the outbound sender are two.
 */
export interface SpoolWork<T> {
  parse(line: string): T | undefined;
  run(item: T): Promise<void>;
  refusedForGood(err: unknown): boolean;
  /** The item's key, for the logs. */
  key(item: T): string;
  /** The ItemsRejected dimension. */
  kind(item: T): string;
  messages: {
    unreadable: string;
    refused: string;
    /** Logged once per outage, with how many items wait. */
    waiting: string;
    done: string;
  };
}

/**
 * Drains a FileSpool every interval while it holds anything, one batch file at a time (see the top of
 * this file: crash-safe, rewrites a partial batch atomically, sets aside what can never be handled).
 */
export class SpoolLoop<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<DrainResult>;
  private failing = false;

  constructor(
    private readonly spool: FileSpool<T>,
    private readonly work: SpoolWork<T>,
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

  /** True while the spool holds items (a drain under way may be handling them). */
  pending(): boolean {
    return !this.spool.isEmpty();
  }

  /** One drain now (or the one already under way). */
  drainNow(): Promise<DrainResult> {
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<DrainResult> {
    if (this.spool.isEmpty()) return { replayed: 0, remaining: 0 };
    await this.spool.takeBatch();
    let replayed = 0;
    let rejected = 0;
    const result = (remaining: number): DrainResult => ({ replayed, ...(rejected && { rejected }), remaining });
    for (const batch of this.spool.pendingBatches()) {
      const lines = readFileSync(batch, 'utf8').split('\n').filter((line) => line.trim() !== '');
      for (let i = 0; i < lines.length; i++) {
        const item = this.work.parse(lines[i]);
        if (!item) {
          this.reject(lines[i]);
          rejected++;
          logger.error(this.work.messages.unreadable, { file: REJECTED_FILE });
          countBy(METRIC.itemsRejected, 'kind', 'unreadable');
          continue;
        }
        try {
          await this.work.run(item);
          replayed++;
        } catch (err) {
          if (this.work.refusedForGood(err)) {
            // Retrying cannot help, and everything behind it would wait forever: set it aside (durably,
            // before the batch forgets it) and go on, as SQS moves it to the dead-letter queue in AWS.
            this.reject(lines[i]);
            rejected++;
            logger.error(this.work.messages.refused, { key: this.work.key(item), file: REJECTED_FILE, error: errorField(err) });
            countBy(METRIC.itemsRejected, 'kind', this.work.kind(item));
            continue;
          }
          // Not now: keep the rest for the next round, and say so once per outage.
          this.rewrite(batch, lines.slice(i));
          const remaining = this.countRemaining();
          if (!this.failing) logger.warn(this.work.messages.waiting, { remaining, error: errorField(err) });
          this.failing = true;
          return result(remaining);
        }
      }
      unlinkSync(batch);
      fsyncDir(this.spool.dir);
    }
    if (replayed) logger.info(this.work.messages.done, { replayed });
    this.failing = false;
    return result(0);
  }

  private countRemaining(): number {
    return this.spool.pendingBatches().reduce((n, batch) => n + readFileSync(batch, 'utf8').split('\n').filter((l) => l.trim() !== '').length, 0);
  }

  /**
   * Replaces a batch with the lines still to handle: a temporary file written whole and fsynced, renamed
   * over it. A short or failed write throws before the rename, so the batch keeps every line it had
   * (those already handled are handled again next time, which the work must make harmless).
   */
  private rewrite(batch: string, lines: string[]): void {
    replaceDurably(batch, Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8'));
  }

  /** Sets a line aside, whole and fsynced, or throws (the batch then keeps it: nothing is dropped). */
  private reject(line: string): void {
    appendDurably(path.join(this.spool.dir, REJECTED_FILE), Buffer.from(`${line}\n`, 'utf8'));
  }
}

/** The spill's drain: every item replayed into DynamoDB with the webhooks' own Sid-keyed writes. */
export class SpoolDrain extends SpoolLoop<SpillItem> {
  constructor(spill: FileSpill, stores: ReplayStores, intervalMs = 1_000) {
    super(
      spill,
      {
        parse: parseSpillItem,
        run: async (item) => void (await replay(item, stores)),
        refusedForGood: isPermanentRefusal,
        key: spillKey,
        kind: (item) => item.kind,
        messages: {
          unreadable: 'spool line is not a spill item; set aside',
          refused: 'DynamoDB refuses a spilled item for good; set aside',
          waiting: 'DynamoDB does not answer yet; the spool waits',
          done: 'spool drained into DynamoDB',
        },
      },
      intervalMs,
    );
  }
}

// The account's numbers as the admin API's report last read them. The dashboard shows the report on every
// view and after every edit, and each report used to list every number at Twilio (a page per 1,000
// numbers, a few hundred ms each, against the account's API concurrency): within REPORT_LIST_TTL_MS the
// report reuses the last list. Reads that decide something read live (GET /api/carrier/numbers, sync), and
// a sync, which changes the numbers' URLs, empties it. A failed read is not kept.
import type { TwilioNumberResource } from './carrier-link';

/** How stale the report's view of the carrier may be: a URL changed in Twilio's console shows within this. */
export const REPORT_LIST_TTL_MS = 15_000;

/** Holds one read of the account (`T`: its numbers, or its numbers with its Messaging Services). */
export class NumberListCache<T = TwilioNumberResource[]> {
  private last?: { at: number; list: Promise<T> };

  constructor(
    private readonly now: () => Date,
    private readonly ttlMs = REPORT_LIST_TTL_MS,
  ) {}

  /** The cached list while it is fresh (a read in flight included), else `read()`'s. */
  list(read: () => Promise<T>): Promise<T> {
    const at = this.now().getTime();
    if (this.last && at - this.last.at >= 0 && at - this.last.at < this.ttlMs) return this.last.list;
    const list = read();
    const entry = { at, list };
    this.last = entry;
    list.catch(() => {
      if (this.last === entry) this.last = undefined;
    });
    return list;
  }

  clear(): void {
    this.last = undefined;
  }
}

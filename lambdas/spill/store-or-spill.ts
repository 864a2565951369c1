// The one rule every carrier write follows (DESIGN.md section 11): try the store, and when it fails or
// does not answer in time, put the item in the spill instead. A write that finishes after its deadline
// and a replay of the same item are harmless: the writes are keyed by the carrier's Sid.
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import { withDeadline } from '../runtime/deadline';
import { spillKey, type Spill, type SpillItem } from './spill';

export type Kept = 'stored' | 'spilled' | 'lost';

/**
 * `write` within `ms`, else `item` into the spill. Never throws: 'lost' (an error log and the ItemsLost
 * metric) only when the spill failed too.
 */
export async function storeOrSpill(spill: Spill, item: SpillItem, write: () => Promise<unknown>, ms: number): Promise<Kept> {
  let cause: unknown;
  try {
    await withDeadline(Promise.resolve().then(write), ms, () => Promise.reject(new Error(`the store did not answer within ${ms} ms`)));
    return 'stored';
  } catch (err) {
    cause = err;
  }
  try {
    await spill.put(item);
    logger.warn('store write failed; item kept in the spill', { key: spillKey(item), error: errorField(cause) });
    countBy(METRIC.itemsSpilled, 'kind', item.kind);
    return 'spilled';
  } catch (err) {
    logger.error('store write and spill both failed: item lost', { key: spillKey(item), error: errorField(cause), spillError: errorField(err) });
    countBy(METRIC.itemsLost, 'kind', item.kind);
    return 'lost';
  }
}

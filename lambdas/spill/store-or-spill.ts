// The one rule every carrier write follows (DESIGN.md section 11): try the store, and when it fails or
// does not answer in time, put the item in the spill instead. A write that finishes after its deadline
// and a replay of the same item are harmless: the writes are keyed by the carrier's Sid.
import { log, withDeadline } from '../webhooks/context';
import { spillKey, type Spill, type SpillItem } from './spill';

export type Kept = 'stored' | 'spilled' | 'lost';

/**
 * `write` within `ms`, else `item` into the spill. Never throws: 'lost' (logged as an error) only when
 * the spill failed too, which is what the spill's own alarms and the error log are for.
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
    log('WARN', 'store write failed; item kept in the spill', { key: spillKey(item), error: String(cause) });
    return 'spilled';
  } catch (err) {
    log('ERROR', 'store write and spill both failed: item lost', { key: spillKey(item), error: String(cause), spillError: String(err) });
    return 'lost';
  }
}

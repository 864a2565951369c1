// The report's cache of the carrier's number list (lambdas/carrier/number-list-cache.ts).
import { NumberListCache, REPORT_LIST_TTL_MS } from '../../lambdas/carrier/number-list-cache';
import type { TwilioNumberResource } from '../../lambdas/carrier/carrier-link';

const list = (n: number) => [{ phone_number: `+1555030000${n}` } as TwilioNumberResource];

test('answers from the last read within the TTL, reads again from the TTL on, and after clear()', async () => {
  let clock = 1_000_000;
  const cache = new NumberListCache(() => new Date(clock));
  let reads = 0;
  const read = async () => list(++reads);
  expect(await cache.list(read)).toEqual(list(1));
  clock += REPORT_LIST_TTL_MS - 1;
  expect(await cache.list(read)).toEqual(list(1));
  clock += 1;
  expect(await cache.list(read)).toEqual(list(2));
  cache.clear();
  expect(await cache.list(read)).toEqual(list(3));
  // A clock that went backwards does not keep an entry from the future.
  clock -= 60_000;
  expect(await cache.list(read)).toEqual(list(4));
});

test('reads in flight are shared; a failed read is dropped, not served until the TTL', async () => {
  const cache = new NumberListCache(() => new Date(0));
  let reads = 0;
  let release!: (v: TwilioNumberResource[]) => void;
  const slow = () => (reads++, new Promise<TwilioNumberResource[]>((r) => (release = r)));
  const both = Promise.all([cache.list(slow), cache.list(slow)]);
  release(list(1));
  expect(await both).toEqual([list(1), list(1)]);
  expect(reads).toBe(1);

  const failing = new NumberListCache(() => new Date(0));
  await expect(failing.list(async () => Promise.reject(new Error('Twilio 503')))).rejects.toThrow('Twilio 503');
  expect(await failing.list(async () => list(7))).toEqual(list(7));
});

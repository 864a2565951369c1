// Where an outbound text stands (DESIGN.md section 17, lambdas/flows/delivery.ts): queued -> sent ->
// delivered | undelivered | failed, moving only forward, from Twilio's statuses.
import { DELIVERY_STATUSES, deliveryErrorWords, deliveryStatusOf, movesForward, notDelivered, statusRank, type DeliveryStatus } from '../../lambdas/flows/delivery';

test('a status moves only forward: queued, then sent, then one outcome, and no outcome replaces another', () => {
  const allowed = DELIVERY_STATUSES.flatMap((from) => DELIVERY_STATUSES.filter((to) => movesForward(from, to)).map((to) => `${from}->${to}`));
  expect(allowed.sort()).toEqual(
    [
      'queued->sent', 'queued->delivered', 'queued->undelivered', 'queued->failed',
      'sent->delivered', 'sent->undelivered', 'sent->failed',
    ].sort(),
  );
});

test('a late `sent` after `delivered` changes nothing; nor does a second callback of the same status', () => {
  expect(movesForward('delivered', 'sent')).toBe(false);
  expect(movesForward('undelivered', 'sent')).toBe(false);
  expect(movesForward('sent', 'sent')).toBe(false);
  expect(movesForward('delivered', 'undelivered')).toBe(false);
  expect(movesForward(undefined, 'queued')).toBe(true);
});

test('the rank stored with a record orders the statuses as movesForward does', () => {
  for (const a of DELIVERY_STATUSES) for (const b of DELIVERY_STATUSES) expect([a, b, movesForward(a, b)]).toEqual([a, b, statusRank(b) > statusRank(a)]);
});

test('Twilio’s MessageStatus in our five words; inbound statuses and nonsense say nothing', () => {
  const cases: Array<[string, DeliveryStatus | undefined]> = [
    ['accepted', 'queued'], ['scheduled', 'queued'], ['queued', 'queued'], ['sending', 'queued'],
    ['sent', 'sent'], ['delivered', 'delivered'], ['read', 'delivered'], ['DELIVERED', 'delivered'],
    ['undelivered', 'undelivered'], ['failed', 'failed'], ['canceled', 'failed'],
    ['receiving', undefined], ['received', undefined], ['', undefined], ['lost', undefined],
  ];
  for (const [twilio, ours] of cases) expect([twilio, deliveryStatusOf(twilio)]).toEqual([twilio, ours]);
  expect(deliveryStatusOf(undefined)).toBeUndefined();
});

test('failed and undelivered are the outcomes where nobody got the text', () => {
  expect(DELIVERY_STATUSES.filter(notDelivered)).toEqual(['undelivered', 'failed']);
});

test('Twilio’s error codes in words: a landline (30006), an opt-out (21610), and nothing made up for an unknown code', () => {
  expect(deliveryErrorWords(30006)).toMatch(/landline/);
  expect(deliveryErrorWords(21610)).toMatch(/opted out/);
  expect(deliveryErrorWords(30003)).toMatch(/unreachable/);
  expect(deliveryErrorWords(99999)).toBeUndefined();
  expect(deliveryErrorWords(undefined)).toBeUndefined();
});

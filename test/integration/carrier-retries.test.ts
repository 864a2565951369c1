// Timeouts and retries of the twilio library's REST client as the carrier link sets it up, and what the
// outbound sender makes of each failure (docs/decisions.md): `autoRetry` tries a request answered 429 again
// (Twilio did not take it); nothing else is retried by the library. The sender hands back to the queue
// only what Twilio certainly did not take (RetryLater); a 503 or a timeout may have been taken, so they are
// final (a second send could text twice), logged and counted.
import { RetryLater, sendQueuedText, type OutboundSenderDeps } from '../../lambdas/carrier/outbound-sender';
import { queuedTexts } from '../../lambdas/carrier/queued-text';
import type { SendReason } from '../../lambdas/carrier/text-sender';
import { TwilioApiError } from '../../lambdas/carrier/twilio-client';
import type { FakeTwilio } from '../../local/fake-twilio';
import { capturingOutput, fakeCarrier } from '../support/carrier';

/** A short request timeout, so a hung carrier costs the test a moment. */
const TIMEOUT_MS = 500;

let carrier: Awaited<ReturnType<typeof fakeCarrier>>;
let fake: FakeTwilio;
let failures: Array<[number, SendReason]>;
let deps: OutboundSenderDeps;
beforeEach(async () => {
  carrier = await fakeCarrier({ timeoutMs: TIMEOUT_MS });
  fake = carrier.fake;
  fake.addNumber({ phoneNumber: '+15550100001' });
  failures = [];
  deps = { carrier: async () => carrier.client, publicUrl: () => undefined, metrics: { sendFailures: (n, r) => void failures.push([n, r]) } };
});
afterEach(() => fake.stop());

const sends = () => fake.requests.filter((r) => r.path.endsWith('/Messages.json'));
const message = { from: '+15550100001', to: '+15550200001', body: 'Thanks for calling' };
const queued = () => queuedTexts([message], { reason: 'text_applet', sid: 'CA1' }, new Date())[0];

test('a send refused with 429 (rate limit: not taken) is tried again by the library and goes out', async () => {
  fake.answerNextWith(429);
  await expect(sendQueuedText(queued(), deps)).resolves.toMatchObject({ outcome: 'sent', sid: expect.stringMatching(/^SM/) });
  expect(sends()).toHaveLength(2);
  expect(fake.messages).toHaveLength(1);
});

test('still 429 after the library’s retries: handed back to the queue (RetryLater), not counted as failed', async () => {
  fake.answerNextWith(429, 429, 429, 429);
  await expect(capturingOutput(() => sendQueuedText(queued(), deps))).rejects.toBeInstanceOf(RetryLater);
  expect(sends()).toHaveLength(4);
  expect(failures).toEqual([]);
});

test('a send answered 503 is not tried again: Twilio may have taken it, and a retry could text twice', async () => {
  fake.answerNextWith(503);
  const { result, lines } = await capturingOutput(() => sendQueuedText(queued(), deps));
  expect(result).toMatchObject({ outcome: 'refused', status: 503, code: 20500 });
  expect(sends()).toHaveLength(1);
  expect(failures).toEqual([[1, 'text_applet']]);
  expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'a text could not be sent', status: 503, code: 20500 }));
});

test('a send that gets no answer is given up after its timeout, once, counted and marked as maybe delivered', async () => {
  fake.hangSendsTo(message.to);
  const error = (await carrier.client.createMessage(message).catch((e: unknown) => e)) as TwilioApiError;
  expect(error).toBeInstanceOf(TwilioApiError);
  expect(error).toMatchObject({ status: 0, maybeDelivered: true });
  const { result, lines } = await capturingOutput(() => sendQueuedText(queued(), deps));
  expect(result).toMatchObject({ outcome: 'refused', status: 0 });
  expect(sends()).toHaveLength(2);
  expect(failures).toEqual([[1, 'text_applet']]);
  expect(lines).toContainEqual(expect.objectContaining({ message: 'a text could not be sent', maybeDelivered: true }));
});

test('reading the numbers answered 429 twice is retried by the library until it goes through', async () => {
  fake.answerNextWith(429, 429);
  await expect(carrier.client.listIncomingPhoneNumbers()).resolves.toHaveLength(1);
  expect(fake.requests.filter((r) => r.path.endsWith('/IncomingPhoneNumbers.json'))).toHaveLength(3);
});

test('a read answered 503 is the carrier’s error with Twilio’s status and code (no retry but 429’s)', async () => {
  fake.answerNextWith(503);
  await expect(carrier.client.listIncomingPhoneNumbers()).rejects.toMatchObject({ status: 503, carrierCode: 20500 });
  expect(fake.requests.filter((r) => r.path.endsWith('/IncomingPhoneNumbers.json'))).toHaveLength(1);
});

test('a carrier that refuses connections: the send never left, so the queue tries it again (RetryLater)', async () => {
  await fake.stop();
  const error = (await carrier.client.createMessage(message).catch((e: unknown) => e)) as TwilioApiError;
  expect(error).toMatchObject({ status: 0, maybeDelivered: false, message: expect.stringContaining('ECONNREFUSED') });
  await expect(capturingOutput(() => sendQueuedText(queued(), deps))).rejects.toBeInstanceOf(RetryLater);
  expect(failures).toEqual([]);
});

// Timeouts and retries of the twilio library's REST client as the carrier link sets it up (docs/decisions.md):
// `autoRetry` tries a request answered 429 again (Twilio did not take it), nothing else is retried (a 503 or
// a timeout may have been taken: a second send could text twice), and a send gives up within its timeout.
import { CarrierTextSender, SEND_TIMEOUT_MS, sendTextsBestEffort, type SendReason } from '../../lambdas/carrier/text-sender';
import { TwilioApiError } from '../../lambdas/carrier/twilio-client';
import type { FakeTwilio } from '../../local/fake-twilio';
import { capturingOutput, fakeCarrier } from '../support/carrier';

let carrier: Awaited<ReturnType<typeof fakeCarrier>>;
let fake: FakeTwilio;
beforeEach(async () => {
  carrier = await fakeCarrier({ timeoutMs: SEND_TIMEOUT_MS });
  fake = carrier.fake;
  fake.addNumber({ phoneNumber: '+15550100001' });
});
afterEach(() => fake.stop());

const sends = () => fake.requests.filter((r) => r.path.endsWith('/Messages.json'));
const message = { from: '+15550100001', to: '+15550200001', body: 'Thanks for calling' };

test('a send refused with 429 (rate limit: not taken) is tried once more and goes out', async () => {
  fake.answerNextWith(429);
  await expect(carrier.client.createMessage(message)).resolves.toMatchObject({ sid: expect.stringMatching(/^SM/) });
  expect(sends()).toHaveLength(2);
  expect(fake.messages).toHaveLength(1);
});

test('a send answered 503 is not tried again: Twilio may have taken it, and a retry could text twice', async () => {
  fake.answerNextWith(503);
  await expect(carrier.client.createMessage(message)).rejects.toMatchObject({ status: 503 });
  expect(sends()).toHaveLength(1);
});

test('a send that gets no answer is given up within its budget, once, and marked as maybe delivered', async () => {
  fake.hangSendsTo(message.to);
  const error = (await carrier.client.createMessage(message).catch((e: unknown) => e)) as TwilioApiError;
  expect(error).toBeInstanceOf(TwilioApiError);
  expect(error).toMatchObject({ status: 0, maybeDelivered: true });
  expect(sends()).toHaveLength(1);
});

test('a webhook waiting on a hung carrier gets its answer back, and the failure is counted', async () => {
  fake.hangSendsTo(message.to);
  const failures: Array<[number, SendReason]> = [];
  const sender = new CarrierTextSender(async () => carrier.client, { sendFailures: (n, r) => void failures.push([n, r]) });
  const { lines } = await capturingOutput(() => sendTextsBestEffort(sender, [message], { reason: 'text_applet', sid: 'CA1' }));
  // The client's budget (900 ms) ends before the webhook's wait (1 s): the failure is in before the answer.
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

test('a carrier that refuses connections: the send fails without maybeDelivered (it never left)', async () => {
  await fake.stop();
  const error = (await carrier.client.createMessage(message).catch((e: unknown) => e)) as TwilioApiError;
  expect(error).toMatchObject({ status: 0, maybeDelivered: false, message: expect.stringContaining('ECONNREFUSED') });
});

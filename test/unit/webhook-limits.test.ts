// Issue 18 item 5 in Lambda: the webhook guard refuses a body over 64 KB or over 200 parameters with 413
// before it reads the auth token or computes a signature, whether API Gateway passed the body as text or
// base64. The same pipeline the voice, sms and fallback functions run (twilioWebhook).
import { countFormParams, MAX_WEBHOOK_BODY_BYTES, MAX_WEBHOOK_PARAMS, oversizedWebhook } from '../../lambdas/twilio/limits';
import { twilioWebhook, type GuardOptions, type TwilioRequest } from '../../lambdas/webhooks/guard';
import { plain } from '../../lambdas/webhooks/answers';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const call = { CallSid: `CA${'1'.repeat(32)}`, AccountSid: `AC${'2'.repeat(32)}`, From: '+15550109999', To: '+15550100001', CallStatus: 'ringing', Direction: 'inbound' };
const padding = (n: number, value = '1') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X${i}`, value]));

function pipeline() {
  const authToken = jest.fn(async () => TEST_AUTH_TOKEN);
  const dispatched: TwilioRequest[] = [];
  const options: GuardOptions = {
    authToken,
    now: () => new Date(),
    missing: () => [],
    unverified: () => plain(500, 'unverified'),
    safeAnswer: async () => plain(500, 'safe answer'),
  };
  const handler = twilioWebhook(options, async (request) => {
    dispatched.push(request);
    return plain(200, 'routed');
  });
  return { handler, authToken, dispatched };
}

describe.each([
  ['as text', false],
  ['base64-encoded', true],
])('a body API Gateway passed %s', (_how, base64) => {
  it('refuses 10 MB of unsigned parameters with 413, reading neither the token nor the parameters', async () => {
    const { handler, authToken, dispatched } = pipeline();
    const event = signedTwilioEvent({ url: '/twilio/sms', params: call, base64 });
    const body = 'p=1&'.repeat(2.6 * 1024 * 1024);
    event.body = base64 ? Buffer.from(body).toString('base64') : body;
    delete event.headers['x-twilio-signature'];
    const res = await handler(event);
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('64 KB');
    expect(authToken).not.toHaveBeenCalled();
    expect(dispatched).toEqual([]);
  });

  it('refuses a signed body one byte over 64 KB, and takes one at 64 KB', async () => {
    const fixed = signedTwilioEvent({ url: '/twilio/voice', params: { ...call, Pad: '' } }).body!.length;
    const at = { ...call, Pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES - fixed) };
    const ok = pipeline();
    const atLimit = signedTwilioEvent({ url: '/twilio/voice', params: at, base64 });
    expect(Buffer.from(atLimit.body!, base64 ? 'base64' : 'utf8').length).toBe(MAX_WEBHOOK_BODY_BYTES);
    expect((await ok.handler(atLimit)).statusCode).toBe(200);
    const over = pipeline();
    const res = await over.handler(signedTwilioEvent({ url: '/twilio/voice', params: { ...at, Pad: `${at.Pad}x` }, base64 }));
    expect(res.statusCode).toBe(413);
    expect(over.authToken).not.toHaveBeenCalled();
    expect(over.dispatched).toEqual([]);
  });

  it('refuses 201 parameters with 413 even when signed, and takes 200', async () => {
    const over = pipeline();
    const params = { ...call, ...padding(201 - Object.keys(call).length) };
    const res = await over.handler(signedTwilioEvent({ url: '/twilio/voice', params, base64 }));
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain(`${MAX_WEBHOOK_PARAMS} parameters`);
    expect(over.authToken).not.toHaveBeenCalled();
    const ok = pipeline();
    const atLimit = { ...call, ...padding(200 - Object.keys(call).length) };
    expect((await ok.handler(signedTwilioEvent({ url: '/twilio/voice', params: atLimit, base64 }))).statusCode).toBe(200);
    expect(Object.keys(ok.dispatched[0].params)).toHaveLength(200);
  });

  it('counts a repeated name once per value, as the signature does', async () => {
    const over = pipeline();
    const res = await over.handler(signedTwilioEvent({ url: '/twilio/sms', params: { ...call, MediaUrl0: Array.from({ length: 200 }, (_, i) => `https://api.twilio.com/m/${i}`) }, base64 }));
    expect(res.statusCode).toBe(413);
  });
});

it('counts parameters as URLSearchParams parses them, stopping past the limit', () => {
  for (const text of ['', 'a=1', 'a=1&b=2', '&&a=1&&', 'a&b&c', '=&=', 'a=1&'.repeat(50)]) {
    expect({ text, count: countFormParams(text) }).toEqual({ text, count: [...new URLSearchParams(text)].length });
  }
  expect(countFormParams('a=1&'.repeat(1e6), 200)).toBe(201);
  expect(oversizedWebhook({ body: undefined, isBase64Encoded: false })).toBeUndefined();
  expect(oversizedWebhook({ body: '&'.repeat(MAX_WEBHOOK_BODY_BYTES), isBase64Encoded: false })).toBeUndefined();
  // Multi-byte characters count as the bytes they take, not as characters.
  expect(oversizedWebhook({ body: `Body=${'é'.repeat(MAX_WEBHOOK_BODY_BYTES / 2)}`, isBase64Encoded: false })).toBe('body_too_large');
});

// DESIGN.md section 5: the voice webhook never answers a caller with an error; signatures everywhere.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { createStores } from '../../lambdas/store/stores';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import type { WebhookDeps } from '../../lambdas/webhooks/deps';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

let t: TestTables;
let deps: WebhookDeps;
let spilled: TestSpill;
const call = (extra: Record<string, string> = {}) => ({ CallSid: `CA${'1'.repeat(32)}`, AccountSid: `AC${'2'.repeat(32)}`, From: '+15550109999', To: '+15550100009', CallStatus: 'ringing', Direction: 'inbound', ...extra });

beforeAll(async () => {
  t = await createTestTables();
  spilled = tempSpill();
  deps = { ...createStores(t.doc, t.names), spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN };
});

afterAll(() => spilled.dispose());

async function items(table: string) {
  return (await t.doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
}

it('answers a call to an unknown number with the safe TwiML and counts it', async () => {
  const res = await voiceWebhook(deps)(signedTwilioEvent({ url: '/twilio/voice', params: call({ CallSid: `CA${'3'.repeat(32)}` }) }));
  expect(res.statusCode).toBe(200);
  expect(res.headers?.['content-type']).toBe('text/xml');
  expect(res.body).toContain('<Say>Sorry');
  expect(res.body).toMatch(/<Record [^>]*action="https:\/\/[^"]+\/twilio\/voice\/recording\?mb=unrouted/);
  expect(await deps.state.unroutedSince('+15550100009', undefined)).toEqual([expect.objectContaining({ channel: 'call', reason: 'unknown_number' })]);
});

it('answers 200 with the safe TwiML when DynamoDB is down', async () => {
  const down = createDynamoDb({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const broken: WebhookDeps = { ...createStores(down, t.names), spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN };
  const res = await voiceWebhook(broken)(signedTwilioEvent({ url: '/twilio/voice', params: call() }));
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('<Record');
  const step = await voiceWebhook(broken)(signedTwilioEvent({ url: '/twilio/voice/step?f=flw_x&r=1&step=menu&applet=m&attempt=1', params: call({ Digits: '1' }) }));
  expect(step.statusCode).toBe(200);
  expect(step.body).toContain('<Record');
});

it('answers a continuation with a forged or unknown state with the safe TwiML, not an error', async () => {
  const res = await voiceWebhook(deps)(signedTwilioEvent({ url: '/twilio/voice/step?f=flw_missing&r=3&step=menu&applet=m&attempt=1', params: call() }));
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('<Record');
});

it('refuses a bad signature with 403 and stores nothing', async () => {
  const before = (await items(t.names.state)).length;
  const event = signedTwilioEvent({ url: '/twilio/voice', params: call({ CallSid: `CA${'4'.repeat(32)}` }), authToken: 'wrong-token' });
  expect((await voiceWebhook(deps)(event)).statusCode).toBe(403);
  const sms = signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: `SM${'5'.repeat(32)}`, From: '+15550109999', To: '+15550100009', Body: 'x' }, authToken: 'wrong-token' });
  expect((await smsWebhook(deps)(sms)).statusCode).toBe(403);
  expect((await items(t.names.state)).length).toBe(before);
  expect(await items(t.names.messages)).toEqual([]);
});

it('answers 400 to a malformed request (no CallSid / To / From)', async () => {
  const res = await voiceWebhook(deps)(signedTwilioEvent({ url: '/twilio/voice', params: { From: '+15550109999' } }));
  expect(res.statusCode).toBe(400);
  expect(res.body).toMatch(/CallSid/);
  const sms = await smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { Body: 'x' } }));
  expect(sms.statusCode).toBe(400);
});

it('accepts a base64-encoded body, as API Gateway may send it', async () => {
  const res = await voiceWebhook(deps)(signedTwilioEvent({ url: '/twilio/voice', params: call({ CallSid: `CA${'8'.repeat(32)}` }), base64: true }));
  expect(res.statusCode).toBe(200);
});

it('answers the safe TwiML (and stores nothing) when the auth token cannot be read', async () => {
  const before = (await items(t.names.state)).length;
  const noToken: WebhookDeps = { ...deps, authToken: async () => Promise.reject(new Error('secrets manager unreachable')) };
  const res = await voiceWebhook(noToken)(signedTwilioEvent({ url: '/twilio/voice', params: call({ CallSid: `CA${'9'.repeat(32)}` }) }));
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('<Record');
  const sms = await smsWebhook(noToken)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: `SM${'9'.repeat(32)}`, From: '+15550109999', To: '+15550100009', Body: 'x' } }));
  expect(sms.statusCode).toBe(200);
  expect((await items(t.names.state)).length).toBe(before);
});

describe('when DynamoDB hangs (accepts connections, never answers)', () => {
  let server: import('node:net').Server;
  const sockets: import('node:net').Socket[] = [];
  let broken: WebhookDeps;
  beforeAll(async () => {
    const net = await import('node:net');
    const { webhookDynamoClientConfig } = await import('../../lambdas/webhooks/deps');
    server = net.createServer((socket) => sockets.push(socket)); // holds every socket open, answers nothing
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const hung = createDynamoDb({ ...webhookDynamoClientConfig, endpoint: `http://127.0.0.1:${port}` });
    broken = { ...createStores(hung, t.names), spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN };
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('the webhook DynamoDB client gives up on a hung request instead of waiting for ever', async () => {
    await expect(broken.numbers.find('+15550100009')).rejects.toThrow();
  });

  it('the voice webhook still answers 200 with the safe TwiML', async () => {
    // Without the deadline this request never answers (the test would time out).
    const res = await voiceWebhook(broken)(signedTwilioEvent({ url: '/twilio/voice', params: call({ CallSid: `CA${'a'.repeat(32)}` }) }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Record');
  });

  it('the sms webhook still answers 200 with an empty <Response/>', async () => {
    const res = await smsWebhook(broken)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: `SM${'a'.repeat(32)}`, From: '+15550109999', To: '+15550100009', Body: 'x' } }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('the Record action of the safe answer still answers <Hangup/> to the caller on the line', async () => {
    const res = await voiceWebhook(broken)(
      signedTwilioEvent({ url: '/twilio/voice/recording?mb=unrouted&c=%2B15550109999&n=%2B15550100009', params: call({ RecordingSid: `RE${'a'.repeat(32)}`, RecordingUrl: 'https://api.twilio.com/r', Digits: '#' }) }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<Hangup/>');
  });
});

it('accepts a withheld caller posted as an empty From', async () => {
  const res = await voiceWebhook(deps)(signedTwilioEvent({ url: '/twilio/voice', params: call({ CallSid: `CA${'b'.repeat(32)}`, From: '' }) }));
  expect(res.statusCode).toBe(200);
  const sms = await smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: `SM${'b'.repeat(32)}`, From: '', To: '+15550100009', Body: 'x' } }));
  expect(sms.statusCode).toBe(200);
});

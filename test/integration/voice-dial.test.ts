// Dial results through the voice webhook against DynamoDB Local, with the demo flow.
import { createStores } from '../../lambdas/store/stores';
import { VoiceWebhook } from '../../lambdas/webhooks/voice';
import { seedDemo, DEMO_NUMBERS } from '../../local/seed';
import { createTestTables } from '../support/dynamo';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

let webhook: VoiceWebhook;
const OPEN = new Date('2026-11-24T15:00:00Z'); // Tuesday 10:00 in New York

beforeAll(async () => {
  const t = await createTestTables();
  const stores = createStores(t.doc, t.names);
  await seedDemo({ ...stores, now: () => OPEN });
  webhook = new VoiceWebhook({ ...stores, now: () => OPEN, authToken: async () => TEST_AUTH_TOKEN });
});

const actionOf = (xml: string, verb: string) => new RegExp(`<${verb}[^>]*action="([^"]+)"`).exec(xml)![1].replace(/&amp;/g, '&').replace(/^https:\/\/[^/]+/, '');

async function dialSupport(callSid: string) {
  const params = { CallSid: callSid, From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing' };
  const first = await webhook.handle(signedTwilioEvent({ url: '/twilio/voice', params }));
  const menu = await webhook.handle(signedTwilioEvent({ url: actionOf(first.body, 'Gather'), params: { ...params, Digits: '2' } }));
  expect(menu.body).toContain('/twilio/voice/screen'); // support screens: <Number url=...>
  return { params, action: actionOf(menu.body, 'Dial') };
}

it('a screened callee who declines (completed, not bridged) counts as no answer: the caller reaches voicemail', async () => {
  const { params, action } = await dialSupport(`CA${'c'.repeat(32)}`);
  const res = await webhook.handle(signedTwilioEvent({ url: action, params: { ...params, DialCallStatus: 'completed', DialBridged: 'false' } }));
  expect(res.body).toContain('<Record');
});

it('an answered, bridged call that ends hangs up (never the noAnswer branch)', async () => {
  const { params, action } = await dialSupport(`CA${'d'.repeat(32)}`);
  const res = await webhook.handle(signedTwilioEvent({ url: action, params: { ...params, DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '42' } }));
  expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
});

it('the screening whisper asks the callee to press 1 and bridges only on 1', async () => {
  const whisper = await webhook.handle(signedTwilioEvent({ url: '/twilio/voice/screen?c=%2B15550109999', params: { CallSid: `CA${'e'.repeat(32)}`, From: '+15550100001', To: '+15550200001' } }));
  expect(whisper.body).toMatch(/<Gather[^>]*numDigits="1"[^>]*><Say>Call from 1 5 5 5 0 1 0 9 9 9 9\. Press 1 to accept\.<\/Say><\/Gather><Hangup\/>/);
  const accept = await webhook.handle(signedTwilioEvent({ url: '/twilio/voice/screen?c=%2B15550109999', params: { CallSid: `CA${'e'.repeat(32)}`, From: '+15550100001', To: '+15550200001', Digits: '1' } }));
  expect(accept.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  const decline = await webhook.handle(signedTwilioEvent({ url: '/twilio/voice/screen?c=%2B15550109999', params: { CallSid: `CA${'e'.repeat(32)}`, From: '+15550100001', To: '+15550200001', Digits: '9' } }));
  expect(decline.body).toContain('<Hangup/>');
});

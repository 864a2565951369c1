// Dial results through the voice webhook against DynamoDB Local, with the demo flow.
import { createStores } from '../../lambdas/store/stores';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import type { WebhookHandler } from '../../lambdas/webhooks/guard';
import { seedDemo, DEMO_NUMBERS } from '../../local/seed';
import { createTestTables } from '../support/dynamo';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

let webhook: WebhookHandler;
let stores: ReturnType<typeof createStores> & { spill: ReturnType<typeof tempSpill>['spill'] };
const spilled = tempSpill();
afterAll(() => spilled.dispose());
const OPEN = new Date('2026-11-24T15:00:00Z'); // Tuesday 10:00 in New York

beforeAll(async () => {
  const t = await createTestTables();
  stores = { ...createStores(t.doc, t.names), spill: spilled.spill };
  await seedDemo({ ...stores, now: () => OPEN });
  webhook = voiceWebhook({ ...stores, now: () => OPEN, authToken: async () => TEST_AUTH_TOKEN });
});

const actionOf = (xml: string, verb: string) => new RegExp(`<${verb}[^>]*action="([^"]+)"`).exec(xml)![1].replace(/&amp;/g, '&').replace(/^https:\/\/[^/]+/, '');

async function dialSupport(callSid: string) {
  const params = { CallSid: callSid, From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing' };
  const first = await webhook(signedTwilioEvent({ url: '/twilio/voice', params }));
  const menu = await webhook(signedTwilioEvent({ url: actionOf(first.body, 'Gather'), params: { ...params, Digits: '2' } }));
  expect(menu.body).toContain('/twilio/voice/screen'); // support screens: <Number url=...>
  return { params, action: actionOf(menu.body, 'Dial') };
}

it('a screened callee who declines (completed, not bridged) counts as no answer: the caller reaches voicemail', async () => {
  const { params, action } = await dialSupport(`CA${'c'.repeat(32)}`);
  const declined = { ...params, DialCallStatus: 'completed', DialBridged: 'false' };
  // Ann has a softphone and a phone: a screened dial rings them one leg at a time (issue 9), the phone next.
  const phone = await webhook(signedTwilioEvent({ url: action, params: declined }));
  expect(phone.body).toMatch(/<Dial [^>]*><Number url="[^"]*\/twilio\/voice\/screen[^"]*" method="POST"[^>]*>\+15550200001<\/Number><\/Dial>/);
  const res = await webhook(signedTwilioEvent({ url: actionOf(phone.body, 'Dial'), params: declined }));
  expect(res.body).toContain('<Record');
});

it('an answered, bridged call that ends hangs up (never the noAnswer branch)', async () => {
  const { params, action } = await dialSupport(`CA${'d'.repeat(32)}`);
  const res = await webhook(signedTwilioEvent({ url: action, params: { ...params, DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '42' } }));
  expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
});

it('the screening whisper asks the callee to press 1 and bridges only on 1', async () => {
  const whisper = await webhook(signedTwilioEvent({ url: '/twilio/voice/screen?c=%2B15550109999', params: { CallSid: `CA${'e'.repeat(32)}`, From: '+15550100001', To: '+15550200001' } }));
  expect(whisper.body).toMatch(/<Gather[^>]*numDigits="1"[^>]*><Say>Call from 1 5 5 5 0 1 0 9 9 9 9\. Press 1 to accept\.<\/Say><\/Gather><Hangup\/>/);
  const accept = await webhook(signedTwilioEvent({ url: '/twilio/voice/screen?c=%2B15550109999', params: { CallSid: `CA${'e'.repeat(32)}`, From: '+15550100001', To: '+15550200001', Digits: '1' } }));
  expect(accept.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  const decline = await webhook(signedTwilioEvent({ url: '/twilio/voice/screen?c=%2B15550109999', params: { CallSid: `CA${'e'.repeat(32)}`, From: '+15550100001', To: '+15550200001', Digits: '9' } }));
  expect(decline.body).toContain('<Hangup/>');
});

it('a sticky simultaneous dial remembers who answered (from the answering leg) and rings them alone first next time', async () => {
  // The real clock here: the sticky member is kept 30 days from now, and read back against the real time.
  const deps = { ...stores, now: () => new Date() };
  const webhook = voiceWebhook({ ...deps, authToken: async () => TEST_AUTH_TOKEN });
  const [ann, bob] = await Promise.all([
    stores.directory.createUser({ name: 'Ann', phone: '+15550210001', available: true }),
    stores.directory.createUser({ name: 'Bob', phone: '+15550210002', available: true }),
  ]);
  const group = await stores.directory.createGroup({ name: 'Sticky team', members: [ann.id, bob.id] });
  const flow = await publishFlow(deps, undefined, flowDocumentSchema.parse({
    name: 'Sticky',
    call: { start: 'ring', applets: { ring: { type: 'dial', group: group.id, sticky: true, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
  }));
  await stores.numbers.register('+15550100070', 'Sticky line', flow.id, new Date());
  const params = { From: '+15550109988', To: '+15550100070', CallStatus: 'ringing' };

  const first = await webhook(signedTwilioEvent({ url: '/twilio/voice', params: { ...params, CallSid: `CA${'f'.repeat(32)}` } }));
  const nouns = [...first.body.matchAll(/<Number url="([^"]+)"[^>]*>([^<]+)<\/Number>/g)].map((m) => ({ url: m[1].replace(/&amp;/g, '&').replace(/^https:\/\/[^/]+/, ''), number: m[2] }));
  expect(nouns.map((n) => n.number)).toEqual(['+15550210001', '+15550210002']); // simultaneous: both at once
  const bobsLeg = nouns.find((n) => n.number === '+15550210002')!;
  const answered = await webhook(signedTwilioEvent({ url: bobsLeg.url, params: { CallSid: `CA${'0'.repeat(31)}1`, From: '+15550109988', To: '+15550210002' } }));
  expect(answered.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');

  const second = await webhook(signedTwilioEvent({ url: '/twilio/voice', params: { ...params, CallSid: `CA${'f'.repeat(31)}2` } }));
  expect([...second.body.matchAll(/<Number[^>]*>([^<]+)<\/Number>/g)].map((m) => m[1])).toEqual(['+15550210002']);
});

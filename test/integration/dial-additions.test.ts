// Dial `announce`, `recordingNotice` and `longest-idle` (issue 22 item 4) through the voice webhook against
// DynamoDB Local, with requests signed as Twilio signs them: the whisper on the answering leg, and the legs'
// status callbacks that say who is on a call and since when their last call ended.
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { createStores } from '../../lambdas/store/stores';
import type { WebhookHandler } from '../../lambdas/webhooks/guard';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { createTestTables } from '../support/dynamo';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';
import { twimlViolations } from '../support/twiml-structure';

let stores: ReturnType<typeof createStores>;
let webhook: WebhookHandler;
const spilled = tempSpill();
afterAll(() => spilled.dispose());

beforeAll(async () => {
  const t = await createTestTables();
  stores = createStores(t.doc, t.names);
  webhook = voiceWebhook({ ...stores, spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN });
});

const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;
const local = (url: string) => url.replace(/&amp;/g, '&').replace(/^https:\/\/[^/]+/, '');
const nouns = (xml: string) =>
  [...xml.matchAll(/<(Number|Client)([^>]*)>([^<]+)<\/\1>/g)].map((m) => ({
    value: m[3],
    url: /\surl="([^"]+)"/.exec(m[2])?.[1],
    status: /statusCallback="([^"]+)"/.exec(m[2])?.[1],
  }));

async function line(number: string, name: string, call: unknown) {
  const flow = await publishFlow({ ...stores, now: () => new Date() }, undefined, flowDocumentSchema.parse({ name, call }));
  await stores.numbers.register(number, name, flow.id, new Date());
  return flow;
}

const incoming = (to: string, callSid: string) =>
  webhook(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: '+15550109911', To: to, CallStatus: 'ringing' } }));

describe('announce', () => {
  test('the person who answers hears the announcement with the called number\'s name, then the call is bridged', async () => {
    const ann = await stores.directory.createUser({ name: 'Ann', phone: '+15550220001', available: true });
    await line('+15550100081', 'Sales line', {
      start: 'ring',
      applets: { ring: { type: 'dial', user: ann.id, announce: 'Call for the {number}', noAnswer: 'bye' }, bye: { type: 'hangup' } },
    });
    const call = await incoming('+15550100081', sid(1));
    expect(twimlViolations(call.body, 'voice')).toEqual([]);
    expect(call.body).toContain('answerOnBridge="true"'); // the caller hears ringback during the whisper
    const [noun] = nouns(call.body);
    expect(noun.url).toContain('/twilio/voice/whisper');

    const whisper = await webhook(signedTwilioEvent({ url: local(noun.url!), params: { CallSid: sid(2), From: '+15550109911', To: '+15550220001' } }));
    expect(whisper.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Call for the Sales line</Say></Response>');
  });

  test('with screening: the announcement, then "press 1"; only 1 bridges', async () => {
    const bob = await stores.directory.createUser({ name: 'Bob', phone: '+15550220002', available: true });
    await line('+15550100082', 'Support line', {
      start: 'ring',
      applets: { ring: { type: 'dial', user: bob.id, announce: 'Call for {number}.', screen: true, noAnswer: 'bye' }, bye: { type: 'hangup' } },
    });
    const [noun] = nouns((await incoming('+15550100082', sid(3))).body);
    const leg = { CallSid: sid(4), From: '+15550109911', To: '+15550220002' };
    const ask = await webhook(signedTwilioEvent({ url: local(noun.url!), params: leg }));
    expect(twimlViolations(ask.body, 'voice')).toEqual([]);
    expect(ask.body).toMatch(/^<\?xml[^>]+><Response><Say>Call for Support line\.<\/Say><Gather [^>]*numDigits="1"[^>]*><Say>Call from 1 5 5 5 0 1 0 9 9 1 1\. Press 1 to accept\.<\/Say><\/Gather><Hangup\/><\/Response>$/);
    expect((await webhook(signedTwilioEvent({ url: local(noun.url!), params: { ...leg, Digits: '1' } }))).body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await webhook(signedTwilioEvent({ url: local(noun.url!), params: { ...leg, Digits: '7' } }))).body).toContain('<Hangup/>');
  });

  test('a forged whisper URL (not signed) is refused; one naming no dial bridges without a word', async () => {
    const forged = signedTwilioEvent({ url: '/twilio/voice/whisper?f=x&r=1&a=ring&n=%2B15550100081', params: { CallSid: sid(5) } });
    forged.rawQueryString = 'f=x&r=1&a=other&n=%2B15550100081';
    expect((await webhook(forged)).statusCode).toBe(403);
    const nothing = await webhook(signedTwilioEvent({ url: '/twilio/voice/whisper?f=flw_none&r=1&a=ring&n=%2B15550100081', params: { CallSid: sid(6) } }));
    expect(nothing.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('recordingNotice', () => {
  test('the caller hears the notice, then the recorded dial rings', async () => {
    const cat = await stores.directory.createUser({ name: 'Cat', phone: '+15550220003', available: true });
    await line('+15550100083', 'Recorded line', {
      start: 'ring',
      applets: {
        ring: { type: 'dial', user: cat.id, record: true, recordingNotice: { text: 'This call may be recorded.' }, noAnswer: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    const call = await incoming('+15550100083', sid(7));
    expect(call.body).toMatch(/<Response><Say>This call may be recorded\.<\/Say><Dial [^>]*record="record-from-answer-dual"/);
  });
});

describe('longest-idle', () => {
  const leg = (statusUrl: string, legSid: string, CallStatus: string) =>
    webhook(signedTwilioEvent({ url: local(statusUrl), params: { CallSid: legSid, CallStatus, From: '+15550109911', To: '+15550220010' } }));

  test('rings the member idle longest first, from what the legs\' status callbacks recorded; one on a call rings last', async () => {
    const [dee, eli, fay] = await Promise.all(['Dee', 'Eli', 'Fay'].map((name, i) =>
      stores.directory.createUser({ name, phone: `+1555022001${i}`, available: true })));
    const team = await stores.directory.createGroup({ name: 'Idle team', members: [dee.id, eli.id, fay.id] });
    await line('+15550100084', 'Idle line', {
      start: 'ring',
      applets: { ring: { type: 'dial', group: team.id, strategy: 'longest-idle', noAnswer: 'bye' }, bye: { type: 'hangup' } },
    });

    // Nobody has taken a call yet: group order, one at a time, each leg reporting its status.
    const first = await incoming('+15550100084', sid(10));
    const [deeLeg] = nouns(first.body);
    expect(deeLeg.value).toBe('+15550220010');
    expect(first.body).toContain('statusCallbackEvent="answered completed"');
    expect(twimlViolations(first.body, 'voice')).toEqual([]);

    // Dee takes that call and hangs up; then Fay takes and ends one; Eli lets one ring out (not a call).
    await leg(deeLeg.status!, sid(11), 'in-progress');
    expect((await stores.presence.presence([dee.id])).get(dee.id)).toMatchObject({ onCall: true });
    await leg(deeLeg.status!, sid(11), 'completed');
    await new Promise((r) => setTimeout(r, 5));
    const fayStatus = deeLeg.status!.replace(dee.id, fay.id);
    await leg(fayStatus, sid(12), 'in-progress');
    await leg(fayStatus, sid(12), 'completed');
    const eliStatus = deeLeg.status!.replace(dee.id, eli.id);
    await leg(eliStatus, sid(13), 'no-answer');

    const presence = await stores.presence.presence([dee.id, eli.id, fay.id]);
    expect(presence.get(dee.id)!.onCall).toBe(false);
    expect(presence.get(eli.id)!.lastCallEndedAt).toBeUndefined();
    expect(Date.parse(presence.get(fay.id)!.lastCallEndedAt!)).toBeGreaterThan(Date.parse(presence.get(dee.id)!.lastCallEndedAt!));

    // Eli (never a conversation) first, then Dee (ended first), then Fay.
    const order: string[] = [];
    let answer = await incoming('+15550100084', sid(20));
    for (let round = 0; round < 5 && answer.body.includes('<Dial'); round++) {
      order.push(nouns(answer.body)[0].value);
      const action = local(/<Dial [^>]*action="([^"]+)"/.exec(answer.body)![1]);
      answer = await webhook(signedTwilioEvent({ url: action, params: { CallSid: sid(20), From: '+15550109911', To: '+15550100084', DialCallStatus: 'no-answer' } }));
    }
    expect(order).toEqual(['+15550220011', '+15550220010', '+15550220012']);

    // Eli picks up another call (answered, not ended): now he rings last.
    await leg(eliStatus, sid(21), 'in-progress');
    const next = await incoming('+15550100084', sid(22));
    expect(nouns(next.body)[0].value).toBe('+15550220010');
  });

  test('a completed callback that overtakes its answered one leaves the member off the call', async () => {
    const gus = await stores.directory.createUser({ name: 'Gus', phone: '+15550220020', available: true });
    await stores.presence.legEnded(gus.id, sid(30), true, new Date());
    await stores.presence.legAnswered(gus.id, sid(30), new Date());
    expect((await stores.presence.presence([gus.id])).get(gus.id)!.onCall).toBe(false);
  });
});

// The carrier link end to end: the local stack started with its Twilio-compatible server (as
// `npm start -- --fake-twilio` does), numbers that point at another system, the sync, drift, and the
// texts a call causes (text back, voicemail notify with the transcript), with signed webhooks.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { simulateCall, simulateSms, type Transcript } from '../../local/carrier';
import type { LocalStack } from '../../local/stack';
import type { FakeTwilio } from '../../local/fake-twilio';
import { entries, http, httpOk, outboxSent, startTestStack } from '../support/local-stack';
import { capturingOutput, checkAgainstTwilioSpec, libraryClient, syncToEnd } from '../support/carrier';

let stack: LocalStack;
let fake: FakeTwilio;
beforeAll(async () => {
  stack = await startTestStack({ seed: false, fakeTwilio: true });
  fake = stack.fakeTwilio!;
  checkAgainstTwilioSpec(fake);
});
afterAll(async () => {
  await stack?.stop();
});

const ok = (method: string, path: string, body?: unknown) => httpOk(stack, method, path, body);
const sync = (body?: unknown) => syncToEnd((method, path, b) => http(stack, method, path, b), body);
let sequence = 0;
const next = (block: string) => `+1555${block}${String(++sequence).padStart(4, '0')}`;

/** A number bought at the carrier, pointing elsewhere, then imported and connected by a sync. */
async function carrierLine(friendlyName: string, call: unknown): Promise<string> {
  const number = next('06');
  fake.addNumber({ phoneNumber: number, friendlyName, voiceUrl: 'https://old-pbx.example.net/voice', smsUrl: 'https://old-pbx.example.net/sms' });
  await sync();
  const flow = await ok('POST', '/api/flows', { name: friendlyName, call });
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}/flow`, { flowId: flow.id });
  return number;
}

async function team(...phones: Array<string | undefined>) {
  const users = [];
  for (const [i, phone] of phones.entries()) users.push(await ok('POST', '/api/users', { name: `Member ${i}`, ...(phone && { phone }) }));
  return ok('POST', '/api/groups', { name: 'Team', members: users.map((u: { id: string }) => u.id) });
}

const textThenVoicemail = (groupId: string) => ({
  start: 'thanks',
  applets: {
    thanks: { type: 'text', text: 'Thanks for calling. Our hours: https://example.com/hours', next: 'vm' },
    vm: { type: 'voicemail', mailbox: { group: groupId }, transcribe: true, notify: true },
  },
});

const sentTo = (to: string) => fake.messages.filter((m) => m.to === to);
/** A call, and every text it queued sent by the local sender (the webhooks only queue them). */
const call = async (to: string, from: string): Promise<Transcript> => {
  const transcript = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to, from });
  await outboxSent(stack);
  return transcript;
};

describe('numbers at the carrier', () => {
  test('three numbers pointing at another system: not connected; a sync imports them by friendly name and points all four URLs here; drift shows and the next sync mends it', async () => {
    const numbers = [next('05'), next('05'), next('05')];
    numbers.forEach((n, i) => fake.addNumber({ phoneNumber: n, friendlyName: `Branch ${i}`, voiceUrl: 'https://old-pbx.example.net/voice', smsUrl: 'https://old-pbx.example.net/sms' }));
    const before = (await ok('GET', '/api/carrier/numbers')).numbers.filter((n: { number: string }) => numbers.includes(n.number));
    expect(before.map((n: { registered: boolean; connected: boolean }) => [n.registered, n.connected])).toEqual([[false, false], [false, false], [false, false]]);
    const report = await ok('GET', '/api/report/unassigned');
    expect(report.carrier).toEqual({ checked: true });
    expect(report.numbers.filter((n: { number: string; status: string }) => numbers.includes(n.number) && n.status === 'not_connected')).toHaveLength(3);

    const first = await sync();
    expect(first.imported).toBeGreaterThanOrEqual(3);
    for (const [i, n] of numbers.entries()) {
      expect(await ok('GET', `/api/numbers/${encodeURIComponent(n)}`)).toMatchObject({ name: `Branch ${i}`, flowId: null, status: 'no_flow' });
      expect(fake.numberFor(n)).toMatchObject({
        voice_url: `${stack.url}/twilio/voice`, sms_url: `${stack.url}/twilio/sms`,
        voice_fallback_url: `${stack.url}/twilio/fallback`, sms_fallback_url: `${stack.url}/twilio/fallback`,
        voice_method: 'POST', sms_method: 'POST', voice_fallback_method: 'POST', sms_fallback_method: 'POST',
      });
    }

    fake.changeNumber(numbers[1], { voice_url: 'https://someone-else.example.org/voice' });
    const drifted = await ok('GET', '/api/report/unassigned');
    expect(drifted.numbers.filter((n: { status: string }) => n.status === 'not_connected').map((n: { number: string; name: string; fix: string }) => [n.number, n.name, n.fix]))
      .toEqual([[numbers[1], 'Branch 1', expect.stringContaining('POST /api/carrier/sync')]]);
    const registered = (await ok('GET', '/api/numbers')).numbers.length;
    expect(await sync()).toMatchObject({ imported: 0, connected: 1 });
    expect((await ok('GET', '/api/numbers')).numbers.length).toBe(registered);
    expect((await ok('GET', '/api/report/unassigned')).numbers.some((n: { status: string }) => n.status === 'not_connected')).toBe(false);
  });
});

describe('npm run carrier', () => {
  const carrierCli = async (...args: string[]) =>
    (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/carrier.ts', ...args, '--url', stack.url], { cwd: `${__dirname}/../..` })).stdout;

  test('status shows a number that points elsewhere; sync connects it; a second sync changes nothing', async () => {
    const number = next('09');
    fake.addNumber({ phoneNumber: number, friendlyName: 'CLI line', voiceUrl: 'https://old-pbx.example.net/voice' });
    expect(await carrierCli('status')).toMatch(new RegExp(`\\${number}\\s+CLI line\\s+no\\s+NO\\s+https://old-pbx.example.net/voice`));
    expect(await carrierCli('sync')).toMatch(/^imported [1-9]\d*, connected [1-9]\d*, unchanged \d+\n$/);
    expect(await carrierCli('sync')).toMatch(/^imported 0, connected 0, unchanged \d+\n$/);
    expect(await carrierCli('status')).toMatch(new RegExp(`\\${number}\\s+CLI line\\s+yes\\s+yes`));
  });

  test('status names a number a SIP trunk takes and how to free it; sync connects what it may, leaves the trunk, and says so', async () => {
    const number = next('09');
    const n = fake.addNumber({ phoneNumber: number, friendlyName: 'Trunk line', voiceUrl: 'https://old-pbx.example.net/voice' });
    const trunk = await libraryClient(fake).trunking.v1.trunks.create({ friendlyName: 'PBX' });
    await libraryClient(fake).trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: n.sid });
    const status = await carrierCli('status');
    expect(status).toMatch(new RegExp(`\\${number}\\s+Trunk line\\s+no\\s+NO\\s+\\S+\\s+sip_trunk: a SIP trunk takes its calls`));
    expect(status).toContain(`${number}: SIP trunk ${trunk.sid} takes its calls`);
    const out = await carrierCli('sync');
    expect(out).toMatch(/^imported [1-9]\d*, connected [1-9]\d*, unchanged \d+\n/);
    expect(out).toMatch(/still not connected: 1 \(a SIP trunk takes its calls\)/);
    expect(fake.numberFor(number)).toMatchObject({ trunk_sid: trunk.sid, voice_url: `${stack.url}/twilio/voice` });
  });

  test('sync --include-services takes inbound-url or number-webhooks, nothing else', async () => {
    await expect(carrierCli('sync', '--include-services=everything')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--include-services takes inbound-url or number-webhooks') });
  });
});

describe('inbox notifications beyond the 10 messages of one answer', () => {
  test('a reply and 12 notifications: 10 in the TwiML answer, the other 3 through the REST API from the number texted', async () => {
    const phones = Array.from({ length: 12 }, () => next('10'));
    const group = await team(...phones);
    const number = next('06');
    fake.addNumber({ phoneNumber: number, friendlyName: 'Busy inbox' });
    const flow = await ok('POST', '/api/flows', {
      name: 'Busy inbox',
      sms: { start: 'reply', applets: { reply: { type: 'reply', text: 'Thanks', next: 'inbox' }, inbox: { type: 'inbox', mailbox: { group: group.id }, notify: true } } },
    });
    await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: 'Busy inbox', flowId: flow.id });
    const sender = next('08');

    const t = await simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to: number, from: sender, body: 'Anyone there?' });
    await outboxSent(stack);

    expect(t.ok).toBe(true);
    const inAnswer = entries(t, 'message').map((m) => m.to);
    expect(inAnswer).toEqual([sender, ...phones.slice(0, 9)]);
    const byRest = fake.messages.filter((m) => phones.includes(m.to));
    expect(byRest.map((m) => [m.from, m.to, m.body])).toEqual(phones.slice(9).map((p) => [number, p, `From ${sender}: Anyone there?`]));
  });
});

describe('texts a call causes', () => {
  test('text then voicemail notify: the caller gets the text once, each member with a phone the notice and then the transcript, all from the number called', async () => {
    const [ann, bob] = [next('07'), next('07')];
    const group = await team(ann, bob, undefined);
    const number = await carrierLine('Text line', textThenVoicemail(group.id));
    const caller = next('08');

    const transcript = await call(number, caller);

    expect(transcript.ok).toBe(true);
    expect(entries(transcript, 'record')).toHaveLength(1);
    expect(sentTo(caller).map((m) => [m.from, m.body])).toEqual([[number, 'Thanks for calling. Our hours: https://example.com/hours']]);
    for (const member of [ann, bob]) {
      expect(sentTo(member).map((m) => [m.from, m.body])).toEqual([
        [number, `New voicemail from ${caller}, 0:07`],
        [number, `Voicemail from ${caller}: (simulated transcript)`],
      ]);
    }
    const [voicemail] = (await ok('GET', `/api/mailboxes/group/${group.id}/messages`)).messages;
    expect(voicemail).toMatchObject({ kind: 'voicemail', from: caller, transcript: '(simulated transcript)' });
  });

  test('a withheld caller gets no text and breaks nothing: the call is answered and the members still hear of the voicemail', async () => {
    const ann = next('07');
    const group = await team(ann);
    const number = await carrierLine('Withheld line', textThenVoicemail(group.id));
    const sent = fake.messages.length;

    const transcript = await call(number, 'anonymous');

    expect(transcript.ok).toBe(true);
    expect(entries(transcript, 'record')).toHaveLength(1);
    expect(fake.messages.slice(sent).map((m) => [m.to, m.body])).toEqual([
      [ann, 'New voicemail from a withheld number, 0:07'],
      [ann, 'Voicemail from a withheld number: (simulated transcript)'],
    ]);
  });

  test('a send the carrier refuses (21610: the caller replied STOP) is logged and counted, and the call still gets its TwiML', async () => {
    const group = await team(next('07'));
    const number = await carrierLine('Stop line', textThenVoicemail(group.id));
    const caller = next('08');
    fake.failSendsTo(caller, 21610);
    const { result: transcript, lines, text } = await capturingOutput(() => call(number, caller));
    expect(transcript.ok).toBe(true);
    expect(entries(transcript, 'say').map((s) => s.text)).toEqual(['Please leave a message after the tone.']);
    expect(entries(transcript, 'record')).toHaveLength(1);
    expect(sentTo(caller)).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'a text could not be sent', reason: 'text_applet', code: 21610, status: 400 }));
    expect(lines).toContainEqual(expect.objectContaining({ CarrierSendFailures: 1, reason: 'text_applet' }));
    // The full number is not logged.
    expect(text).not.toContain(caller);
  });
  test('STOP by text (DESIGN.md section 17): no reply, and the caller gets no later text-back from that number; START re-enables it', async () => {
    const group = await team(next('07'));
    const number = next('06');
    fake.addNumber({ phoneNumber: number, friendlyName: 'Opt-out line' });
    await sync();
    const sms = { start: 'r', applets: { r: { type: 'reply', text: 'Got it.', next: 'box' }, box: { type: 'inbox', mailbox: { group: group.id }, notify: true } } };
    const flow = await ok('POST', '/api/flows', { name: 'Opt-out line', call: textThenVoicemail(group.id), sms });
    await ok('PUT', `/api/numbers/${encodeURIComponent(number)}/flow`, { flowId: flow.id });
    const caller = next('08');
    const text = async (body: string) => {
      const t = await simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to: number, from: caller, body });
      await outboxSent(stack);
      return t;
    };

    expect(entries(await text('STOP'), 'message')).toEqual([]);
    // The carrier saw the STOP it delivered, as Twilio does: it would refuse a send itself.
    expect(fake.isOptedOut(number, caller)).toBe(true);
    const sends = fake.requests.filter((r) => r.path.endsWith('/Messages.json')).length;
    expect((await call(number, caller)).ok).toBe(true);
    expect(sentTo(caller)).toEqual([]);
    // Switchboard knew too: it did not even try the text-back (the members' notices went out).
    expect(fake.requests.filter((r) => r.path.endsWith('/Messages.json') && r.form.To?.[0] === caller)).toEqual([]);
    expect(fake.requests.filter((r) => r.path.endsWith('/Messages.json')).length).toBeGreaterThan(sends);

    expect(entries(await text('start'), 'message')).toEqual([]);
    expect(fake.isOptedOut(number, caller)).toBe(false);
    await call(number, caller);
    expect(sentTo(caller).map((m) => m.body)).toEqual(['Thanks for calling. Our hours: https://example.com/hours']);
  });
});

describe('delivery receipts (DESIGN.md section 17)', () => {
  /** Texts sent, then every status callback the carrier owes posted back to the local server. */
  const settled = async () => {
    await outboxSent(stack);
    await fake.callbacksSettled();
  };

  test('a text-back to a landline ends undelivered with 30006 and the API lists it; the members’ notices end delivered', async () => {
    const ann = next('07');
    const group = await team(ann);
    const number = await carrierLine('Landline line', textThenVoicemail(group.id));
    const landline = next('11');
    fake.addLandline(landline);

    expect((await call(number, landline)).ok).toBe(true);
    await settled();

    const undelivered = (await ok('GET', '/api/carrier/messages?status=undelivered')).messages;
    expect(undelivered.filter((m: { to: string }) => m.to === landline)).toEqual([
      {
        id: expect.stringMatching(/^txt_/), sid: expect.stringMatching(/^SM/), from: number, to: landline, body: 'Thanks for calling. Our hours: https://example.com/hours',
        reason: 'text_applet', cause: expect.stringMatching(/^CA/), status: 'undelivered', errorCode: 30006, errorMessage: expect.stringMatching(/landline/),
        queuedAt: expect.any(String), updatedAt: expect.any(String),
      },
    ]);
    // The callbacks went through the local server's signature check (the fake signs with the account's token).
    expect(fake.callbacks.filter((c) => c.params.To === landline).map((c) => [c.params.MessageStatus, c.status])).toEqual([['sent', 200], ['undelivered', 200]]);
    const toAnn = (await ok('GET', '/api/carrier/messages?status=delivered')).messages.filter((m: { to: string }) => m.to === ann);
    expect(toAnn.map((m: { reason: string }) => m.reason).sort()).toEqual(['transcript_notify', 'voicemail_notify']);
  });

  test('a status callback not signed by the carrier is refused (403) and changes nothing', async () => {
    const [latest] = (await ok('GET', '/api/carrier/messages?status=delivered&limit=1')).messages;
    const res = await fetch(`${stack.url}/twilio/message-status?id=${latest.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
      body: new URLSearchParams({ MessageSid: latest.sid, MessageStatus: 'undelivered', ErrorCode: '30003' }).toString(),
    });
    expect(res.status).toBe(403);
    expect((await ok('GET', '/api/carrier/messages?status=delivered')).messages.map((m: { id: string }) => m.id)).toContain(latest.id);
  });
});

// Call routing end to end (DESIGN.md sections 3, 5, 6, 9; TWILIO.md): the local stack over HTTP,
// the carrier simulator posting signed webhooks, and the admin API to check what was stored.
// Every scenario creates its own users, groups, flows and numbers, so they do not depend on each other.
import type { LocalStack } from '../../local/stack';
import { parseTwiml, simulateCall, isElement, textOf, type CallOptions, type Transcript, type TwimlElement } from '../../local/carrier';
import { signTwilioRequest } from '../../lambdas/twilio/signature';
import { entries, http, httpOk, startTestStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const spoken = (t: Transcript) => entries(t, 'say').map((e) => e.text);
/** The requests of the caller's call: the members' legs report their status too (`/twilio/voice/leg`), apart. */
const requests = (t: Transcript) => entries(t, 'request').filter((r) => !r.url.includes('/twilio/voice/leg'));

/** Distinct numbers: the flow's numbers in +1555031xxxx, people in +1555032xxxx, callers in +1555033xxxx. */
let sequence = 0;
const nextNumber = (block: number) => `+1555${block}${String(++sequence).padStart(4, '0')}`;
const newLine = () => nextNumber(31);
const newPhone = () => nextNumber(32);
const newCaller = () => nextNumber(33);

const ok = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => httpOk(stack, method, path, body, headers);

async function createUser(name: string, extra: { phone?: string; client?: string } = { phone: newPhone() }) {
  const user = await ok('POST', '/api/users', { name, ...extra });
  return user as { id: string; name: string; phone?: string; client?: string };
}

async function createGroup(name: string, members: string[]) {
  return (await ok('POST', '/api/groups', { name, members })) as { id: string };
}

/** Publishes the flow and gives it a fresh number; returns both. */
async function lineWith(call: unknown, name = 'Test line') {
  const flow = await ok('POST', '/api/flows', { name, call });
  const number = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name, flowId: flow.id });
  return { flowId: flow.id as string, number };
}

const call = (to: string, options: Partial<CallOptions> = {}) => simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to, from: newCaller(), ...options });

const mailbox = async (path: string) => (await ok('GET', `/api/mailboxes/${path}/messages`)).messages as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- messages as the admin API answers them, read by path
const trace = (sid: string) => ok('GET', `/api/calls/${sid}`);
const reportEntry = async (number: string) => (await ok('GET', '/api/report/unassigned')).numbers.find((n: { number: string }) => n.number === number);

/** POSTs a webhook as Twilio would, signed over `url` and `params` (or with the given signature). */
async function post(url: string, params: Record<string, string>, signature = signTwilioRequest(url, params, stack.authToken)) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

const verbs = (xml: string) => parseTwiml(xml).children.filter(isElement);
const find = (xml: string, name: string): TwimlElement | undefined => verbs(xml).find((v) => v.name === name);

const hangupAfter = (text: string, next = 'bye') => ({ type: 'say', prompt: { text }, next });
const BYE = { type: 'hangup' };
const WEEKDAYS_9_TO_5 = {
  mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']],
  thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [],
};

// ---------------------------------------------------------------------------------------------
// 1. Business hours

describe('business hours', () => {
  let number: string;
  beforeAll(async () => {
    ({ number } = await lineWith({
      start: 'hours',
      applets: {
        hours: {
          type: 'hours', timezone: 'America/New_York', weekly: WEEKDAYS_9_TO_5,
          closures: [{ date: '2026-12-24', name: 'Christmas Eve' }], open: 'open', closed: 'closed',
        },
        open: hangupAfter('We are open.'),
        closed: hangupAfter('We are closed.'),
        bye: BYE,
      },
    }, 'Hours line'));
  });

  it.each([
    ['a Wednesday at 10:00 New York time (winter, UTC-5) is open', '2026-01-14T15:00:00Z', 'We are open.'],
    ['a Wednesday at 18:00 New York time is closed', '2026-01-14T23:00:00Z', 'We are closed.'],
    ['a Saturday at 11:00 New York time is closed', '2026-01-17T16:00:00Z', 'We are closed.'],
    ['a closure day (Thursday 2026-12-24 at 10:00) is closed all day', '2026-12-24T15:00:00Z', 'We are closed.'],
    // The same UTC hour on two Wednesdays: 09:30 in summer (EDT, UTC-4) but 08:30 in winter (EST, UTC-5).
    ['13:30 UTC on a summer Wednesday is 09:30 EDT: open', '2026-07-15T13:30:00Z', 'We are open.'],
    ['13:30 UTC on a winter Wednesday is 08:30 EST: closed', '2026-01-14T13:30:00Z', 'We are closed.'],
  ])('%s', async (_name, at, heard) => {
    const t = await call(number, { at });
    expect(t.ok).toBe(true);
    expect(spoken(t)).toEqual([heard]);
    expect(t.entries.at(-1)).toEqual({ kind: 'end', leg: 'caller', reason: 'hangup' });
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Menu

describe('menu', () => {
  let number: string;
  beforeAll(async () => {
    ({ number } = await lineWith({
      start: 'menu',
      applets: {
        menu: {
          type: 'menu', prompt: { text: 'For sales press 1. For support press 2.' }, options: { '1': 'sales', '2': 'support' },
          attempts: 3, timeoutSeconds: 4, invalidPrompt: { text: 'Sorry, that is not an option.' }, fallback: 'fallback',
        },
        sales: hangupAfter('Sales branch.'),
        support: hangupAfter('Support branch.'),
        fallback: hangupAfter('Fallback branch.'),
        bye: BYE,
      },
    }, 'Menu line'));
  });

  it('a valid key goes to its branch after one ask', async () => {
    const t = await call(number, { digits: ['2'] });
    expect(entries(t, 'gather')).toEqual([{ kind: 'gather', leg: 'caller', digits: '2', timeoutSeconds: 4 }]);
    expect(spoken(t)).toEqual(['For sales press 1. For support press 2.', 'Support branch.']);
    expect(t.entries.at(-1)).toMatchObject({ kind: 'end', reason: 'hangup' });
  });

  it('an invalid key plays the invalid prompt and asks again', async () => {
    const t = await call(number, { digits: ['7', '1'] });
    expect(entries(t, 'gather').map((g) => g.digits)).toEqual(['7', '1']);
    expect(spoken(t)).toEqual([
      'For sales press 1. For support press 2.',
      'Sorry, that is not an option.',
      'For sales press 1. For support press 2.',
      'Sales branch.',
    ]);
  });

  it('silence asks again until the attempts are used up, then takes the fallback (no invalid prompt)', async () => {
    const t = await call(number, { digits: [] });
    const gathers = entries(t, 'gather');
    expect(gathers).toHaveLength(3);
    expect(gathers.every((g) => g.digits === undefined)).toBe(true);
    expect(spoken(t)).toEqual([...Array(3).fill('For sales press 1. For support press 2.'), 'Fallback branch.']);
    expect(t.entries.at(-1)).toMatchObject({ kind: 'end', reason: 'hangup' });
  });

  it('wrong keys on every attempt end in the fallback too', async () => {
    const t = await call(number, { digits: ['9', '8', '#'] });
    expect(entries(t, 'gather')).toHaveLength(3);
    expect(spoken(t).filter((s) => s === 'Sorry, that is not an option.')).toHaveLength(3);
    expect(spoken(t).at(-1)).toBe('Fallback branch.');
  });
});

// ---------------------------------------------------------------------------------------------
// 3-6. Dials

/** Three users with phones in a group, a dial on it, and a voicemail into `mailboxOwner`'s mailbox. */
async function groupLine(strategy: 'sequential' | 'simultaneous' | 'round-robin', label: string) {
  const members = [await createUser(`${label} A`), await createUser(`${label} B`), await createUser(`${label} C`)];
  const group = await createGroup(`${label} team`, members.map((m) => m.id));
  const owner = await createUser(`${label} owner`);
  const line = await lineWith({
    start: 'ring',
    applets: {
      ring: { type: 'dial', group: group.id, strategy, ringSeconds: 15, noAnswer: 'vm' },
      vm: { type: 'voicemail', prompt: { text: 'Nobody could answer. Leave a message.' }, mailbox: { user: owner.id } },
    },
  }, `${label} line`);
  return { ...line, members, group, owner };
}

describe('dial', () => {
  it('sequential group where the second member answers: exactly two dials, then hangup, no voicemail', async () => {
    const { number, members, owner } = await groupLine('sequential', 'Seq answered');
    const t = await call(number, { dial: ['no-answer', 'completed'] });
    expect(t.ok).toBe(true);
    expect(entries(t, 'dial').map((d) => d.targets)).toEqual([[members[0].phone], [members[1].phone]]);
    expect(entries(t, 'dial-result').map((d) => d.status)).toEqual(['no-answer', 'completed']);
    expect(entries(t, 'record')).toEqual([]);
    expect(spoken(t)).toEqual([]);
    expect(t.entries.at(-1)).toEqual({ kind: 'end', leg: 'caller', reason: 'hangup' });
    expect(await mailbox(`user/${owner.id}`)).toEqual([]);
  });

  it('sequential group where nobody answers: every member rung once in group order, then the voicemail lands in the applet\'s mailbox', async () => {
    const { number, members, owner, group } = await groupLine('sequential', 'Seq nobody');
    const from = newCaller();
    const t = await call(number, { from, dial: ['no-answer', 'busy', 'failed'] });
    expect(t.ok).toBe(true);
    const dials = entries(t, 'dial');
    expect(dials.map((d) => d.targets)).toEqual(members.map((m) => [m.phone]));
    expect(dials.every((d) => d.timeoutSeconds === 15)).toBe(true);
    expect(spoken(t)).toEqual(['Nobody could answer. Leave a message.']);
    const [record] = entries(t, 'record');
    expect(record).toBeDefined();

    const messages = await mailbox(`user/${owner.id}`);
    expect(messages).toEqual([
      expect.objectContaining({
        id: record.recordingSid,
        kind: 'voicemail',
        from,
        to: number,
        recordingUrl: expect.stringContaining(record.recordingSid),
        durationSeconds: record.durationSeconds,
      }),
    ]);
    // The mailbox named by the applet, not the group that was rung.
    expect(await mailbox(`group/${group.id}`)).toEqual([]);
  });

  it('simultaneous ring: one Dial with every member\'s targets (client and phone)', async () => {
    const a = await createUser('Sim A', { phone: newPhone(), client: 'sim-a' });
    const b = await createUser('Sim B');
    const c = await createUser('Sim C', { client: 'sim-c' });
    const group = await createGroup('Sim team', [a.id, b.id, c.id]);
    const { number } = await lineWith({
      start: 'ring',
      applets: { ring: { type: 'dial', group: group.id, noAnswer: 'vm' }, vm: { type: 'voicemail', mailbox: { group: group.id } } },
    });
    const t = await call(number, { dial: ['completed'] });
    // 15 s: the default ring time (issue 9: under a mobile's own voicemail delay).
    expect(entries(t, 'dial')).toEqual([{ kind: 'dial', targets: ['client sim-a', a.phone, b.phone, 'client sim-c'], timeoutSeconds: 15 }]);
    expect(t.entries.at(-1)).toMatchObject({ kind: 'end', reason: 'hangup' });
  });

  it('round-robin: two consecutive calls start at different members, each going on in group order', async () => {
    const { number, members } = await groupLine('round-robin', 'RR');
    const first = await call(number, { dial: ['no-answer', 'completed'] });
    const second = await call(number, { dial: ['no-answer', 'completed'] });
    const phones = members.map((m) => m.phone);
    expect(entries(first, 'dial').map((d) => d.targets)).toEqual([[phones[0]], [phones[1]]]);
    expect(entries(second, 'dial').map((d) => d.targets)).toEqual([[phones[1]], [phones[2]]]);
    const third = await call(number, { dial: ['no-answer', 'no-answer', 'no-answer'] });
    // The third call starts at C and wraps around: C, A, B.
    expect(entries(third, 'dial').map((d) => d.targets)).toEqual([[phones[2]], [phones[0]], [phones[1]]]);
  });

  it('DialCallStatus completed after an answered call hangs up, never the noAnswer branch', async () => {
    const user = await createUser('Answerer');
    const { number, flowId } = await lineWith({
      start: 'ring',
      applets: {
        ring: { type: 'dial', user: user.id, noAnswer: 'vm' },
        vm: { type: 'voicemail', prompt: { text: 'Voicemail prompt.' }, mailbox: { user: user.id } },
      },
    });
    for (const status of ['completed', 'answered'] as const) {
      const t = await call(number, { dial: [status] });
      expect(entries(t, 'dial-result')).toEqual([expect.objectContaining({ status })]);
      const dialAction = requests(t)[1];
      expect(dialAction.params.DialCallStatus).toBe(status);
      expect(verbs(dialAction.answer).map((v) => v.name)).toEqual(['Hangup']);
      expect(spoken(t)).not.toContain('Voicemail prompt.');
      expect(entries(t, 'record')).toEqual([]);
      const steps = (await trace(t.sid)).steps;
      expect(steps.at(-1)).toMatchObject({ applet: 'ring', type: 'dial', input: expect.objectContaining({ DialCallStatus: status }) });
      expect(steps.map((s: { applet: string }) => s.applet)).not.toContain('vm');
    }
    // And the same action with no-answer does take the noAnswer branch.
    const missed = await call(number, { dial: ['no-answer'] });
    expect(spoken(missed)).toEqual(['Voicemail prompt.']);
    expect((await trace(missed.sid)).flowId).toBe(flowId);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Voicemail

it('a voicemail is stored once even when the recording callback is sent twice, and its transcript is attached', async () => {
  const user = await createUser('Voicemail owner');
  const { number } = await lineWith({
    start: 'vm',
    applets: { vm: { type: 'voicemail', mailbox: { user: user.id }, transcribe: true, maxSeconds: 60 } },
  });
  const t = await call(number);
  expect(t.ok).toBe(true);
  const [record] = entries(t, 'record');
  expect(record.maxSeconds).toBe(60);
  const callback = requests(t).find((r) => r.params.RecordingStatus === 'completed');
  expect(callback).toBeDefined();
  // Twilio retries the callback: same RecordingSid, same URL, a valid signature.
  const retry = await post(callback!.url, callback!.params);
  expect(retry.status).toBe(200);
  // A late retry of the transcription callback changes nothing either.
  const transcription = requests(t).find((r) => r.params.TranscriptionText !== undefined)!;
  expect((await post(transcription.url, transcription.params)).status).toBe(200);

  const messages = await mailbox(`user/${user.id}`);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ id: record.recordingSid, kind: 'voicemail', to: number, transcript: '(simulated transcript)', durationSeconds: 7 });
});

// ---------------------------------------------------------------------------------------------
// 8. Revision pinning

it('a flow edited mid-call does not affect the call in progress: the old revision\'s branch runs', async () => {
  const doc = (target: string) => ({
    name: 'Pinned line',
    call: {
      start: 'menu',
      applets: {
        menu: { type: 'menu', prompt: { text: 'Press 1.' }, options: { '1': target }, fallback: 'bye' },
        old: hangupAfter('Old branch.'),
        new: hangupAfter('New branch.'),
        bye: BYE,
      },
    },
  });
  const flow = await ok('POST', '/api/flows', doc('old'));
  const number = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: 'Pinned line', flowId: flow.id });

  const callSid = `CA${'a1'.repeat(16)}`;
  const base = { CallSid: callSid, AccountSid: `AC${'b2'.repeat(16)}`, From: newCaller(), To: number, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
  const first = await post(`${stack.url}/twilio/voice`, base);
  expect(first.status).toBe(200);
  const action = find(first.text, 'Gather')!.attributes.action;
  expect(action).toContain('r=1');

  const edited = await ok('PUT', `/api/flows/${flow.id}`, doc('new'), { 'if-match': '1' });
  expect(edited.revision).toBe(2);

  const second = await post(action, { ...base, CallStatus: 'in-progress', Digits: '1' });
  expect(second.status).toBe(200);
  expect(verbs(second.text).map((v) => [v.name, textOf(v)])).toEqual([['Say', 'Old branch.'], ['Hangup', '']]);
  const t = await trace(callSid);
  expect(t).toMatchObject({ sid: callSid, flowId: flow.id, revision: 1 });
  expect(t.steps.map((s: { applet: string }) => s.applet)).toEqual(['menu', 'menu', 'old', 'bye']);

  // A call that starts now gets the new revision.
  const fresh = await call(number, { digits: ['1'] });
  expect(spoken(fresh)).toContain('New branch.');
  expect((await trace(fresh.sid)).revision).toBe(2);
});

// ---------------------------------------------------------------------------------------------
// 9. No flow

it('a number with no flow gets the safe answer, the voicemail lands in unrouted and the report counts the lost call', async () => {
  const number = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: 'Flowless line' });
  const before = await reportEntry(number);
  expect(before).toMatchObject({ status: 'no_flow', lostCalls: 0 });

  const from = newCaller();
  const t = await call(number, { from });
  expect(t.ok).toBe(true);
  const first = requests(t)[0];
  expect(first.status).toBe(200);
  expect(verbs(first.answer).map((v) => v.name)).toEqual(['Say', 'Record', 'Hangup']);
  expect(spoken(t)).toEqual([expect.stringMatching(/^Sorry/)]);
  const [record] = entries(t, 'record');

  const unrouted = (await mailbox('unrouted')).filter((m) => m.to === number);
  expect(unrouted).toEqual([expect.objectContaining({ id: record.recordingSid, kind: 'voicemail', from, to: number, callSid: t.sid })]);
  expect(await reportEntry(number)).toMatchObject({ status: 'no_flow', lostCalls: 1, lostTexts: 0 });
  expect((await trace(t.sid)).steps[0]).toMatchObject({ type: 'unrouted', applet: 'no_flow' });
});

// ---------------------------------------------------------------------------------------------
// 10. Signatures

describe('signatures', () => {
  it('a tampered signature gets 403 and stores nothing', async () => {
    const number = newLine();
    await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: 'Tamper line' });
    const callSid = `CA${'c3'.repeat(16)}`;
    const params = { CallSid: callSid, AccountSid: `AC${'d4'.repeat(16)}`, From: newCaller(), To: number, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
    const url = `${stack.url}/twilio/voice`;
    const good = signTwilioRequest(url, params, stack.authToken);
    const tampered = good.slice(0, -2) + (good.endsWith('A=') ? 'B=' : 'A=');
    expect((await post(url, params, tampered)).status).toBe(403);
    expect((await post(url, params, signTwilioRequest(url, params, 'not-the-token'))).status).toBe(403);
    // A signature for other parameters (a changed caller) does not cover these.
    expect((await post(url, { ...params, From: '+15559999999' }, good)).status).toBe(403);
    const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    expect(missing.status).toBe(403);

    expect((await http(stack, 'GET', `/api/calls/${callSid}`)).status).toBe(404);
    expect(await reportEntry(number)).toMatchObject({ lostCalls: 0 });
    // A forged recording callback stores nothing in unrouted.
    const recordingUrl = `${stack.url}/twilio/voice/recording?mb=unrouted&n=${encodeURIComponent(number)}`;
    const recording = { CallSid: callSid, RecordingSid: `RE${'e5'.repeat(16)}`, RecordingUrl: 'https://example.com/r', RecordingStatus: 'completed' };
    expect((await post(recordingUrl, recording, signTwilioRequest(recordingUrl, recording, 'not-the-token'))).status).toBe(403);
    expect((await mailbox('unrouted')).filter((m) => m.to === number)).toEqual([]);
  });

  it('a tampered query string in an action URL gets 403 (revision, applet, mailbox)', async () => {
    const user = await createUser('Tamper target');
    const { number } = await lineWith({
      start: 'menu',
      applets: {
        menu: { type: 'menu', prompt: { text: 'Press 1.' }, options: { '1': 'ring' }, fallback: 'vm' },
        ring: { type: 'dial', user: user.id, noAnswer: 'vm' },
        vm: { type: 'voicemail', mailbox: { user: user.id } },
      },
    });
    const callSid = `CA${'f6'.repeat(16)}`;
    const base = { CallSid: callSid, AccountSid: `AC${'a7'.repeat(16)}`, From: newCaller(), To: number, CallStatus: 'in-progress', Direction: 'inbound', ApiVersion: '2010-04-01' };
    const first = await post(`${stack.url}/twilio/voice`, base);
    const action = find(first.text, 'Gather')!.attributes.action;
    expect(action).toMatch(/[?&]r=1(&|$)/);
    expect(action).toMatch(/[?&]applet=menu(&|$)/);
    const params = { ...base, Digits: '1' };
    const signature = signTwilioRequest(action, params, stack.authToken);

    // The URL Twilio was given, with its signature, works; the same signature on an edited URL does not.
    for (const forged of [action.replace(/([?&])r=1/, '$1r=2'), action.replace('applet=menu', 'applet=vm'), action.replace('attempt=1', 'attempt=3')]) {
      expect(forged).not.toBe(action);
      expect((await post(forged, params, signature)).status).toBe(403);
    }
    // Pointing a recording callback at another mailbox is refused too.
    const second = await post(action, params, signature);
    expect(second.status).toBe(200);
    const dialAction = find(second.text, 'Dial')!.attributes.action;
    const third = await post(dialAction, { ...base, DialCallStatus: 'no-answer' });
    const record = find(third.text, 'Record')!;
    const callbackUrl = record.attributes.recordingStatusCallback;
    expect(callbackUrl).toContain(`mb=user%23${user.id}`);
    const recording = { AccountSid: base.AccountSid, CallSid: callSid, RecordingSid: `RE${'b8'.repeat(16)}`, RecordingUrl: 'https://example.com/r', RecordingStatus: 'completed' };
    const forgedCallback = callbackUrl.replace(`mb=user%23${user.id}`, 'mb=unrouted');
    expect((await post(forgedCallback, recording, signTwilioRequest(callbackUrl, recording, stack.authToken))).status).toBe(403);
    expect((await mailbox('unrouted')).filter((m) => m.id === recording.RecordingSid)).toEqual([]);
    expect(await mailbox(`user/${user.id}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 12. Traces

it('the trace of a call lists every applet it went through with the TwiML answered at each step', async () => {
  const user = await createUser('Traced');
  const { number, flowId } = await lineWith({
    start: 'hours',
    applets: {
      hours: {
        type: 'hours', timezone: 'UTC', open: 'greet', closed: 'vm',
        weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
      },
      greet: { type: 'say', prompt: { text: 'Welcome.' }, next: 'menu' },
      menu: { type: 'menu', prompt: { text: 'Press 1.' }, options: { '1': 'ring' }, fallback: 'vm' },
      ring: { type: 'dial', user: user.id, noAnswer: 'vm' },
      vm: { type: 'voicemail', mailbox: { user: user.id } },
    },
  });
  const from = newCaller();
  // With the simulated clock every request of the call has the same time: the steps must still come in order.
  const t = await call(number, { from, digits: ['1'], dial: ['busy'], at: '2026-03-04T12:00:00Z' });
  expect(t.ok).toBe(true);
  const flowRequests = requests(t).filter((r) => r.url.includes('/twilio/voice') && !r.url.includes('/recording') && !r.url.includes('/transcription'));
  // Incoming call, gather action, dial action, record action.
  expect(flowRequests).toHaveLength(4);

  const tr = await trace(t.sid);
  expect(tr).toMatchObject({ sid: t.sid, channel: 'call', from, to: number, flowId, revision: 1 });
  expect(tr.steps.map((s: { applet: string; type: string }) => `${s.applet}:${s.type}`)).toEqual([
    'hours:hours', 'greet:say', 'menu:menu', // the incoming call runs instantly up to the menu
    'menu:menu', 'ring:dial', // the key, then the dial
    'ring:dial', 'vm:voicemail', // busy, then the voicemail
    'vm:voicemail', // the recording is over
  ]);
  const answers = [0, 0, 0, 1, 1, 2, 2, 3].map((i) => flowRequests[i].answer);
  expect(tr.steps.map((s: { twiml: string }) => s.twiml)).toEqual(answers);
  for (const s of tr.steps) expect(s.at).toBe('2026-03-04T12:00:00.000Z');
  expect(tr.steps[3].input).toMatchObject({ Digits: '1' });
  expect(tr.steps[5].input).toMatchObject({ DialCallStatus: 'busy' });
  expect(tr.steps[7].input).toMatchObject({ RecordingSid: entries(t, 'record')[0].recordingSid });
});

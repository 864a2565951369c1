// Text routing end to end (DESIGN.md sections 3, 5, 6, 9; TWILIO.md): the local stack over HTTP,
// the carrier simulator posting signed texts, and the admin API to check what was stored.
// Every scenario creates its own users, groups, flows and numbers, so they do not depend on each other.
import type { LocalStack } from '../../local/stack';
import { parseTwiml, simulateSms, isElement, type SmsOptions, type Transcript } from '../../local/carrier';
import { signTwilioRequest } from '../../lambdas/twilio/signature';
import { entries, http, httpOk, startTestStack } from '../support/local-stack';

const TWILIO_MEDIA = 'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages/MM00000000000000000000000000000000/Media';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const messagesOf = (t: Transcript) => entries(t, 'message');
const requests = (t: Transcript) => entries(t, 'request');

/** Distinct numbers: the flows' numbers in +1555041xxxx, people in +1555042xxxx, senders in +1555043xxxx. */
let sequence = 0;
const nextNumber = (block: number) => `+1555${block}${String(++sequence).padStart(4, '0')}`;
const newLine = () => nextNumber(41);
const newPhone = () => nextNumber(42);
const newSender = () => nextNumber(43);

const ok = (method: string, path: string, body?: unknown) => httpOk(stack, method, path, body);

async function createUser(name: string, extra: { phone?: string; client?: string } = { phone: newPhone() }) {
  return (await ok('POST', '/api/users', { name, ...extra })) as { id: string; phone?: string };
}

/** Publishes a flow with this sms part and gives it a fresh number. */
async function lineWith(sms: unknown, name = 'Text line') {
  const flow = await ok('POST', '/api/flows', { name, sms });
  const number = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name, flowId: flow.id });
  return { flowId: flow.id as string, number };
}

const text = (to: string, body: string, options: Partial<SmsOptions> = {}) =>
  simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to, body, from: newSender(), ...options });

const mailbox = async (path: string) => (await ok('GET', `/api/mailboxes/${path}/messages`)).messages as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- messages as the admin API answers them, read by path
const reportEntry = async (number: string) => (await ok('GET', '/api/report/unassigned')).numbers.find((n: { number: string }) => n.number === number);

async function post(url: string, params: Record<string, string>, signature = signTwilioRequest(url, params, stack.authToken)) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

const inboxOf = (userId: string) => ({ type: 'inbox', mailbox: { user: userId } });

// ---------------------------------------------------------------------------------------------

it('auto-reply then inbox: the sender gets the reply and the text is stored in the inbox\'s mailbox', async () => {
  const owner = await createUser('Inbox owner');
  const { number } = await lineWith({
    start: 'reply',
    applets: { reply: { type: 'reply', text: 'Thanks, we will get back to you.', next: 'inbox' }, inbox: inboxOf(owner.id) },
  });
  const from = newSender();
  const t = await text(number, 'Do you deliver on Sundays?', { from });
  expect(t.ok).toBe(true);
  expect(messagesOf(t)).toEqual([{ kind: 'message', to: from, from: number, body: 'Thanks, we will get back to you.', media: [] }]);
  // The reply goes to the sender: no `to` attribute.
  expect(parseTwiml(requests(t)[0].answer).children.filter(isElement).map((m) => m.attributes)).toEqual([{}]);

  expect(await mailbox(`user/${owner.id}`)).toEqual([
    expect.objectContaining({ id: t.sid, kind: 'sms', from, to: number, body: 'Do you deliver on Sundays?', receivedAt: expect.any(String) }),
  ]);
});

describe('keyword routing', () => {
  let number: string;
  let sales: { id: string };
  let support: { id: string };
  let others: { id: string };
  beforeAll(async () => {
    [sales, support, others] = [await createUser('Kw sales'), await createUser('Kw support'), await createUser('Kw others')];
    ({ number } = await lineWith({
      start: 'kw',
      applets: {
        kw: {
          type: 'keyword',
          rules: [{ keywords: ['SALES', 'buy'], next: 'toSales' }, { keywords: ['help'], next: 'toSupport' }],
          otherwise: 'toOthers',
        },
        toSales: { type: 'reply', text: 'Sales will text you.', next: 'salesBox' },
        toSupport: { type: 'reply', text: 'Support will text you.', next: 'supportBox' },
        toOthers: { type: 'reply', text: 'Reply SALES or HELP.', next: 'othersBox' },
        salesBox: inboxOf(sales.id),
        supportBox: inboxOf(support.id),
        othersBox: inboxOf(others.id),
      },
    }, 'Keyword line'));
  });

  it.each([
    ['sales please', 'Sales will text you.', 'sales'],
    ['SaLeS', 'Sales will text you.', 'sales'],
    ['  Buy! two tickets', 'Sales will text you.', 'sales'],
    ['help me', 'Support will text you.', 'support'],
    // The whole body a word Twilio answers itself (DESIGN.md section 17): no rule takes it, nothing answers it.
    ['HELP', undefined, 'others'],
    [' Stop', undefined, 'others'],
    ['I need help', 'Reply SALES or HELP.', 'others'], // only the first word counts
    ['salesman here', 'Reply SALES or HELP.', 'others'], // a whole word, not a prefix
    ['', 'Reply SALES or HELP.', 'others'],
  ])('"%s" → %s', async (body, reply, box) => {
    const t = await text(number, body);
    expect(messagesOf(t).map((m) => m.body)).toEqual(reply === undefined ? [] : [reply]);
    const owner = { sales, support, others }[box]!;
    expect((await mailbox(`user/${owner.id}`)).map((m) => m.id)).toContain(t.sid);
  });
});

describe('opt-out (DESIGN.md section 17)', () => {
  it('STOP gets no reply and opts the sender out of the number: later texts are stored but not answered, until START', async () => {
    const owner = await createUser('Opt-out owner');
    const { number } = await lineWith({
      start: 'r',
      applets: { r: { type: 'reply', text: 'Thanks for your text.', next: 'box' }, box: inboxOf(owner.id) },
    }, 'Opt-out line');
    const from = '+15550408888';
    const stop = await text(number, 'STOP', { from });
    expect(messagesOf(stop)).toEqual([]);
    const later = await text(number, 'one more thing', { from });
    expect(messagesOf(later)).toEqual([]);
    expect((await mailbox(`user/${owner.id}`)).map((m) => m.id)).toEqual(expect.arrayContaining([stop.sid, later.sid]));
    expect(messagesOf(await text(number, 'start', { from }))).toEqual([]);
    expect(messagesOf(await text(number, 'hello again', { from })).map((m) => m.body)).toEqual(['Thanks for your text.']);
  });
});

describe('business hours in the sms part', () => {
  let number: string;
  let owner: { id: string };
  beforeAll(async () => {
    owner = await createUser('Hours owner');
    ({ number } = await lineWith({
      start: 'hours',
      applets: {
        hours: {
          type: 'hours', timezone: 'America/New_York', open: 'inbox', closed: 'closed',
          weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
        },
        closed: { type: 'reply', text: 'We are closed; we will answer tomorrow.', next: 'inbox' },
        inbox: inboxOf(owner.id),
      },
    }, 'Hours text line'));
  });

  it('a text after hours gets the closed reply and is still stored', async () => {
    // Wednesday 20:00 in New York (summer, UTC-4).
    const t = await text(number, 'Are you there?', { at: '2026-07-16T00:00:00Z' });
    expect(messagesOf(t).map((m) => m.body)).toEqual(['We are closed; we will answer tomorrow.']);
    expect((await mailbox(`user/${owner.id}`)).map((m) => m.id)).toContain(t.sid);
  });

  it('a text during opening hours gets no closed reply', async () => {
    // Wednesday 10:00 in New York.
    const t = await text(number, 'Are you there?', { at: '2026-07-15T14:00:00Z' });
    expect(messagesOf(t)).toEqual([]);
    expect((await mailbox(`user/${owner.id}`)).map((m) => m.id)).toContain(t.sid);
  });
});

it('an MMS with two media is stored with both URLs and content types', async () => {
  const owner = await createUser('MMS owner');
  const { number } = await lineWith({ start: 'inbox', applets: { inbox: inboxOf(owner.id) } });
  // Twilio's media URLs: the only ones a webhook keeps (issue 18); the extension tells the simulator the type.
  const media = [`${TWILIO_MEDIA}/photo.jpg`, `${TWILIO_MEDIA}/receipt.pdf`];
  const t = await text(number, 'Two attachments', { media });
  expect(t.sid).toMatch(/^MM[0-9a-f]{32}$/);
  expect(requests(t)[0].params).toMatchObject({ NumMedia: '2', MediaContentType0: 'image/jpeg', MediaContentType1: 'application/pdf' });
  const [stored] = await mailbox(`user/${owner.id}`);
  expect(stored).toMatchObject({
    id: t.sid,
    body: 'Two attachments',
    media: [
      { url: media[0], contentType: 'image/jpeg' },
      { url: media[1], contentType: 'application/pdf' },
    ],
  });
});

it('a text sent twice with the same MessageSid is stored once', async () => {
  const owner = await createUser('Retry owner');
  const { number } = await lineWith({ start: 'inbox', applets: { inbox: inboxOf(owner.id) } });
  const t = await text(number, 'Only once, please');
  const [first] = requests(t);
  // Twilio retries the webhook: the same URL and parameters, signed again.
  const retry = await post(first.url, first.params);
  expect(retry.status).toBe(200);
  const messages = await mailbox(`user/${owner.id}`);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ id: t.sid, body: 'Only once, please' });
});

it('a text to a number with no flow is stored in unrouted, answered with an empty <Response/>, and counted in the report', async () => {
  const number = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: 'Flowless text line' });
  expect(await reportEntry(number)).toMatchObject({ status: 'no_flow', lostTexts: 0 });
  const from = newSender();
  const t = await text(number, 'Hello? Anybody?', { from });
  expect(t.ok).toBe(true);
  const [answer] = requests(t);
  expect(answer.status).toBe(200);
  const root = parseTwiml(answer.answer);
  expect(root.name).toBe('Response');
  expect(root.children).toEqual([]);
  expect(messagesOf(t)).toEqual([]);

  const unrouted = (await mailbox('unrouted')).filter((m) => m.to === number);
  expect(unrouted).toEqual([expect.objectContaining({ id: t.sid, kind: 'sms', from, to: number, body: 'Hello? Anybody?' })]);
  expect(await reportEntry(number)).toMatchObject({ status: 'no_flow', lostTexts: 1, lostCalls: 0 });
  // A retry of the same text counts once.
  expect((await post(answer.url, answer.params)).status).toBe(200);
  expect(await reportEntry(number)).toMatchObject({ lostTexts: 1 });
  expect((await mailbox('unrouted')).filter((m) => m.to === number)).toHaveLength(1);
});

it('a replayed MessageSid is answered <Response/>: no second reply, notification or forward (DESIGN.md section 5)', async () => {
  const owner = await createUser('Replay owner');
  const { number } = await lineWith({
    start: 'reply',
    applets: { reply: { type: 'reply', text: 'Got it, thanks.', next: 'inbox' }, inbox: { type: 'inbox', mailbox: { user: owner.id }, notify: true } },
  });
  const t = await text(number, 'Please call me');
  const [first] = requests(t);
  expect(first.answer).toContain('Got it, thanks.');
  expect(first.answer).toContain(`<Message to="${owner.phone}"`);
  // The same request again, and twice at once: each is answered with nothing, and the text is kept once.
  const replays = await Promise.all([post(first.url, first.params), post(first.url, first.params), post(first.url, first.params)]);
  for (const replay of replays) {
    expect(replay.status).toBe(200);
    expect(replay.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  }
  expect(await mailbox(`user/${owner.id}`)).toHaveLength(1);
  // The trace holds the text's one run.
  const trace = await ok('GET', `/api/calls/${t.sid}`);
  expect(trace.steps.map((s: { applet: string }) => s.applet)).toEqual(['reply', 'inbox']);
});

it('notify sends one <Message to=...> per group member with a phone, skipping members without one', async () => {
  const a = await createUser('Notify A');
  const noPhone = await createUser('Notify no phone', { client: 'notify-nophone' });
  const c = await createUser('Notify C');
  const group = (await ok('POST', '/api/groups', { name: 'Notify team', members: [a.id, noPhone.id, c.id] })) as { id: string };
  const { number } = await lineWith({ start: 'inbox', applets: { inbox: { type: 'inbox', mailbox: { group: group.id }, notify: true } } });
  const from = newSender();
  const t = await text(number, 'Call me back', { from });
  expect(t.ok).toBe(true);
  expect(messagesOf(t)).toEqual([
    { kind: 'message', to: a.phone, from: number, body: `From ${from}: Call me back`, media: [] },
    { kind: 'message', to: c.phone, from: number, body: `From ${from}: Call me back`, media: [] },
  ]);
  const xml = requests(t)[0].answer;
  expect(xml.match(/<Message to="/g)).toHaveLength(2);
  expect(await mailbox(`group/${group.id}`)).toEqual([expect.objectContaining({ id: t.sid, body: 'Call me back' })]);
});

it('people created just before their flow is published are notified at once (no stale directory)', async () => {
  // The test above filled the webhook's directory cache a moment ago; these people are newer than it.
  const d = await createUser('Newcomer D');
  const group = (await ok('POST', '/api/groups', { name: 'Newcomers', members: [d.id] })) as { id: string };
  const { number } = await lineWith({ start: 'inbox', applets: { inbox: { type: 'inbox', mailbox: { group: group.id }, notify: true } } });
  const t = await text(number, 'Welcome aboard');
  expect(messagesOf(t).map((m) => m.to)).toEqual([d.phone]);
});

it('a tampered signature gets 403 and stores nothing', async () => {
  const owner = await createUser('Tamper owner');
  const { number } = await lineWith({ start: 'inbox', applets: { inbox: inboxOf(owner.id) } });
  const flowless = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(flowless)}`, { name: 'Flowless tamper line' });
  const url = `${stack.url}/twilio/sms`;
  for (const to of [number, flowless]) {
    const sid = `SM${to.slice(-4)}${'9f'.repeat(14)}`;
    const params = { MessageSid: sid, SmsSid: sid, AccountSid: `AC${'1a'.repeat(16)}`, From: newSender(), To: to, Body: 'forged', NumMedia: '0' };
    const good = signTwilioRequest(url, params, stack.authToken);
    expect((await post(url, params, good.slice(0, -2) + (good.endsWith('A=') ? 'B=' : 'A='))).status).toBe(403);
    expect((await post(url, params, signTwilioRequest(url, params, 'not-the-token'))).status).toBe(403);
    expect((await post(url, { ...params, Body: 'changed' }, good)).status).toBe(403);
    expect((await post(`${url}?x=1`, params, good)).status).toBe(403);
    const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    expect(missing.status).toBe(403);
    expect((await http(stack, 'GET', `/api/calls/${sid}`)).status).toBe(404);
  }
  expect(await mailbox(`user/${owner.id}`)).toEqual([]);
  expect((await mailbox('unrouted')).filter((m) => m.to === flowless)).toEqual([]);
  expect(await reportEntry(flowless)).toMatchObject({ lostTexts: 0 });
});

it('forward sends a <Message to=the forward number> with the body and the media', async () => {
  const target = newPhone();
  const { number } = await lineWith({ start: 'fwd', applets: { fwd: { type: 'forward', to: target } } });
  const from = newSender();
  const media = [`${TWILIO_MEDIA}/a.png`, `${TWILIO_MEDIA}/b.jpg`];
  const t = await text(number, 'Please pass this on', { from, media });
  expect(t.ok).toBe(true);
  expect(messagesOf(t)).toEqual([{ kind: 'message', to: target, from: number, body: `From ${from}: Please pass this on`, media }]);
});

it('GET /api/calls/{MessageSid} returns the text\'s trace', async () => {
  const owner = await createUser('Trace owner');
  const { number, flowId } = await lineWith({
    start: 'reply',
    applets: { reply: { type: 'reply', text: 'Got it.', next: 'inbox' }, inbox: inboxOf(owner.id) },
  });
  const from = newSender();
  const t = await text(number, 'Trace me', { from });
  const answer = requests(t)[0].answer;
  const res = await http(stack, 'GET', `/api/calls/${t.sid}`);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    sid: t.sid,
    channel: 'sms',
    from,
    to: number,
    flowId,
    revision: 1,
    steps: [
      { at: expect.any(String), applet: 'reply', type: 'reply', input: { Body: 'Trace me' }, twiml: answer },
      { at: expect.any(String), applet: 'inbox', type: 'inbox', twiml: answer },
    ],
  });
  expect((await http(stack, 'GET', `/api/calls/SM${'0'.repeat(32)}`)).status).toBe(404);
});

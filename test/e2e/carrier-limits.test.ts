// What a live Twilio does with our answers (issue 9), end to end: the local stack over HTTP, the carrier
// simulator signing every webhook exactly as Twilio does and applying Twilio's own limits (10 messages per
// answer, 1,600 characters per body), and the admin API to see what was stored or refused.
import type { LocalStack } from '../../local/stack';
import { parseTwiml, simulateCall, simulateSms, isElement, type Transcript, type TwimlElement } from '../../local/carrier';
import { entries, http, httpOk, startTestStack } from '../support/local-stack';
import { twimlViolations } from '../support/twiml-structure';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Flow numbers in +1555071xxxx, people in +1555072xxxx, senders in +1555073xxxx. */
let sequence = 0;
const nextNumber = (block: number) => `+1555${block}${String(++sequence).padStart(4, '0')}`;
const newLine = () => nextNumber(71);
const newPhone = () => nextNumber(72);
const newSender = () => nextNumber(73);

const ok = (method: string, path: string, body?: unknown) => httpOk(stack, method, path, body);
const createUser = async (name: string, extra: Record<string, unknown> = { phone: newPhone() }) =>
  (await ok('POST', '/api/users', { name, ...extra })) as { id: string; phone?: string; client?: string };

async function lineWith(parts: { call?: unknown; sms?: unknown }, name = 'Limits line') {
  const flow = await ok('POST', '/api/flows', { name, ...parts });
  const number = newLine();
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name, flowId: flow.id });
  return { flowId: flow.id as string, number };
}

const text = (to: string, body: string, from = newSender()) => simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to, body, from });
const mailbox = async (path: string) => (await ok('GET', `/api/mailboxes/${path}/messages`)).messages as Array<Record<string, unknown>>;
const messagesOf = (t: Transcript) => entries(t, 'message');
const warningsOf = (t: Transcript) => entries(t, 'warning').map((w) => w.text);
const answers = (t: Transcript) => entries(t, 'request').map((r) => parseTwiml(r.answer));
/** Every answer of the conversation is TwiML the twilio library defines (verbs, nouns, attributes). */
const expectValidTwiml = (t: Transcript) =>
  expect(entries(t, 'request').flatMap((r) => twimlViolations(r.answer, t.channel === 'sms' ? 'messaging' : 'voice'))).toEqual([]);
const dialsIn = (doc: TwimlElement) => doc.children.filter(isElement).filter((e) => e.name === 'Dial');

describe('texts', () => {
  it('a text holding U+000B and U+0001 is routed to its flow like any other, cleaned', async () => {
    const owner = await createUser('Control owner');
    const { number } = await lineWith({
      sms: {
        start: 'reply',
        applets: {
          reply: { type: 'reply', text: 'Got it', next: 'inbox' },
          inbox: { type: 'inbox', mailbox: { user: owner.id }, notify: true },
        },
      },
    });
    const from = newSender();

    const t = await text(number, 'line one\u000Bline two\u0001!', from);
    expectValidTwiml(t);

    expect(t.ok).toBe(true);
    expect(messagesOf(t)).toEqual([
      { kind: 'message', to: from, from: number, body: 'Got it', media: [] },
      { kind: 'message', to: owner.phone, from: number, body: `From ${from}: line one line two!`, media: [] },
    ]);
    expect(await mailbox(`user/${owner.id}`)).toEqual([expect.objectContaining({ id: t.sid, body: 'line one line two!' })]);
    expect((await mailbox('unrouted')).map((m) => m.id)).not.toContain(t.sid);
  });

  it('a reply and 12 notifications: Twilio gets exactly 10 messages, none is dropped by the carrier', async () => {
    const members = [];
    for (let i = 0; i < 12; i++) members.push(await createUser(`Member ${i}`));
    const group = await ok('POST', '/api/groups', { name: 'Twelve', members: members.map((m) => m.id) });
    const created = await ok('POST', '/api/flows', {
      name: 'Twelve notified',
      sms: {
        start: 'reply',
        applets: {
          reply: { type: 'reply', text: 'Thanks', next: 'inbox' },
          inbox: { type: 'inbox', mailbox: { group: group.id }, notify: true },
        },
      },
    });
    // Saved, with the warning that says what happens to the other three.
    expect(created.problems).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'notify_over_limit', applet: 'inbox' }));
    const number = newLine();
    await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: 'Twelve', flowId: created.id });

    const t = await text(number, 'Anyone there?');
    expectValidTwiml(t);

    expect(answers(t)[0].children.filter(isElement).filter((e) => e.name === 'Message')).toHaveLength(10);
    expect(messagesOf(t)).toHaveLength(10);
    expect(warningsOf(t)).toEqual([]);
    expect(messagesOf(t).slice(1).map((m) => m.to)).toEqual(members.slice(0, 9).map((m) => m.phone));
    expect(await mailbox(`group/${group.id}`)).toEqual([expect.objectContaining({ id: t.sid })]);
  });

  it('a 1,600-character text is forwarded within 1,600 characters, and kept whole in unrouted', async () => {
    const target = newPhone();
    const { number } = await lineWith({ sms: { start: 'fwd', applets: { fwd: { type: 'forward', to: target } } } });
    const from = newSender();
    const body = `${'long text '.repeat(160).slice(0, 1592)}the end.`;
    expect(body).toHaveLength(1600);

    const t = await text(number, body, from);
    expectValidTwiml(t);

    expect(warningsOf(t)).toEqual([]);
    const [forwarded] = messagesOf(t);
    expect(forwarded.to).toBe(target);
    // Cut at a word's end: "…" follows the last word, not a space.
    expect(forwarded.body.length).toBeLessThanOrEqual(1600);
    expect(forwarded.body.length).toBeGreaterThan(1590);
    expect(forwarded.body.startsWith(`From ${from}: long text`)).toBe(true);
    expect(forwarded.body.endsWith('…')).toBe(true);
    expect(await mailbox('unrouted')).toContainEqual(expect.objectContaining({ id: t.sid, from, to: number, body }));
  });

  it('a short forward is not kept anywhere else', async () => {
    const { number } = await lineWith({ sms: { start: 'fwd', applets: { fwd: { type: 'forward', to: newPhone() } } } });
    const t = await text(number, 'short');
    expectValidTwiml(t);
    expect(messagesOf(t)).toHaveLength(1);
    expect((await mailbox('unrouted')).map((m) => m.id)).not.toContain(t.sid);
  });
});

describe('calls', () => {
  it('a softphone caller is dialled through with the called number as callerId (error 13214 otherwise)', async () => {
    const ann = await createUser('Callee');
    const { number } = await lineWith({
      call: { start: 'ring', applets: { ring: { type: 'dial', user: ann.id, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    });

    const t = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: number, from: 'client:alice', dial: ['completed'] });
    expectValidTwiml(t);

    const [dial] = answers(t).flatMap(dialsIn);
    expect(dial.attributes.callerId).toBe(number);
    // An ordinary caller keeps their own number (no callerId attribute).
    const t2 = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: number, from: newSender(), dial: ['completed'] });
    expectValidTwiml(t2);
    expect(answers(t2).flatMap(dialsIn)[0].attributes).not.toHaveProperty('callerId');
  });

  it('a screened user with a softphone and a phone is rung one leg at a time, 15 s each by default', async () => {
    const both = await createUser('Both', { phone: newPhone(), client: `both${sequence}` });
    const { number } = await lineWith({
      call: {
        start: 'ring',
        applets: {
          ring: { type: 'dial', user: both.id, screen: true, noAnswer: 'vm' },
          vm: { type: 'voicemail', mailbox: { user: both.id } },
        },
      },
    });

    const t = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: number, from: newSender(), dial: ['no-answer', 'no-answer'] });
    expectValidTwiml(t);

    expect(entries(t, 'dial')).toEqual([
      { kind: 'dial', targets: [`client ${both.client}`], timeoutSeconds: 15 },
      { kind: 'dial', targets: [both.phone], timeoutSeconds: 15 },
    ]);
  });
});

describe('documents the carrier could not play are refused', () => {
  it('a prompt holding U+0007 is a 400 naming the field, and nothing is saved', async () => {
    const before = (await ok('GET', '/api/flows')).flows.length;
    const res = await http(stack, 'POST', '/api/flows', {
      name: 'Bell', call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'Hello\u0007' }, next: 'bye' }, bye: { type: 'hangup' } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'call.applets.greet.prompt.text' })]);
    expect((await ok('GET', '/api/flows')).flows.length).toBe(before);
  });

  it('a user or group name holding a control character is a 400 naming it', async () => {
    const user = await http(stack, 'POST', '/api/users', { name: 'Ann\u0000' });
    expect(user.status).toBe(400);
    expect(user.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    const group = await http(stack, 'POST', '/api/groups', { name: 'Team\uFFFF', members: [] });
    expect(group.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
  });

  it('a voice Twilio does not offer, or a language it does not accept, is a 400', async () => {
    const say = (prompt: unknown) => http(stack, 'POST', '/api/flows/check', {
      name: 'Voice', call: { start: 'greet', applets: { greet: { type: 'say', prompt, next: 'bye' }, bye: { type: 'hangup' } } },
    });
    expect((await say({ text: 'Hi', voice: 'Polly.Joanna-Neural', language: 'en-US' })).status).toBe(200);
    const voice = await say({ text: 'Hi', voice: 'Polly.Nobody' });
    expect(voice.status).toBe(400);
    expect(voice.body.error.details).toEqual([expect.objectContaining({ path: 'call.applets.greet.prompt.voice' })]);
    const language = await say({ text: 'Hi', language: 'klingon' });
    expect(language.body.error.details).toEqual([expect.objectContaining({ path: 'call.applets.greet.prompt.language' })]);
  });

  it('a redirect loop across flows is refused at publish (422 redirect_loop); a chain that waits is fine', async () => {
    const b = await ok('POST', '/api/flows', { name: 'B', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
    const a = await ok('POST', '/api/flows', { name: 'A', call: { start: 'go', applets: { go: { type: 'redirect', flow: b.id } } } });

    const res = await http(stack, 'PUT', `/api/flows/${b.id}`, { name: 'B', call: { start: 'back', applets: { back: { type: 'redirect', flow: a.id } } } });

    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ severity: 'error', code: 'redirect_loop', applet: 'back' }));
    // Through a menu the loop waits for the caller each time round: allowed.
    const menu = { type: 'menu', prompt: { text: 'Press 1 to start again' }, options: { '1': 'back' }, fallback: 'bye' };
    const waits = await http(stack, 'PUT', `/api/flows/${b.id}`, {
      name: 'B', call: { start: 'm', applets: { m: menu, back: { type: 'redirect', flow: a.id }, bye: { type: 'hangup' } } },
    });
    expect(waits.status).toBe(200);
  });

  it('a dial or forward to one of our own numbers is refused (422 own_number)', async () => {
    const ours = newLine();
    await ok('PUT', `/api/numbers/${encodeURIComponent(ours)}`, { name: 'Ours' });
    const dial = await http(stack, 'POST', '/api/flows', {
      name: 'Loop call', call: { start: 'd', applets: { d: { type: 'dial', number: ours, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    });
    expect(dial.status).toBe(422);
    expect(dial.body.error.details).toContainEqual(expect.objectContaining({ severity: 'error', code: 'own_number', applet: 'd' }));
    const forward = await http(stack, 'POST', '/api/flows', { name: 'Loop text', sms: { start: 'f', applets: { f: { type: 'forward', to: ours } } } });
    expect(forward.body.error.details).toContainEqual(expect.objectContaining({ code: 'own_number', applet: 'f' }));
  });
});

// Mailboxes that work (issue 20 item 8), end to end: the local stack with its Twilio-compatible server (as
// `npm start -- --fake-twilio`), a voicemail left by a simulated call, its recording played through the
// admin API with the account's credentials, read/unread, a reply by text through the outbox and the
// sender (from the number the message came to; refused by the sender for a caller who replied STOP), and
// a delete here and at the carrier. Every request the server saw is checked against Twilio's definitions.
import { simulateCall, simulateSms } from '../../local/carrier';
import type { FakeTwilio } from '../../local/fake-twilio';
import type { LocalStack } from '../../local/stack';
import { checkAgainstTwilioSpec, syncToEnd } from '../support/carrier';
import { http, httpOk, outboxSent, startTestStack } from '../support/local-stack';

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
const NUMBER = '+15550360001';

async function voicemailFrom(caller: string): Promise<{ userId: string; id: string }> {
  const users = (await ok('GET', '/api/users')).users as Array<{ id: string; name: string }>;
  const mia = users.find((u) => u.name === 'Mia') ?? (await ok('POST', '/api/users', { name: 'Mia' }));
  if (!fake.numberFor(NUMBER)) {
    fake.addNumber({ phoneNumber: NUMBER, friendlyName: 'Mailbox line' });
    await syncToEnd((method, path, b) => http(stack, method, path, b));
    const flow = await ok('POST', '/api/flows', { name: 'Mailbox line', call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { user: mia.id } } } } });
    await ok('PUT', `/api/numbers/${encodeURIComponent(NUMBER)}/flow`, { flowId: flow.id });
  }
  const transcript = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: NUMBER, from: caller });
  expect(transcript.ok).toBe(true);
  const { messages } = await ok('GET', `/api/mailboxes/user/${mia.id}/messages`);
  const found = (messages as Array<{ id: string; from: string; kind: string }>).find((m) => m.from === caller && m.kind === 'voicemail');
  return { userId: mia.id, id: found!.id };
}

test('a voicemail plays through the admin API: the carrier’s WAV, fetched with the account’s credentials; nothing else is proxied', async () => {
  const { id } = await voicemailFrom('+15550369001');
  expect(id).toMatch(/^RE[0-9a-f]{32}$/);
  const res = await fetch(`${stack.url}/api/recordings/${id}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/x-wav');
  const audio = Buffer.from(await res.arrayBuffer());
  expect(audio.subarray(0, 4).toString('ascii')).toBe('RIFF');
  expect(audio.subarray(8, 12).toString('ascii')).toBe('WAVE');
  expect(audio.length).toBe(Number(res.headers.get('content-length')));
  const fetched = fake.requests.filter((r) => r.path.endsWith(`/Recordings/${id}.wav`));
  expect(fetched).toEqual([expect.objectContaining({ method: 'GET', auth: `${fake.accountSid}:${fake.authToken}` })]);
  // A recording this deployment did not store is no one's to play.
  expect((await http(stack, 'GET', `/api/recordings/RE${'0'.repeat(32)}`)).status).toBe(404);
  expect((await http(stack, 'GET', '/api/recordings/nope')).status).toBe(404);
});

test('read and unread: the flag is stored, a bad body is a 400 naming the field and changes nothing, an unknown message is a 404', async () => {
  const { userId, id } = await voicemailFrom('+15550369002');
  const readOf = async () => ((await ok('GET', `/api/mailboxes/user/${userId}/messages`)).messages as Array<{ id: string; read?: boolean }>).find((m) => m.id === id)!.read;
  expect(await readOf()).toBeUndefined();
  expect(await ok('PUT', `/api/messages/${id}/read`, { read: true })).toEqual({ id, read: true });
  expect(await readOf()).toBe(true);
  const bad = await http(stack, 'PUT', `/api/messages/${id}/read`, { read: 'yes' });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('read');
  expect(await readOf()).toBe(true);
  await ok('PUT', `/api/messages/${id}/read`, { read: false });
  expect(await readOf()).toBeUndefined();
  expect((await http(stack, 'PUT', `/api/messages/RE${'1'.repeat(32)}/read`, { read: true })).status).toBe(404);
});

test('a reply by text is queued (202), then sent by the sender from the number the voicemail came to; an empty one is a 400', async () => {
  const caller = '+15550369003';
  const { id } = await voicemailFrom(caller);
  const empty = await http(stack, 'POST', `/api/messages/${id}/reply`, { body: '  ' });
  expect(empty.status).toBe(400);
  expect(JSON.stringify(empty.body)).toContain('body');
  const before = fake.requests.filter((r) => r.path.endsWith('/Messages.json')).length;
  const answer = await http(stack, 'POST', `/api/messages/${id}/reply`, { body: 'Got your message, calling back at 3.' });
  expect(answer.status).toBe(202);
  expect(answer.body).toEqual({ id: expect.stringMatching(/^txt_/), status: 'queued', to: caller, from: NUMBER });
  // Queued, not sent inline: the admin API did not call the carrier's Messages resource.
  expect(fake.requests.filter((r) => r.path.endsWith('/Messages.json')).length).toBe(before);
  await outboxSent(stack);
  expect(fake.messages.filter((m) => m.to === caller).map((m) => ({ from: m.from, body: m.body }))).toEqual([{ from: NUMBER, body: 'Got your message, calling back at 3.' }]);
});

test('a reply to a caller who replied STOP to that number is refused by the sender: nothing reaches the carrier', async () => {
  const caller = '+15550369004';
  const { id } = await voicemailFrom(caller);
  await simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to: NUMBER, from: caller, body: 'STOP' });
  await outboxSent(stack);
  const answer = await http(stack, 'POST', `/api/messages/${id}/reply`, { body: 'Are you still there?' });
  expect(answer.status).toBe(202);
  await outboxSent(stack);
  expect(fake.requests.filter((r) => r.path.endsWith('/Messages.json') && r.form.To?.[0] === caller)).toEqual([]);
});

test('delete: at the carrier first, then here; the recording no longer plays; an unknown message is a 404', async () => {
  const { userId, id } = await voicemailFrom('+15550369005');
  expect((await http(stack, 'DELETE', `/api/messages/${id}`)).status).toBe(204);
  expect(fake.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/Recordings/${id}.json`))).toHaveLength(1);
  expect(fake.deletedRecordings.has(id)).toBe(true);
  const { messages } = await ok('GET', `/api/mailboxes/user/${userId}/messages`);
  expect((messages as Array<{ id: string }>).map((m) => m.id)).not.toContain(id);
  expect((await http(stack, 'GET', `/api/recordings/${id}`)).status).toBe(404);
  expect((await http(stack, 'DELETE', `/api/messages/${id}`)).status).toBe(404);
});

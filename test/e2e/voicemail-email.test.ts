// Issue 22 items 4 and 5 end to end: the local stack over HTTP, the carrier simulator (`npm run call`)
// posting signed webhooks. A voicemail with email notify leaves a parseable message naming the caller in
// the stack's mail folder; an announcing dial whispers to the member who answers; the members' legs report
// their calls, which is what longest-idle rings by.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { simulateCall } from '../../local/carrier';
import type { LocalStack } from '../../local/stack';
import { entries, httpOk, startTestStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const ok = (method: string, pathname: string, body?: unknown) => httpOk(stack, method, pathname, body);
const emls = () => readdirSync(stack.mail.dir).filter((f) => f.endsWith('.eml')).map((f) => path.join(stack.mail.dir, f)).sort();

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const found = probe();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a voicemail with email notify leaves a parseable message naming the caller, in the mail folder', async () => {
  const dee = await ok('POST', '/api/users', { name: 'Dee', email: 'dee@example.com' });
  const flow = await ok('POST', '/api/flows', {
    name: 'Mailed line',
    call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { user: dee.id }, transcribe: true, notify: { email: true } } } },
  });
  await ok('PUT', '/api/numbers/%2B15550350001', { name: 'Mailed line', flowId: flow.id });

  const transcript = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: '+15550350001', from: '+15550359999' });
  expect(transcript.ok).toBe(true);
  expect(entries(transcript, 'record')).toHaveLength(1);

  // The voicemail email, then the transcript's.
  const [first, second] = await waitFor('two .eml files', () => (emls().length >= 2 ? emls() : undefined));
  const mails = await Promise.all([first, second].map((f) => simpleParser(readFileSync(f))));
  const voicemail = mails.find((m) => m.subject?.startsWith('New voicemail'))!;
  expect(voicemail.subject).toBe('New voicemail from +15550359999, 0:07 (Mailed line)');
  expect(voicemail.to && !Array.isArray(voicemail.to) && voicemail.to.text).toBe('dee@example.com');
  expect(voicemail.text).toContain('From: +15550359999');
  expect(voicemail.text).toContain('Number called: +15550350001 (Mailed line)');
  const [message] = (await ok('GET', `/api/mailboxes/user/${dee.id}/messages`)).messages;
  expect(voicemail.text).toContain(`Listen on the dashboard: ${stack.url}/#/mailboxes/user/${dee.id}/${message.id}`);
  const transcriptMail = mails.find((m) => m.subject?.startsWith('Transcript'))!;
  expect(transcriptMail.text).toContain('(simulated transcript)');
});

test('an announcing dial: the member who answers hears the announcement with the line\'s name, then the call is bridged', async () => {
  const eli = await ok('POST', '/api/users', { name: 'Eli', phone: '+15550352001' });
  const flow = await ok('POST', '/api/flows', {
    name: 'Announced line',
    call: {
      start: 'ring',
      applets: {
        ring: { type: 'dial', user: eli.id, announce: 'Call for the {number}', record: true, recordingNotice: { text: 'This call is recorded.' }, noAnswer: 'bye' },
        bye: { type: 'hangup' },
      },
    },
  });
  expect(flow.problems).toEqual([expect.objectContaining({ code: 'no_sms_part' })]);
  await ok('PUT', '/api/numbers/%2B15550350002', { name: 'Sales line', flowId: flow.id });

  const t = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: '+15550350002', from: '+15550359998', dial: ['completed'] });
  expect(t.ok).toBe(true);
  const said = entries(t, 'say').map((s) => `${s.leg}: ${s.text}`);
  expect(said).toEqual(['caller: This call is recorded.', 'callee: Call for the Sales line']);
  expect(entries(t, 'dial-result')).toEqual([expect.objectContaining({ status: 'completed', answeredBy: '+15550352001' })]);
  // Eli's leg reported the call it took: he was on it, and it ended.
  const legs = entries(t, 'request').filter((r) => r.url.includes('/twilio/voice/leg'));
  expect(legs.map((r) => r.params.CallStatus)).toEqual(['in-progress', 'completed']);
});

// Shared schedules and closing the office without an edit, end to end (DESIGN.md section 15, issue 22
// items 2 and 3): the local stack over HTTP, the carrier simulator posting signed webhooks (its clock
// header sets the call's time), the admin API to set and read schedules and overrides.
// Each scenario has its own schedule, flow and number: a webhook keeps a schedule it read for a few
// seconds (caches.ts), so a scenario's first call comes after its override is set.
import type { LocalStack } from '../../local/stack';
import { simulateCall, simulateSms, type Transcript } from '../../local/carrier';
import { entries, httpOk, startTestStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const ok = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => httpOk(stack, method, path, body, headers);
let sequence = 0;
const newNumber = (block: number) => `+1555${block}${String(++sequence).padStart(4, '0')}`;

const ALL_DAY = [['00:00', '24:00']];
const NINE_TO_FIVE = [['09:00', '17:00']];
const week = (ranges: string[][], days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, days.includes(d) ? ranges : []]));

/** A schedule, a flow whose hours name it (open: "We are open.", closed: "We are closed."), and a number for it. */
async function scheduledLine(name: string, schedule: Record<string, unknown>) {
  const created = await ok('POST', '/api/schedules', { name, timezone: 'America/New_York', ...schedule });
  const user = await ok('POST', '/api/users', { name: `${name} desk`, phone: newNumber(52) });
  const flow = await ok('POST', '/api/flows', {
    name: `${name} line`,
    call: {
      start: 'hours',
      applets: {
        hours: { type: 'hours', schedule: created.id, open: 'open', closed: 'closed' },
        open: { type: 'say', prompt: { text: 'We are open.' }, next: 'bye' },
        closed: { type: 'say', prompt: { text: 'We are closed.' }, next: 'bye' },
        bye: { type: 'hangup' },
      },
    },
    sms: { start: 'box', applets: { box: { type: 'inbox', mailbox: { user: user.id } } } },
  });
  const number = newNumber(51);
  await ok('PUT', `/api/numbers/${encodeURIComponent(number)}`, { name, flowId: flow.id });
  return { schedule: created.id as string, flow: flow.id as string, number, user: user.id as string };
}

const call = (to: string, at?: string) => simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to, from: newNumber(53), ...(at && { at }) });
const text = (to: string, from: string, body: string) => simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to, from, body });
const spoken = (t: Transcript) => entries(t, 'say').map((e) => e.text);
const replies = (t: Transcript) => entries(t, 'message').map((e) => e.body);
const revisionOf = async (callSid: string) => (await ok('GET', `/api/calls/${callSid}`)).revision;

test('the 4th Thursday of November (a schedule rule): closed at noon on 26 Nov 2026, open at noon on the 19th — in the simulator and on a call', async () => {
  const line = await scheduledLine('Thanksgiving office', {
    weekly: week(NINE_TO_FIVE, ['mon', 'tue', 'wed', 'thu', 'fri']),
    rules: [{ name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } }],
  });
  const simulated = async (at: string) =>
    (await ok('POST', `/api/flows/${line.flow}/simulate`, { channel: 'call', from: '+15550539999', at })).steps[0].applets.map((a: { applet: string }) => a.applet);
  expect(await simulated('2026-11-26T17:00:00Z')).toEqual(['hours', 'closed', 'bye']);
  expect(await simulated('2026-11-19T17:00:00Z')).toEqual(['hours', 'open', 'bye']);
  expect(spoken(await call(line.number, '2026-11-26T17:00:00Z'))).toEqual(['We are closed.']);
  expect(spoken(await call(line.number, '2026-11-19T17:00:00Z'))).toEqual(['We are open.']);
});

test('a closed override set through the API makes the next call take the closed branch without a new revision, and after `until` it is open again', async () => {
  const line = await scheduledLine('Storm office', { weekly: week(ALL_DAY) });
  const until = new Date(Date.now() + 60 * 60_000);
  until.setUTCSeconds(0, 0);
  const set = await ok('PUT', `/api/schedules/${line.schedule}/override`, { state: 'closed', until: until.toISOString() });
  expect(set.override).toMatchObject({ state: 'closed', until: until.toISOString(), setBy: 'api' });

  const during = await call(line.number, new Date().toISOString());
  expect(spoken(during)).toEqual(['We are closed.']);
  const after = await call(line.number, new Date(until.getTime() + 60_000).toISOString());
  expect(spoken(after)).toEqual(['We are open.']);
  // Both calls ran revision 1: closing the office published nothing.
  expect(await revisionOf(during.sid)).toBe(1);
  expect(await revisionOf(after.sid)).toBe(1);
  expect((await ok('GET', `/api/flows/${line.flow}`)).revision).toBe(1);
  expect((await ok('GET', `/api/flows/${line.flow}/revisions`)).revisions).toHaveLength(1);
});

test('CLOSE by text from an editor’s phone with the right PIN closes the office; a wrong PIN changes nothing; OPEN clears it', async () => {
  const line = await scheduledLine('Harbour office', { weekly: week(ALL_DAY) });
  const phone = newNumber(54);
  const editor = await ok('POST', '/api/users', { name: 'Erin Editor', phone, role: 'editor' });
  await ok('PUT', `/api/users/${editor.id}/pin`, { pin: '482913' });

  // To any of the organisation's numbers: here, the line's own.
  const closed = await text(line.number, phone, 'CLOSE Harbour office 482913');
  expect(replies(closed)).toEqual(['Harbour office is now closed until someone opens it (text OPEN Harbour office and your PIN): calls and texts take its closed branch.']);
  expect((await ok('GET', `/api/schedules/${line.schedule}`)).override).toMatchObject({ state: 'closed', setBy: `sms:${editor.id}` });
  expect(spoken(await call(line.number))).toEqual(['We are closed.']);

  const wrong = await text(line.number, phone, 'OPEN Harbour office 000000');
  expect(replies(wrong)).toEqual(['That PIN is not right: nothing changed.']);
  expect((await ok('GET', `/api/schedules/${line.schedule}`)).override).toMatchObject({ state: 'closed' });

  const opened = await text(line.number, phone, 'OPEN Harbour office 482913');
  expect(replies(opened)).toEqual(['Harbour office: the closed override is cleared; it follows its hours again (open now).']);
  expect((await ok('GET', `/api/schedules/${line.schedule}`)).override).toBeUndefined();
  // Commands are not messages: nothing of them (or their PIN) is in the line's mailbox.
  expect((await ok('GET', `/api/mailboxes/user/${line.user}/messages`)).messages).toEqual([]);
  // A stranger's identical text is an ordinary one.
  const stranger = await text(line.number, newNumber(55), 'CLOSE Harbour office 482913');
  expect(replies(stranger)).toEqual([]);
  expect((await ok('GET', `/api/mailboxes/user/${line.user}/messages`)).messages).toHaveLength(1);
  expect((await ok('GET', `/api/schedules/${line.schedule}`)).override).toBeUndefined();
});

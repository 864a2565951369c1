/// <reference lib="dom" />
// Mailboxes that work (issue 20 item 8) in headless Chromium, against the local stack with its
// Twilio-compatible server: a voicemail's <audio> plays audio served from the page's own origin (the admin
// API fetching the carrier's WAV with the account's credentials), it is marked read, answered by text (the
// sender sends it from the number the voicemail came to) and deleted, here and at the carrier.
import { simulateCall } from '../../local/carrier';
import type { FakeTwilio } from '../../local/fake-twilio';
import { useDashboard } from '../support/dashboard';
import { syncToEnd } from '../support/carrier';
import { http, httpOk, outboxSent } from '../support/local-stack';

let fake: FakeTwilio;

const dashboard = useDashboard({ fakeTwilio: true, seed: false });

beforeAll(() => {
  fake = dashboard.stack.fakeTwilio!;
});

const page = () => dashboard.page;
const ok = (method: string, path: string, body?: unknown) => httpOk(dashboard.stack, method, path, body);
const NUMBER = '+15550370001';
const CALLER = '+15550379001';

test('a voicemail plays from the page’s own origin, is marked read, answered by text and deleted', async () => {
  const nia = await ok('POST', '/api/users', { name: 'Nia' });
  fake.addNumber({ phoneNumber: NUMBER, friendlyName: 'Voicemail line' });
  await syncToEnd((method, path, b) => http(dashboard.stack, method, path, b));
  const flow = await ok('POST', '/api/flows', { name: 'Voicemail line', call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { user: nia.id } } } } });
  await ok('PUT', `/api/numbers/${encodeURIComponent(NUMBER)}/flow`, { flowId: flow.id });
  const t = await simulateCall({ baseUrl: dashboard.stack.url, authToken: dashboard.stack.authToken, to: NUMBER, from: CALLER });
  const { recordingSid } = t.entries.find((e) => e.kind === 'record') as { recordingSid: string };
  await simulateCall({ baseUrl: dashboard.stack.url, authToken: dashboard.stack.authToken, to: NUMBER, from: '+15550379002' });

  await page().goto(`${dashboard.stack.url}/#/mailboxes/user/${nia.id}`);
  const message = page().locator(`[data-message="${recordingSid}"]`);
  await message.waitFor();
  await page().getByText('2 messages, 2 unread, newest first').waitFor();

  // Play: the <audio> loads /api/recordings/{sid} from this origin, and it really plays.
  const audio = message.getByLabel(`Voicemail from ${CALLER}`);
  const src = await audio.evaluate((a: HTMLAudioElement) => a.src);
  expect(new URL(src).origin).toBe(new URL(dashboard.stack.url).origin);
  expect(new URL(src).pathname).toBe(`/api/recordings/${recordingSid}`);
  await audio.evaluate((a: HTMLAudioElement) => a.play());
  await page().waitForFunction((sel) => {
    const a = document.querySelector(`${sel} audio`) as HTMLAudioElement | null;
    return !!a && a.readyState >= 2 && a.currentTime > 0 && a.duration > 0.4 && a.duration < 0.6;
  }, `[data-message="${recordingSid}"]`);
  expect(fake.requests.some((r) => r.path.endsWith(`/Recordings/${recordingSid}.wav`) && r.auth === `${fake.accountSid}:${fake.authToken}`)).toBe(true);

  // Mark read: the count says so, the message is no longer marked unread; and back.
  await message.getByRole('button', { name: 'Mark read' }).click();
  await page().getByText('2 messages, 1 unread, newest first').waitFor();
  expect(await message.getAttribute('data-read')).toBe('yes');
  await message.getByRole('button', { name: 'Mark unread' }).click();
  await page().getByText('2 messages, 2 unread, newest first').waitFor();

  // Reply by text: queued, then sent by the sender from the number the voicemail came to.
  await message.getByRole('button', { name: 'Reply by text' }).click();
  const reply = message.getByRole('form', { name: `Reply to ${CALLER}` });
  await reply.getByLabel(`Text to ${CALLER} from ${NUMBER}`).fill('Thanks, I will call you back today.');
  await reply.getByRole('button', { name: 'Send' }).click();
  await message.getByRole('status').getByText(`Reply to ${CALLER} queued`).waitFor();
  await outboxSent(dashboard.stack);
  expect(fake.messages.filter((m) => m.to === CALLER).map((m) => ({ from: m.from, body: m.body }))).toEqual([{ from: NUMBER, body: 'Thanks, I will call you back today.' }]);

  // Delete: asks first, then it is gone here and at the carrier.
  await message.getByRole('button', { name: 'Delete' }).click();
  const dialog = page().getByRole('dialog', { name: 'Delete this message?' });
  await dialog.getByText('deleted here and at Twilio').waitFor();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page().getByText('1 message, 1 unread, newest first').waitFor();
  expect(await page().locator(`[data-message="${recordingSid}"]`).count()).toBe(0);
  expect(fake.deletedRecordings.has(recordingSid)).toBe(true);
});

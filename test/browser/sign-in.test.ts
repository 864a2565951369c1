/// <reference lib="dom" />
// Issue 21's "Checked by", in Chromium at a phone's width (390 px): with `--auth`, a member signs in with
// the password printed at start (the page's oidc-client-ts, code flow with PKCE, against the local OpenID
// provider), lands on "My calls" with her voicemails and texts newest first, marks herself away (and the
// next sequential dial skips her), plays a voicemail (fetched with her token), marks it read, answers a text
// and deletes one (after a confirm), and cannot publish a flow. No console error, nothing from outside.
// The Twilio-compatible server stands in for the carrier (recordings, deletes, the reply's send).
import { entries } from '../support/local-stack';
import { simulateCall } from '../../local/carrier';
import { DEMO_NUMBERS } from '../../local/seed';
import type { LocalStack } from '../../local/stack';
import { buildDashboardForTest } from '../../local/web-build';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { DynamoMessageStore } from '../../lambdas/store/message-store';
import { openBrowser, type Browser } from '../support/browser';
import { httpOk, outboxSent, startTestStack } from '../support/local-stack';

let stack: LocalStack;
let browser: Browser;
let ann: { id: string; phone: string };
let salesId: string;
let mainId: string;

beforeAll(async () => {
  stack = await startTestStack({ webDir: await buildDashboardForTest(), auth: true, fakeTwilio: true });
  browser = await openBrowser();
  await browser.page.setViewportSize({ width: 390, height: 844 });
  const users = (await httpOk(stack, 'GET', '/cli/api/users')).users as Array<{ id: string; email?: string; phone: string }>;
  ann = users.find((u) => u.email === 'ann@example.com')!;
  salesId = (await httpOk(stack, 'GET', '/cli/api/groups')).groups.find((g: { name: string }) => g.name === 'Sales').id;
  mainId = (await httpOk(stack, 'GET', '/cli/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line').id;
  // Something in her mailbox and in her group's, at three times, and something in Bob's that she must not see.
  const doc = createDynamoDb({ endpoint: stack.dynamoEndpoint });
  const messages = new DynamoMessageStore(doc, stack.tables.messages);
  await messages.storeVoicemail({
    recordingSid: `RE${'a'.repeat(32)}`, mailbox: `user#${ann.id}`, callSid: `CA${'a'.repeat(32)}`, from: '+15550107771', to: DEMO_NUMBERS.main,
    recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${stack.fakeTwilio!.accountSid}/Recordings/RE${'a'.repeat(32)}`,
    durationSeconds: 42, receivedAt: '2026-12-07T15:00:00.000Z',
  });
  await messages.attachTranscript(`RE${'a'.repeat(32)}`, 'Hi Ann, call me back about the order.');
  await messages.storeText(`group#${salesId}`, { id: `SM${'b'.repeat(32)}`, from: '+15550107772', to: DEMO_NUMBERS.main, body: 'Newest: a text to Sales', receivedAt: '2026-12-07T16:00:00.000Z' });
  await messages.storeText(`user#${ann.id}`, { id: `SM${'c'.repeat(32)}`, from: '+15550107773', to: DEMO_NUMBERS.main, body: 'Oldest: a text to Ann', receivedAt: '2026-12-07T14:00:00.000Z' });
  const bob = users.find((u) => u.email === 'bob@example.com')!;
  await messages.storeText(`user#${bob.id}`, { id: `SM${'d'.repeat(32)}`, from: '+15550107774', to: DEMO_NUMBERS.main, body: 'For Bob only', receivedAt: '2026-12-07T16:30:00.000Z' });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  expect(browser.errors.splice(0)).toEqual([]);
  expect(browser.outside.splice(0)).toEqual([]);
});

const page = () => browser.page;

it('a member signs in with the printed password and lands on My calls: her voicemails and texts and her group’s, newest first', async () => {
  await page().goto(`${stack.url}/`);
  await page().getByRole('button', { name: 'Sign in' }).click();
  // The provider's sign-in page (Cognito's managed login in AWS).
  await page().waitForURL(/\/signin\//);
  const password = stack.signIn!.passwords.find((p) => p.email === 'ann@example.com')!.password;
  await page().getByLabel('Email').fill('ann@example.com');
  await page().getByLabel('Password').fill(password);
  await page().getByRole('button', { name: 'Sign in' }).click();
  await page().getByRole('heading', { name: 'My calls' }).waitFor();
  expect(new URL(page().url()).hash).toBe('#/me');
  expect(new URL(page().url()).search).toBe(''); // the code left the address bar
  await page().getByText('ann@example.com · member').waitFor();

  const list = page().getByRole('list', { name: 'Your voicemails and texts' });
  await list.getByText('Oldest: a text to Ann').waitFor();
  const items = await list.locator(':scope > li').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-box')}: ${li.querySelector('.message')?.getAttribute('data-message')}`));
  expect(items).toEqual([`Sales: SM${'b'.repeat(32)}`, `You: RE${'a'.repeat(32)}`, `You: SM${'c'.repeat(32)}`]);
  await list.getByText('Hi Ann, call me back about the order.').waitFor();
  expect(await page().getByText('For Bob only').count()).toBe(0);
  // Members have no Mailboxes tab (others' mailboxes are not theirs to read); schedules and queues they may read.
  expect(await page().getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['My calls', 'Flows & numbers', 'Users & groups', 'Schedules', 'Queues']);
  // The report banner (a number without a flow; numbers the fake carrier sends elsewhere) tells a member who
  // can fix it, and offers neither the overview's fixes nor Connect to Twilio, which the API would refuse her.
  const banner = page().getByRole('alert', { name: 'Unassigned-number report' });
  await banner.getByText('An editor or admin can fix this').waitFor();
  expect(await banner.getByRole('link', { name: 'Fix on the overview' }).count()).toBe(0);
  expect(await banner.getByRole('button', { name: 'Connect to Twilio' }).count()).toBe(0);
  // Usable at 390 px: nothing wider than the screen.
  expect(await page().evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

it('on My calls she plays her voicemail, marks it read, answers her group’s text and deletes her own text (after a confirm)', async () => {
  const list = page().getByRole('list', { name: 'Your voicemails and texts' });
  const voicemail = list.locator(`li.message[data-message="RE${'a'.repeat(32)}"]`);
  // Played through /api/recordings with her token (an <audio src> could not send it): a blob the player loads.
  await voicemail.getByRole('button', { name: 'Play the voicemail from +15550107771' }).click();
  const audio = voicemail.locator('audio[aria-label="Voicemail from +15550107771"]');
  await audio.waitFor();
  expect(await audio.getAttribute('src')).toMatch(/^blob:/);
  expect(await audio.evaluate((a: HTMLAudioElement) => new Promise<number>((done) => (a.readyState >= 1 ? done(a.duration) : a.addEventListener('loadedmetadata', () => done(a.duration)))))).toBeGreaterThan(0);

  expect(await voicemail.getAttribute('data-read')).toBe('no');
  await voicemail.getByRole('button', { name: 'Mark read' }).click();
  await list.locator(`li.message[data-message="RE${'a'.repeat(32)}"][data-read="yes"]`).waitFor();
  expect((await httpOk(stack, 'GET', `/cli/api/mailboxes/user/${ann.id}/messages`)).messages.find((m: { id: string }) => m.id === `RE${'a'.repeat(32)}`).read).toBe(true);

  const salesText = list.locator(`li.message[data-message="SM${'b'.repeat(32)}"]`);
  await salesText.getByRole('button', { name: 'Reply by text' }).click();
  await salesText.getByLabel('Text to +15550107772 from').fill('Thanks, Ann here: calling you back.');
  await salesText.getByRole('button', { name: 'Send' }).click();
  await salesText.getByRole('status').filter({ hasText: 'Reply to +15550107772 queued' }).waitFor();
  // The sender sends it to the carrier from the number the text came to.
  await outboxSent(stack);
  expect(stack.fakeTwilio!.messages.filter((m) => m.to === '+15550107772').map((m) => ({ from: m.from, body: m.body }))).toEqual([{ from: DEMO_NUMBERS.main, body: 'Thanks, Ann here: calling you back.' }]);

  const ownText = list.locator(`li.message[data-message="SM${'c'.repeat(32)}"]`);
  await ownText.getByRole('button', { name: 'Delete' }).click();
  const dialog = page().getByRole('dialog', { name: 'Delete this message?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await ownText.waitFor({ state: 'detached' });
  expect((await httpOk(stack, 'GET', `/cli/api/mailboxes/user/${ann.id}/messages`)).messages.map((m: { id: string }) => m.id)).toEqual([`RE${'a'.repeat(32)}`]);
  expect(stack.fakeTwilio!.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/Messages/SM${'c'.repeat(32)}.json`))).toBe(true);
  expect(await page().evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

it('she marks herself away, and the next sequential dial of her group skips her', async () => {
  const toggle = page().getByRole('switch', { name: /Available/ });
  expect(await toggle.getAttribute('aria-checked')).toBe('true');
  await toggle.click();
  await page().getByRole('switch', { name: /Away/ }).waitFor();
  expect(await page().getByRole('switch').getAttribute('aria-checked')).toBe('false');
  expect((await httpOk(stack, 'GET', `/cli/api/users/${ann.id}`)).available).toBe(false);

  // Main line at 10:00 on a Monday in New York: open, menu 1 → Sales, sequential (Ann, Bob, Cy); nobody answers.
  const t = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: DEMO_NUMBERS.main, digits: ['1'], dial: ['no-answer', 'no-answer', 'no-answer'], at: '2026-12-07T15:00:00Z' });
  const rung = entries(t, 'dial').flatMap((d) => d.targets);
  expect(rung).toEqual(['+15550200002', '+15550200003']);
  expect(rung).not.toContain(ann.phone);
});

it('she can read a flow but not publish it', async () => {
  await page().goto(`${stack.url}/#/flows/${mainId}`);
  await page().getByRole('note').filter({ hasText: 'Read only: publishing a flow needs the editor or admin role.' }).waitFor();
  expect(await page().getByRole('button', { name: 'Publish' }).count()).toBe(0);
  expect(await page().getByRole('button', { name: /Delete flow/ }).count()).toBe(0);
  // The history says who published each revision, and offers her no restore.
  await httpOk(stack, 'POST', `/cli/api/flows/${mainId}/revisions/1/restore`);
  await page().reload();
  const latest = page().locator('#revisions tr[data-revision="2"]');
  await latest.getByText('by local:cli').waitFor();
  expect(await page().getByRole('button', { name: /Restore revision/ }).count()).toBe(0);
});

it('she sees whether a schedule is open, but is offered no override, edit or new schedule (editors’ work)', async () => {
  await page().goto(`${stack.url}/#/schedules`);
  const office = page().locator('li.schedule-card', { hasText: 'US office' });
  await office.getByRole('status').waitFor();
  expect(await office.getByRole('status').textContent()).toMatch(/Open|Closed/);
  for (const name of [/^Close /, /^Open /, 'Edit', 'Delete', 'New schedule']) expect(await page().getByRole('button', { name }).count()).toBe(0);
});

it('she signs out; an admin signs in and invites a person from Users & groups, who gets an account of their role', async () => {
  await page().getByRole('button', { name: 'Sign out' }).click();
  // The provider asks before ending its session (Cognito's /logout does not).
  await page().getByRole('button', { name: /sign me out/i }).click();
  await page().getByRole('button', { name: 'Sign in' }).waitFor();
  await page().getByRole('button', { name: 'Sign in' }).click();
  await page().waitForURL(/\/signin\//);
  await page().getByLabel('Email').fill('cy@example.com');
  await page().getByLabel('Password').fill(stack.signIn!.passwords.find((p) => p.email === 'cy@example.com')!.password);
  await page().getByRole('button', { name: 'Sign in' }).click();
  await page().getByText('cy@example.com · admin').waitFor();
  // An admin lands on the overview, and may publish.
  expect(new URL(page().url()).hash).toBe('');
  await page().goto(`${stack.url}/#/people`);
  const form = page().getByRole('form', { name: 'Invite a person' });
  await form.getByLabel('Name').fill('Dee Example');
  await form.getByLabel('Email').fill('dee@example.com');
  await form.getByLabel('Role').selectOption('editor');
  await form.getByRole('button', { name: 'Invite' }).click();
  await form.getByRole('status').filter({ hasText: 'Dee Example is invited as editor' }).waitFor();
  expect(stack.signIn!.accounts.find('dee@example.com')).toMatchObject({ name: 'Dee Example', role: 'editor' });
  expect((await httpOk(stack, 'GET', '/cli/api/users')).users.map((u: { email?: string }) => u.email)).toContain('dee@example.com');
});

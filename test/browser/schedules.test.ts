/// <reference lib="dom" />
// Schedules in the dashboard, in headless Chromium against the local stack (DESIGN.md sections 12 and 15,
// issue 22 item 3): a schedule made on the Schedules page (weekly time pickers, a "4th Thursday of
// November" rule) is what the API stores; a flow's hours pick it in the editor; the override toggle closes
// and clears it, on the flow's page too, and shows its state while active; a schedule in use cannot be
// deleted (the 409 in words); a user's role and PIN are set on the people page. No console error.
import type { LocalStack } from '../../local/stack';
import { buildDashboardForTest } from '../../local/web-build';
import { openBrowser, type Browser } from '../support/browser';
import { httpOk, startTestStack } from '../support/local-stack';

let stack: LocalStack;
let browser: Browser;
let mainId: string;

beforeAll(async () => {
  stack = await startTestStack({ webDir: await buildDashboardForTest() });
  browser = await openBrowser();
  mainId = (await httpOk(stack, 'GET', '/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line').id;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Errors the page shows on purpose (a 4xx it displays) are console noise in Chromium; anything else fails. */
let expected: RegExp[] = [];
afterEach(() => {
  const errors = browser.errors.splice(0).filter((e) => !expected.some((x) => x.test(e)));
  const outside = browser.outside.splice(0);
  expected = [];
  expect(errors).toEqual([]);
  expect(outside).toEqual([]);
});

const page = () => browser.page;
const open = async (hash: string) => {
  await page().goto('about:blank');
  await page().goto(`${stack.url}/${hash}`);
};
const schedulesNamed = async (name: string) => (await httpOk(stack, 'GET', '/api/schedules')).schedules.filter((s: { name: string }) => s.name === name);

async function unlabelledControls(): Promise<string[]> {
  return page().$$eval('input, select, textarea', (els) =>
    els
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

it('a schedule made on the Schedules page — weekly ranges and a "4th Thursday of November" rule — is the one the API stores', async () => {
  await open('#/schedules');
  await page().getByRole('button', { name: 'New schedule' }).click();
  const form = page().getByRole('form', { name: 'New schedule' });
  await form.getByLabel('Schedule name').fill('Head office');
  await form.getByLabel('Time zone').selectOption('America/New_York');
  // Friday closes early; Saturday opens in the morning.
  await form.getByLabel('Friday range 1 closes').fill('15:00');
  await form.getByRole('group', { name: 'Saturday' }).getByRole('button', { name: 'Add range' }).click();
  await form.getByLabel('Saturday range 1 opens').fill('10:00');
  await form.getByLabel('Saturday range 1 closes').fill('12:00');
  await form.getByRole('button', { name: 'Add rule' }).click();
  const rule = form.locator('.rule').first();
  await rule.getByLabel('Rule name').fill('Thanksgiving');
  await rule.getByLabel('Applies on', { exact: true }).selectOption('nth');
  await rule.getByLabel('Which', { exact: true }).selectOption('4');
  await rule.getByLabel('Weekday', { exact: true }).selectOption('thu');
  await rule.getByLabel('Of', { exact: true }).selectOption('11');
  expect(await rule.textContent()).toContain('4th Thursday of November: closed all day.');
  expect(await unlabelledControls()).toEqual([]);
  await form.getByRole('button', { name: 'Create schedule' }).click();
  await page().locator('.schedule-card', { hasText: 'Head office' }).waitFor();

  const [stored] = await schedulesNamed('Head office');
  expect(stored).toMatchObject({
    timezone: 'America/New_York',
    weekly: { mon: [['09:00', '17:00']], fri: [['09:00', '15:00']], sat: [['10:00', '12:00']], sun: [] },
    rules: [{ name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } }],
  });
  const card = page().locator(`.schedule-card[data-schedule="${stored.id}"]`);
  expect(await card.textContent()).toContain('Thanksgiving: 4th Thursday of November, closed all day');
});

it('a bad edit shows the API’s words on the field; a stale one says it changed elsewhere; nothing is saved', async () => {
  const schedule = await httpOk(stack, 'POST', '/api/schedules', { name: 'Edit me', timezone: 'Europe/London', weekly: { mon: [['09:00', '17:00']] } });
  await open('#/schedules');
  const card = page().locator(`.schedule-card[data-schedule="${schedule.id}"]`);
  await card.getByRole('button', { name: 'Edit' }).click();
  const form = page().getByRole('form', { name: 'Edit schedule Edit me' });
  await form.getByLabel('Monday range 1 opens').fill('18:00');
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await form.getByText(/closes before it opens/).first().waitFor();
  expect((await httpOk(stack, 'GET', `/api/schedules/${schedule.id}`)).weekly.mon).toEqual([['09:00', '17:00']]);
  // Someone else saves meanwhile: this editor's save names a stale version.
  await httpOk(stack, 'PUT', `/api/schedules/${schedule.id}`, { name: 'Edited elsewhere', timezone: 'Europe/London', weekly: { mon: [['08:00', '16:00']] } });
  await form.getByLabel('Monday range 1 opens').fill('08:30');
  await form.getByRole('button', { name: 'Save schedule' }).click();
  await form.getByText(/412 Changed elsewhere/).waitFor();
  expect((await httpOk(stack, 'GET', `/api/schedules/${schedule.id}`)).name).toBe('Edited elsewhere');
  expected = [/400 \(Bad Request\)/, /412 \(Precondition Failed\)/];
});

it('a flow’s hours pick a shared schedule in the editor; the flow page then shows its override toggle, which closes and clears it', async () => {
  const schedule = await httpOk(stack, 'POST', '/api/schedules', {
    name: 'Main office',
    timezone: 'America/New_York',
    weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
  });
  await open(`#/flows/${mainId}`);
  await page().locator('svg[aria-label="Call flow diagram"] g.node[data-applet="hours"]').click();
  const inspector = page().getByRole('region', { name: 'Applet hours' });
  await inspector.getByLabel('Hours from').selectOption(schedule.id);
  // The inline hours are gone from the form: the schedule says them.
  expect(await inspector.getByLabel('Time zone').count()).toBe(0);
  await page().getByRole('button', { name: 'Publish' }).click();
  await page().getByRole('status').getByText(/Published revision/).waitFor();
  const doc = await httpOk(stack, 'GET', `/api/flows/${mainId}`);
  expect(doc.call.applets.hours).toEqual({ type: 'hours', schedule: schedule.id, open: 'greet', closed: 'vm' });
  expect(await page().locator('svg[aria-label="Call flow diagram"] g.node[data-applet="hours"]').textContent()).toContain('schedule Main office');

  const panel = page().getByRole('region', { name: 'Schedules this flow uses' });
  const control = panel.locator(`.override[data-schedule="${schedule.id}"]`);
  await control.getByText('Open now by its hours').waitFor();
  expect(await unlabelledControls()).toEqual([]);
  await control.getByRole('button', { name: 'Close now' }).click();
  await control.getByText('Closed by override until cleared').waitFor();
  expect((await httpOk(stack, 'GET', `/api/schedules/${schedule.id}`)).override).toMatchObject({ state: 'closed', setBy: 'api' });
  // No new revision: the override is not an edit of the flow.
  expect((await httpOk(stack, 'GET', `/api/flows/${mainId}`)).currentRevision).toBe(doc.currentRevision);
  await control.getByRole('button', { name: 'Clear override' }).click();
  await control.getByText('Open now by its hours').waitFor();
  expect((await httpOk(stack, 'GET', `/api/schedules/${schedule.id}`)).override).toBeUndefined();

  // Closed until a time: the state says until when.
  await control.getByLabel('Until (optional) for Main office').fill('2099-01-01T14:00');
  await control.getByRole('button', { name: 'Close until then' }).click();
  await control.getByText(/Closed by override until Jan 1, 2099/).waitFor();
  expect((await httpOk(stack, 'GET', `/api/schedules/${schedule.id}`)).override).toMatchObject({ state: 'closed', until: '2099-01-01T14:00:00.000Z' });

  // In use: deleting it from the Schedules page is refused, in words naming the flow.
  await open('#/schedules');
  const card = page().locator(`.schedule-card[data-schedule="${schedule.id}"]`);
  expect(await card.textContent()).toContain('Used by Main line');
  await card.getByRole('button', { name: 'Delete' }).click();
  const dialog = page().getByRole('dialog', { name: 'Delete Main office?' });
  await dialog.getByRole('button', { name: 'Delete schedule' }).click();
  expect(await dialog.getByRole('alert').textContent()).toBe('The schedule Main office is used by Main line; change their hours first');
  expect((await httpOk(stack, 'GET', `/api/schedules/${schedule.id}`)).id).toBe(schedule.id);
  expected = [/409 \(Conflict\)/];
});

it('an editor’s role and override PIN are set on the people page; the PIN is never shown', async () => {
  const user = await httpOk(stack, 'POST', '/api/users', { name: 'Pat Editor', phone: '+15550188001' });
  await open('#/people');
  const row = page().locator(`tr[data-user="${user.id}"]`);
  await row.getByRole('button', { name: 'Edit' }).click();
  const form = page().getByRole('form', { name: 'Edit Pat Editor' });
  await form.getByLabel('Role').selectOption('editor');
  await form.getByRole('button', { name: 'Save' }).click();
  await row.getByRole('button', { name: 'Set PIN' }).click();
  await row.getByLabel('New PIN for Pat Editor').fill('12');
  await row.getByRole('button', { name: 'Set PIN' }).click();
  await row.getByText('must be 4 to 12 digits').waitFor();
  await row.getByLabel('New PIN for Pat Editor').fill('482913');
  await row.getByRole('button', { name: 'Set PIN' }).click();
  await row.getByRole('button', { name: 'Change PIN' }).waitFor();
  expect(await httpOk(stack, 'GET', `/api/users/${user.id}`)).toMatchObject({ role: 'editor', hasPin: true });
  expect(await page().content()).not.toContain('482913');
  expected = [/400 \(Bad Request\)/];
});

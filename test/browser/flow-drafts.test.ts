/// <reference lib="dom" />
// Edits are never lost (issue 20 item 1, "Checked by": an edit survives going to another page and back,
// and a reload): the editor keeps its unpublished changes on the server as a draft, offers them back when
// the flow page opens (in this browser or another), asks before leaving with changes, and lets a user or
// group be created in a dialog over the editor without leaving it.
import { openBrowser } from '../support/browser';
import { useDashboard } from '../support/dashboard';
import { http, httpOk } from '../support/local-stack';

const dashboard = useDashboard();

afterEach(() => {
  dashboard.browser.dialogs.splice(0);
});

const page = () => dashboard.page;
const open = async (hash: string) => {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/${hash}`);
};
const newFlow = async (name: string) =>
  (await httpOk(dashboard.stack, 'POST', '/api/flows', { name, call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'Hello.' }, next: 'bye' }, bye: { type: 'hangup' } } } })).id as string;
const draftOf = (id: string) => http(dashboard.stack, 'GET', `/api/flows/${id}/draft`);
/** Waits (up to 5 s) for something the page does after an answer the test does not see. */
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still not true after 5 s: ${check.toString()}`);
}
const savedDraft = () => page().getByRole('status').getByText(/draft saved/).waitFor();

it('an edit survives going to another page and back: leaving asks first, and the flow page restores it, saying from when', async () => {
  const id = await newFlow('Front desk');
  await open(`#/flows/${id}`);
  await page().getByLabel('Flow name').fill('Front desk (after hours)');
  await savedDraft();
  expect((await draftOf(id)).body).toMatchObject({ document: { name: 'Front desk (after hours)' }, baseRevision: 1 });

  // In-app navigation asks, and staying keeps the page as it was.
  await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailboxes' }).click();
  const ask = page().getByRole('dialog', { name: 'Leave this page?' });
  await ask.waitFor();
  expect(await ask.textContent()).toContain('Front desk (after hours) has unpublished changes');
  await ask.getByRole('button', { name: 'Stay on this page' }).click();
  expect(await page().getByLabel('Flow name').inputValue()).toBe('Front desk (after hours)');
  expect(new URL(page().url()).hash).toBe(`#/flows/${id}`);

  await page().getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailboxes' }).click();
  await ask.getByRole('button', { name: 'Leave' }).click();
  await page().getByRole('navigation', { name: 'Mailboxes' }).waitFor();
  await page().goBack();
  await page().getByLabel('Flow name').waitFor();
  const note = page().getByRole('status').filter({ hasText: 'Unpublished changes from' });
  await note.waitFor();
  expect(await note.textContent()).toMatch(/Unpublished changes from \d{1,2}:\d{2}( [AP]M)? restored\./);
  expect(await page().getByLabel('Flow name').inputValue()).toBe('Front desk (after hours)');
  // Nothing was published meanwhile.
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${id}`)).name).toBe('Front desk');
});

it('an edit survives a reload (the browser asks first) and another browser; discarding it drops the stored draft', async () => {
  const id = await newFlow('Sales desk');
  await open(`#/flows/${id}`);
  await page().locator('g.node[data-applet="greet"]').click();
  const form = page().getByRole('region', { name: 'Applet greet' });
  await form.getByRole('textbox', { name: 'Text' }).fill('Hello from the draft.');
  // Reloaded before the draft's save is due: it is sent as the page goes.
  await page().getByLabel('Flow name').click();
  await page().reload();
  expect(dashboard.browser.dialogs).toContain('beforeunload');
  await page().getByRole('status').filter({ hasText: 'Unpublished changes from' }).waitFor();
  await page().locator('g.node[data-applet="greet"]').click();
  expect(await page().getByRole('region', { name: 'Applet greet' }).getByRole('textbox', { name: 'Text' }).inputValue()).toBe('Hello from the draft.');

  const other = await openBrowser();
  try {
    await other.page.goto(`${dashboard.stack.url}/#/flows/${id}`);
    await other.page.getByRole('status').filter({ hasText: 'Unpublished changes from' }).waitFor();
    await other.page.locator('g.node[data-applet="greet"]').click();
    expect(await other.page.getByRole('region', { name: 'Applet greet' }).getByRole('textbox', { name: 'Text' }).inputValue()).toBe('Hello from the draft.');
    expect(other.errors).toEqual([]);
  } finally {
    await other.close();
  }

  await page().getByRole('button', { name: 'Discard them' }).click();
  await page().getByRole('status').getByText('Published', { exact: true }).waitFor();
  await until(async () => (await draftOf(id)).status === 204);
  await open(`#/flows/${id}`);
  await page().getByLabel('Flow name').waitFor();
  expect(await page().getByText('Unpublished changes from').count()).toBe(0);
});

it('publishing the changes removes the stored draft; a draft made on an older revision publishes over the newer one only when asked', async () => {
  const id = await newFlow('Support desk');
  await open(`#/flows/${id}`);
  await page().getByLabel('Flow name').fill('Support desk 2');
  await savedDraft();
  await page().getByRole('button', { name: 'Publish' }).click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  await until(async () => (await draftOf(id)).status === 204);

  // Someone else publishes revision 3 while a draft of revision 2 waits.
  await page().getByLabel('Flow name').fill('Support desk (mine)');
  await savedDraft();
  const current = await httpOk(dashboard.stack, 'GET', `/api/flows/${id}`);
  await httpOk(dashboard.stack, 'PUT', `/api/flows/${id}`, { name: 'Support desk (theirs)', call: current.call }, { 'if-match': '2' });
  await open(`#/flows/${id}`);
  const note = page().getByRole('status').filter({ hasText: 'Unpublished changes from' });
  await note.waitFor();
  expect(await note.textContent()).toContain('made on revision 2; revision 3 was published since');
  await page().getByRole('button', { name: 'Publish' }).click();
  const alert = page().locator('.publish-error [role="alert"]');
  await alert.waitFor();
  await alert.getByRole('button', { name: 'Publish mine over it' }).click();
  await page().getByRole('status').getByText('Published revision 4').waitFor();
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${id}`)).name).toBe('Support desk (mine)');
  dashboard.browser.errors.splice(0).forEach((e) => expect(e).toMatch(/412 \(Precondition Failed\)/));
});

it('a user and a group are created from inside the editor, in a dialog, and picked where it was opened; the edits made before stay', async () => {
  const id = await newFlow('Two people');
  await open(`#/flows/${id}`);
  await page().getByLabel('Flow name').fill('Two people (edited)');
  await page().getByRole('region', { name: 'Palette' }).getByRole('button', { name: 'Dial', exact: true }).click();
  const dial = page().getByRole('region', { name: 'Applet dial' });
  await dial.waitFor();
  const add = dial.getByLabel('Add to ring');
  await add.focus();
  await add.selectOption({ label: '+ New user…' });
  const dialog = page().getByRole('dialog', { name: 'New user' });
  await dialog.waitFor();
  // Focus lands on the dialog's first field.
  expect(await page().evaluate(() => document.activeElement?.id)).toBe('new-person-name');
  await dialog.getByLabel('Name').fill('Dana Example');
  await dialog.getByLabel('Mobile').fill('555');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  // The API's 400 is shown on the field it names, and nothing is created.
  await dialog.locator('.field-invalid').getByText(/E\.164/).waitFor();
  await dialog.getByLabel('Mobile').fill('+1 555 020 0099');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await dialog.waitFor({ state: 'detached' });
  const dana = (await httpOk(dashboard.stack, 'GET', '/api/users')).users.find((u: { name: string }) => u.name === 'Dana Example');
  expect(dana.phone).toBe('+15550200099');
  const list = dial.getByRole('list', { name: 'Ring, in this order' });
  await list.locator(`li[data-target="user:${dana.id}"]`).waitFor();
  // Focus goes back where it was.
  expect(await page().evaluate(() => document.activeElement?.closest('.field')?.querySelector('label')?.textContent)).toBe('Add to ring');
  expect(await page().locator('g.node[data-applet="dial"]').textContent()).toContain('Dana Example');

  await add.selectOption({ label: '+ New group…' });
  const groupDialog = page().getByRole('dialog', { name: 'New group' });
  await groupDialog.getByLabel('Name').fill('Night shift');
  await groupDialog.getByLabel('Dana Example').check();
  await groupDialog.getByRole('button', { name: 'Create group' }).click();
  await groupDialog.waitFor({ state: 'detached' });
  const night = (await httpOk(dashboard.stack, 'GET', '/api/groups')).groups.find((g: { name: string }) => g.name === 'Night shift');
  expect(night.members).toEqual([dana.id]);
  await list.locator(`li[data-target="group:${night.id}"]`).waitFor();
  // Never left the editor: the edits made before are all still here, unpublished.
  expect(new URL(page().url()).hash).toBe(`#/flows/${id}`);
  expect(await page().getByLabel('Flow name').inputValue()).toBe('Two people (edited)');
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${id}`)).revision).toBe(1);
  dashboard.browser.errors.splice(0).forEach((e) => expect(e).toMatch(/400 \(Bad Request\)/));
});

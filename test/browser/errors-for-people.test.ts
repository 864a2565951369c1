/// <reference lib="dom" />
// Errors written for people (issue 20 item 6): names, not ids; an action where one exists; no API flag or
// status code in the text; a 422 banner that clears once the problem is fixed; destructive actions confirm
// and say what they affect; a number's flow picker changes nothing until the choice is confirmed.
import { useDashboard } from '../support/dashboard';
import { httpOk } from '../support/local-stack';

const dashboard = useDashboard();

const page = () => dashboard.page;
const open = async (hash: string) => {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/${hash}`);
};
/** What a person reads must not carry a status code, an id or an API flag. */
const noMachineTalk = (text: string | null) => {
  expect(text).not.toMatch(/\b(400|404|409|412|422)\b/);
  expect(text).not.toMatch(/\b(usr|grp|flw)_[0-9a-f]+/);
  expect(text).not.toMatch(/\?unassign|=true/);
};

it('a 422 banner lists what to fix, by name, and clears as soon as it is fixed, before any publish', async () => {
  dashboard.expectErrors(/422 \(Unprocessable/);
  const ghost = await httpOk(dashboard.stack, 'POST', '/api/users', { name: 'Gus Nophone' });
  const flow = await httpOk(dashboard.stack, 'POST', '/api/flows', {
    name: 'Banner',
    call: { start: 'ring', applets: { ring: { type: 'dial', user: ghost.id, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
  });
  await open(`#/flows/${flow.id}`);
  // A warning worded with the user's name, not their id.
  const problems = page().getByRole('list', { name: 'Problems' });
  await problems.getByText(/Gus Nophone/).waitFor();
  noMachineTalk(await problems.textContent());
  await page().locator('g.node[data-applet="ring"]').click();
  await page().getByRole('region', { name: 'Applet ring' }).getByLabel('When nobody answers').selectOption('');
  await page().getByRole('status').getByText(/1 error/).waitFor();
  await page().getByRole('button', { name: 'Publish' }).click();
  const banner = page().locator('.publish-error [role="alert"]');
  await banner.waitFor();
  expect(await banner.textContent()).toMatch(/^Not published: one problem needs fixing first\..*ring.*noAnswer/);
  noMachineTalk(await banner.textContent());
  await page().getByRole('region', { name: 'Applet ring' }).getByLabel('When nobody answers').selectOption('bye');
  await banner.waitFor({ state: 'detached' });
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${flow.id}`)).revision).toBe(1);
});

it('deleting a flow its numbers use offers to move them to another flow, names them, and does it', async () => {
  const keep = await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Keeper', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
  const gone = await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Old routing', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
  await httpOk(dashboard.stack, 'PUT', '/api/numbers/%2B15550100061', { name: 'Front desk', flowId: gone.id });
  await httpOk(dashboard.stack, 'PUT', '/api/numbers/%2B15550100062', { name: 'Back office', flowId: gone.id });
  await open(`#/flows/${gone.id}`);
  await page().getByRole('button', { name: 'Delete flow…' }).click();
  const dialog = page().getByRole('dialog', { name: 'Delete Old routing?' });
  await dialog.getByText('It answers 2 numbers:').waitFor();
  expect((await dialog.locator('.affected li').allTextContents()).sort()).toEqual(['Back office +15550100062', 'Front desk +15550100061']);
  await dialog.getByLabel('Flow to move them to').selectOption({ label: 'Keeper' });
  noMachineTalk(await dialog.textContent());
  await dialog.getByRole('button', { name: 'Move 2 numbers and delete' }).click();
  await page().locator('#flows-table').waitFor();
  for (const n of ['%2B15550100061', '%2B15550100062']) expect((await httpOk(dashboard.stack, 'GET', `/api/numbers/${n}`)).flowId).toBe(keep.id);
  expect((await httpOk(dashboard.stack, 'GET', '/api/flows')).flows.some((f: { id: string }) => f.id === gone.id)).toBe(false);
});

it('deleting a user confirms first; while a flow rings them the refusal names that flow, with a link, and nothing is deleted', async () => {
  dashboard.expectErrors(/409 \(Conflict\)/);
  const zoe = await httpOk(dashboard.stack, 'POST', '/api/users', { name: 'Zoe Busy', phone: '+15550200077' });
  const flow = await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Zoe line', call: { start: 'ring', applets: { ring: { type: 'dial', user: zoe.id, noAnswer: 'bye' }, bye: { type: 'hangup' } } } });
  await open('#/people');
  await page().locator(`tr[data-user="${zoe.id}"]`).getByRole('button', { name: 'Delete' }).click();
  const dialog = page().getByRole('dialog', { name: 'Delete Zoe Busy?' });
  await dialog.getByText('Zoe Busy is removed for good').waitFor();
  await dialog.getByRole('button', { name: 'Delete Zoe Busy' }).click();
  const refusal = dialog.getByRole('alert');
  await refusal.waitFor();
  expect(await refusal.textContent()).toContain('Zoe Busy is still in use, so nothing was deleted');
  expect(await refusal.getByRole('link', { name: 'Zoe line' }).getAttribute('href')).toBe(`#/flows/${flow.id}`);
  noMachineTalk(await refusal.textContent());
  expect((await httpOk(dashboard.stack, 'GET', `/api/users/${zoe.id}`)).name).toBe('Zoe Busy');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Not used: deleted after the confirmation.
  const ivy = await httpOk(dashboard.stack, 'POST', '/api/users', { name: 'Ivy Idle' });
  await open('#/people');
  await page().locator(`tr[data-user="${ivy.id}"]`).getByRole('button', { name: 'Delete' }).click();
  await page().getByRole('dialog', { name: 'Delete Ivy Idle?' }).getByRole('button', { name: 'Delete Ivy Idle' }).click();
  await page().locator(`tr[data-user="${ivy.id}"]`).waitFor({ state: 'detached' });
});

it("a number's flow picker changes nothing until confirmed: arrow keys and a pick wait for Enter or Save; Escape and Cancel go back", async () => {
  const flow = await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Picker target', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
  await httpOk(dashboard.stack, 'PUT', '/api/numbers/%2B15550100064', { name: 'Live line' });
  await open('#/');
  const row = page().locator('#numbers-table tr[data-number="+15550100064"]');
  const picker = row.getByLabel('Flow for Live line (+15550100064)');
  await picker.focus();
  await page().keyboard.press('ArrowDown');
  await row.getByRole('button', { name: 'Save' }).waitFor();
  expect((await httpOk(dashboard.stack, 'GET', '/api/numbers/%2B15550100064')).flowId).toBeNull();
  await page().keyboard.press('Escape');
  await row.getByRole('button', { name: 'Save' }).waitFor({ state: 'detached' });
  expect(await picker.inputValue()).toBe('');

  await picker.selectOption({ label: 'Picker target' });
  expect(await row.textContent()).toContain('Calls and texts to Live line will go to Picker target.');
  await row.getByRole('button', { name: 'Cancel' }).click();
  expect((await httpOk(dashboard.stack, 'GET', '/api/numbers/%2B15550100064')).flowId).toBeNull();

  await picker.selectOption({ label: 'Picker target' });
  await picker.press('Enter');
  await page().locator('#numbers-table tr[data-number="+15550100064"][data-status="no_sms_flow"]').waitFor();
  expect((await httpOk(dashboard.stack, 'GET', '/api/numbers/%2B15550100064')).flowId).toBe(flow.id);
});

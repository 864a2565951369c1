/// <reference lib="dom" />
// Several people in one dial (issue 20 item 2, "Checked by": a dial rings two users picked in its form):
// the dial's form is a list of users, groups and numbers; what is picked is published as `targets` and a
// call through the voice webhook rings both in one <Dial>; a single-target dial opens and saves unchanged.
import { simulateCall } from '../../local/carrier';
import { useDashboard } from '../support/dashboard';
import { entries, httpOk } from '../support/local-stack';

let people: Record<string, { id: string; phone: string; client?: string }>;

const dashboard = useDashboard();

beforeAll(async () => {
  people = Object.fromEntries((await httpOk(dashboard.stack, 'GET', '/api/users')).users.map((u: { name: string }) => [u.name, u]));
});

const page = () => dashboard.page;
const open = async (hash: string) => {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/${hash}`);
};
const node = (id: string) => page().locator(`svg[aria-label="Call flow diagram"] g.node[data-applet="${id}"]`);

it('a dial rings two users picked in its form: published as targets, and a call rings both at once', async () => {
  const flow = await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Two at once', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
  await open(`#/flows/${flow.id}`);
  await page().getByRole('region', { name: 'Palette' }).getByRole('button', { name: 'Dial', exact: true }).click();
  const form = page().getByRole('region', { name: 'Applet dial' });
  const list = form.getByRole('list', { name: 'Ring, in this order' });
  // A new dial rings the first group; replace it with two people.
  await list.getByRole('button', { name: /^Remove / }).click();
  await form.getByText('Nobody yet').waitFor();
  await form.getByLabel('Add to ring').selectOption({ label: 'Bob Example' });
  await form.getByLabel('Add to ring').selectOption({ label: 'Ann Example' });
  await form.getByRole('button', { name: 'Move Ann Example up' }).click();
  expect(await list.locator('li .target-name').allTextContents()).toEqual(['Ann Example', 'Bob Example']);
  // Already listed: not offered again.
  expect(await form.getByLabel('Add to ring').locator('option').allTextContents()).not.toContain('Ann Example');
  await form.getByLabel('When nobody answers').selectOption('bye');
  await form.getByRole('button', { name: 'Make it the start' }).click();
  // The node shows who it rings (cut to fit), and says it all on hover and to a screen reader.
  expect(await node('dial').locator('.node-settings').textContent()).toMatch(/^Ann Example, Bob Example/);
  expect(await node('dial').getAttribute('aria-label')).toContain('rings Ann Example, Bob Example · simultaneous');
  await page().getByRole('button', { name: 'Publish' }).click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();

  const saved = (await httpOk(dashboard.stack, 'GET', `/api/flows/${flow.id}`)).call.applets.dial;
  expect(saved.targets).toEqual([{ user: people['Ann Example'].id }, { user: people['Bob Example'].id }]);
  expect(saved.user).toBeUndefined();

  await httpOk(dashboard.stack, 'PUT', '/api/numbers/%2B15550100071', { name: 'Two at once line', flowId: flow.id });
  const call = await simulateCall({ baseUrl: dashboard.stack.url, authToken: dashboard.stack.authToken, to: '+15550100071', from: '+15550109991', dial: ['no-answer'] });
  const dials = entries(call, 'dial');
  expect(dials).toHaveLength(1);
  expect(dials[0].targets).toEqual(['client ann', people['Ann Example'].phone, people['Bob Example'].phone]);
  // The check of the dial emptied on the way answered 400 (the schema's "exactly one of"): shown as words on the field.
  dashboard.browser.errors.splice(0).forEach((e) => expect(e).toMatch(/400 \(Bad Request\)/));
});

it('rung in order: the strategy is offered once the list has several entries, and a call rings them one after the other', async () => {
  const flow = await httpOk(dashboard.stack, 'POST', '/api/flows', {
    name: 'One after the other',
    call: { start: 'ring', applets: { ring: { type: 'dial', user: people['Bob Example'].id, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
  });
  await open(`#/flows/${flow.id}`);
  await node('ring').click();
  const form = page().getByRole('region', { name: 'Applet ring' });
  expect(await form.getByLabel('Ring strategy').count()).toBe(0);
  await form.getByLabel('Add to ring').selectOption({ label: 'A phone number…' });
  await form.getByLabel('Phone number to ring').fill('555 0100');
  await form.getByRole('button', { name: 'Add number' }).click();
  await form.getByText('Use the international format').waitFor();
  await form.getByLabel('Phone number to ring').fill('+1 (555) 030-0001');
  await form.getByRole('button', { name: 'Add number' }).click();
  await form.getByRole('list', { name: 'Ring, in this order' }).locator('li[data-target="number:+15550300001"]').waitFor();
  await form.getByLabel('Ring strategy').selectOption('sequential');
  await page().getByRole('button', { name: 'Publish' }).click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${flow.id}`)).call.applets.ring).toMatchObject({ targets: [{ user: people['Bob Example'].id }, { number: '+15550300001' }], strategy: 'sequential' });

  await httpOk(dashboard.stack, 'PUT', '/api/numbers/%2B15550100072', { name: 'In order line', flowId: flow.id });
  const call = await simulateCall({ baseUrl: dashboard.stack.url, authToken: dashboard.stack.authToken, to: '+15550100072', from: '+15550109992', dial: ['no-answer', 'no-answer'] });
  expect(entries(call, 'dial').map((d) => d.targets)).toEqual([[people['Bob Example'].phone], ['+15550300001']]);
});

it('a single-target dial opens unchanged: nothing to publish until something is changed, and removing all says what is missing', async () => {
  const main = (await httpOk(dashboard.stack, 'GET', '/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line');
  const before = await httpOk(dashboard.stack, 'GET', `/api/flows/${main.id}`);
  await open(`#/flows/${main.id}`);
  await node('sales').click();
  const form = page().getByRole('region', { name: 'Applet sales' });
  expect(await form.getByRole('list', { name: 'Ring, in this order' }).locator('li .target-name').allTextContents()).toEqual(['Sales (group)']);
  expect(await form.getByLabel('Ring strategy').inputValue()).toBe('sequential');
  expect(await page().getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
  await form.getByRole('button', { name: 'Remove Sales (group)' }).click();
  await form.locator('.dial-targets .field-error').getByText('Add at least one person, group or phone number to ring.').waitFor();
  await page().getByRole('button', { name: 'Discard changes' }).click();
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${main.id}`)).revision).toBe(before.revision);
  // The check of the emptied dial answered 400 (the schema's "exactly one of"): shown as words on the field.
  dashboard.browser.errors.splice(0).forEach((e) => expect(e).toMatch(/400 \(Bad Request\)/));
});

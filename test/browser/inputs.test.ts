/// <reference lib="dom" />
// Inputs that cannot be silently wrong (issue 20 item 5, "Checked by": `9-5` in an hours field shows an
// error and blocks Publish): hours as time pickers per day and range, closed days with a date picker, voice
// and language as pickers of the pairs Twilio accepts, the simulator's time in the flow's zone, the diff of
// two revisions setting by setting, and an applet's label on the diagram.
import { useDashboard } from '../support/dashboard';
import { httpOk } from '../support/local-stack';

const dashboard = useDashboard();

const page = () => dashboard.page;
const open = async (hash: string) => {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/${hash}`);
};
const node = (id: string) => page().locator(`svg[aria-label="Call flow diagram"] g.node[data-applet="${id}"]`);
const publish = () => page().getByRole('button', { name: 'Publish' });
const hoursFlow = () =>
  httpOk(dashboard.stack, 'POST', '/api/flows', {
    name: 'Office hours',
    call: {
      start: 'hours',
      applets: {
        hours: { type: 'hours', timezone: 'Europe/Paris', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '12:00'], ['13:00', '17:00']] }, open: 'bye', closed: 'bye' },
        bye: { type: 'hangup' },
      },
    },
  });

it('`9-5` typed in an hours field shows an error on that field and blocks Publish until it is a time', async () => {
  dashboard.expectErrors(/400 \(Bad Request\)/);
  const flow = await hoursFlow();
  await open(`#/flows/${flow.id}`);
  await node('hours').click();
  const form = page().getByRole('region', { name: 'Applet hours' });
  const monday = form.getByRole('group', { name: 'Monday' });
  const opens = monday.getByLabel('Monday range 1 opens');
  expect(await opens.inputValue()).toBe('09:00');
  await opens.fill('');
  await opens.focus();
  await page().keyboard.type('9-5');
  const error = monday.locator('.field-error');
  await error.getByText(/Enter a full time/).waitFor();
  expect(await opens.getAttribute('aria-invalid')).toBe('true');
  await page().getByRole('status').getByText('1 entry to fix before publishing').waitFor();
  expect(await publish().isDisabled()).toBe(true);

  await opens.fill('08:30');
  await error.waitFor({ state: 'detached' });
  await page().getByRole('status').getByText(/^Unpublished changes/).waitFor();
  await page().waitForFunction(() => !(document.querySelector('.editor-actions .btn-primary') as HTMLButtonElement).disabled);
  // Ranges: one added on Saturday, Tuesday's second removed, a closing at midnight.
  await form.getByRole('button', { name: 'Add hours on Saturday' }).click();
  await form.getByLabel('Saturday range 1 closes').fill('00:00');
  await form.getByRole('button', { name: 'Remove Tuesday range 2' }).click();
  await publish().click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${flow.id}`)).call.applets.hours.weekly).toMatchObject({
    mon: [['08:30', '17:00']], tue: [['09:00', '12:00']], sat: [['09:00', '24:00']], sun: [],
  });
});

it('a range that closes before it opens says so on the range; closed days come from a date picker, once or every year', async () => {
  const flow = await hoursFlow();
  await open(`#/flows/${flow.id}`);
  await node('hours').click();
  const form = page().getByRole('region', { name: 'Applet hours' });
  await form.getByLabel('Monday range 1 closes').fill('08:00');
  await form.getByRole('group', { name: 'Monday' }).getByText(/Closes before it opens/).waitFor();
  await form.getByLabel('Monday range 1 closes').fill('18:00');
  await form.getByRole('button', { name: 'Add a closed day' }).click();
  await form.getByLabel('Closed day 1 date').fill('2026-12-25');
  await form.getByLabel('Closed day 1 name').fill('Christmas');
  await form.getByLabel('Every year').check();
  await form.getByRole('button', { name: 'Add a closed day' }).click();
  await form.getByLabel('Closed day 2 date').fill('2027-01-02');
  await publish().click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${flow.id}`)).call.applets.hours.closures).toEqual([{ date: '--12-25', name: 'Christmas' }, { date: '2027-01-02' }]);
});

it('voice and language are picked as pairs Twilio accepts; a stored pair it refuses is shown on the field and blocks Publish', async () => {
  dashboard.expectErrors(/400 \(Bad Request\)/);
  const flow = await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Voices', call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'Hello.' }, next: 'bye' }, bye: { type: 'hangup' } } } });
  await open(`#/flows/${flow.id}`);
  await node('greet').click();
  const form = page().getByRole('region', { name: 'Applet greet' });
  await form.getByLabel('Language').selectOption('en-GB');
  const voices = await form.getByLabel('Voice').locator('option').allTextContents();
  expect(voices).toContain('Amy-Neural');
  expect(voices).not.toContain('Joanna-Neural');
  await form.getByLabel('Voice').selectOption('Polly.Amy-Neural');
  // Another language drops a voice that cannot speak it.
  await form.getByLabel('Language').selectOption('fr-FR');
  expect(await form.getByLabel('Voice').inputValue()).toBe('');
  await form.getByLabel('Language').selectOption('en-GB');
  await form.getByLabel('Voice').selectOption('Polly.Amy-Neural');
  await publish().click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  expect((await httpOk(dashboard.stack, 'GET', `/api/flows/${flow.id}`)).call.applets.greet.prompt).toEqual({ text: 'Hello.', voice: 'Polly.Amy-Neural', language: 'en-GB' });

  // A pair Twilio refuses, from the JSON view: the Voice field says why, and Publish waits.
  await page().getByRole('tab', { name: 'JSON' }).click();
  const text = page().getByLabel('The flow document (JSON)');
  const doc = JSON.parse(await text.inputValue());
  doc.call.applets.greet.prompt.language = 'en-US';
  await text.fill(JSON.stringify(doc));
  await page().getByRole('button', { name: 'Apply to the draft' }).click();
  await page().getByRole('tab', { name: 'Diagram' }).click();
  await node('greet').click();
  await page().getByRole('region', { name: 'Applet greet' }).getByText(/Polly\.Amy-Neural does not speak .*en-US/).waitFor();
  await page().getByRole('status').getByText(/to fix before publishing/).waitFor();
  expect(await publish().isDisabled()).toBe(true);
});

it('the revision diff lists each changed setting with its value before and after; a label shows on the diagram', async () => {
  const flow = await hoursFlow();
  await open(`#/flows/${flow.id}`);
  await node('hours').click();
  const form = page().getByRole('region', { name: 'Applet hours' });
  await form.getByLabel('Label (shown on the diagram)').fill('Office open?');
  await form.getByLabel('Monday range 1 opens').fill('10:00');
  await node('hours').locator('.node-label').getByText('Office open?').waitFor();
  await publish().click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  await page().getByLabel('Compare revision').selectOption('1');
  await page().getByLabel('with').selectOption('2');
  await page().getByRole('button', { name: 'Show changes' }).click();
  const table = page().getByRole('table', { name: 'Settings of hours that changed' });
  await table.waitFor();
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
  expect(rows).toEqual([
    // In the document's order: the hours schema writes its own fields first, the label with the branches.
    ['weekly › mon › #1', '09:00, 17:00', '10:00, 17:00'],
    ['label', '—', '“Office open?”'],
  ]);
});

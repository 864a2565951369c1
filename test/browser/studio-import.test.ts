/// <reference lib="dom" />
// "Import from Studio" in the dashboard's new-flow dialog (DESIGN.md section 18), in headless Chromium against
// the local stack with its Twilio-compatible server (the demo Studio flow on its own number): a pasted
// definition is checked and its report shown, a flow with checker errors cannot be created, one without is;
// picked from the account, the flow takes over the Studio flow's number. No console error, no request out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeTwilio } from '../../local/fake-twilio';
import { DEMO_STUDIO_DEFINITION, DEMO_STUDIO_FLOW_NAME, DEMO_STUDIO_NUMBER } from '../../local/studio-demo';
import { useDashboard } from '../support/dashboard';
import { httpOk } from '../support/local-stack';

let fake: FakeTwilio;
let salesId: string;

const dashboard = useDashboard({ fakeTwilio: true });

beforeAll(async () => {
  fake = dashboard.stack.fakeTwilio!;
  salesId = (await httpOk(dashboard.stack, 'GET', '/api/groups')).groups.find((g: { name: string }) => g.name === 'Sales').id;
});

const page = () => dashboard.page;

async function openImport() {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/#/`);
  await page().getByRole('button', { name: 'New flow' }).click();
  await page().getByRole('dialog').getByRole('button', { name: 'Import from Studio' }).click();
  return page().getByRole('dialog', { name: 'New flow: import from Studio' });
}

it('a pasted definition: its report and the checker’s errors are shown, and it cannot be created until it has none', async () => {
  const dialog = await openImport();
  const ivr = readFileSync(join(__dirname, '..', 'fixtures', 'studio', 'ivr-builder-basic.json'), 'utf8');
  await dialog.getByLabel('Flow definition (Studio: the flow’s menu, “Export to JSON”)').fill(ivr);
  await dialog.getByRole('button', { name: 'Check import' }).click();
  const report = dialog.getByRole('region', { name: 'Import report' });
  await report.waitFor();
  await expect(report.locator('#studio-report tbody tr').count()).resolves.toBe(10);
  await expect(report.locator('tr[data-widget="voice_confirmation"]').textContent()).resolves.toMatch(/Not imported: its text is a Liquid template.*A hang-up stands in its place/);
  await expect(report.locator('tr[data-widget="voice_greeting"]').textContent()).resolves.toContain('Say “voice_greeting”');
  await expect(report.textContent()).resolves.toMatch(/1 error to fix before it can be created/);
  await expect(dialog.getByRole('button', { name: 'Create flow' }).isDisabled()).resolves.toBe(true);

  const before = (await httpOk(dashboard.stack, 'GET', '/api/flows')).flows.length;
  await dialog.getByLabel('Flow definition (Studio: the flow’s menu, “Export to JSON”)').fill(JSON.stringify(DEMO_STUDIO_DEFINITION));
  await dialog.getByLabel('Voicemails go to').selectOption(`group:${salesId}`);
  await dialog.getByRole('button', { name: 'Check import' }).click();
  await expect(dialog.getByRole('region', { name: 'Import report' }).textContent()).resolves.toContain('Ready to create.');
  await dialog.getByRole('button', { name: 'Create flow' }).click();
  await page().waitForURL(/#\/flows\/flw_/);
  const id = decodeURIComponent(new URL(page().url()).hash.split('/').pop()!);
  const flow = await httpOk(dashboard.stack, 'GET', `/api/flows/${id}`);
  expect(flow).toMatchObject({ name: 'Acme front desk', revision: 1, call: { applets: { voicemail_prompt: { type: 'voicemail', mailbox: { group: salesId } } } } });
  expect((await httpOk(dashboard.stack, 'GET', '/api/flows')).flows.length).toBe(before + 1);
});

it('text that is not JSON is named, and nothing is sent', async () => {
  const dialog = await openImport();
  await dialog.getByLabel('Flow definition (Studio: the flow’s menu, “Export to JSON”)').fill('{ "states": ');
  await dialog.getByRole('button', { name: 'Check import' }).click();
  await expect(dialog.getByRole('alert').textContent()).resolves.toContain('The pasted text is not JSON');
});

it('picked from the Twilio account: the flow is created and takes over the number its Studio flow answered', async () => {
  const dialog = await openImport();
  await dialog.getByLabel('Pick from the Twilio account').check();
  const select = dialog.getByLabel('Studio flow', { exact: true });
  await select.waitFor();
  const studioSid = fake.numberFor(DEMO_STUDIO_NUMBER)!.voice_url!.split('/').pop()!;
  await select.selectOption(studioSid);
  await dialog.getByLabel(`Move ${DEMO_STUDIO_NUMBER} to the new flow (their calls and texts come here)`).check();
  await dialog.getByLabel('Voicemails go to').selectOption(`group:${salesId}`);
  await dialog.getByRole('button', { name: 'Check import' }).click();
  await expect(dialog.getByRole('region', { name: 'Import report' }).textContent()).resolves.toContain(`“${DEMO_STUDIO_FLOW_NAME}”: 10 mapped, 0 not imported`);
  await dialog.getByRole('button', { name: 'Create flow' }).click();
  await page().waitForURL(/#\/flows\/flw_/);
  const number = await httpOk(dashboard.stack, 'GET', `/api/numbers/${encodeURIComponent(DEMO_STUDIO_NUMBER)}`);
  expect(number).toMatchObject({ flowName: DEMO_STUDIO_FLOW_NAME, status: 'ok' });
  expect(fake.numberFor(DEMO_STUDIO_NUMBER)).toMatchObject({ voice_url: `${dashboard.stack.url}/twilio/voice`, sms_url: `${dashboard.stack.url}/twilio/sms` });
});

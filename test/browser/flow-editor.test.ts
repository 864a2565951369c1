/// <reference lib="dom" />
// The flow page in headless Chromium against the local stack (issue 12's "Checked by"): a flow opened by
// its name draws a node per applet with labelled branches; dead ends and unreachable applets show on their
// nodes; edits made on the diagram and in the forms are published (If-Match; 412 and 422 keep the edits)
// and seen through the API; revisions diff and restore; the simulator lights its path. No console error.
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

/** Errors the page showed on purpose (a 4xx it displays) are console noise in Chromium; anything else fails. */
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
const node = (id: string) => page().locator(`svg[aria-label="Call flow diagram"] g.node[data-applet="${id}"]`);
const edge = (from: string, branch: string) => page().locator(`svg[aria-label="Call flow diagram"] g.edge[data-from="${from}"][data-branch="${branch}"]`);
const inspector = (id: string) => page().getByRole('region', { name: `Applet ${id}` });
const flowDoc = (id: string) => httpOk(stack, 'GET', `/api/flows/${id}`);

it('a flow opened by its name from the overview draws a node per applet, labelled branch edges, the start, and no problems', async () => {
  await open('#/');
  await page().getByRole('link', { name: 'Main line' }).click();
  await page().getByLabel('Flow name').waitFor();
  expect(await page().getByLabel('Flow name').inputValue()).toBe('Main line');
  await node('hours').waitFor();
  const ids = await page().locator('svg[aria-label="Call flow diagram"] g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-applet')));
  expect(ids.sort()).toEqual(['greet', 'hours', 'menu', 'sales', 'support', 'vm']);
  expect(await node('hours').getAttribute('class')).toContain('start');
  expect(await node('sales').textContent()).toContain('Sales · sequential');
  const labels: Array<[string, string, string, string]> = [
    ['hours', 'open', 'greet', 'open'],
    ['hours', 'closed', 'vm', 'closed'],
    ['menu', 'options.1', 'sales', 'press 1'],
    ['menu', 'options.2', 'support', 'press 2'],
    ['menu', 'fallback', 'vm', 'fallback'],
    ['sales', 'noAnswer', 'vm', 'noAnswer'],
  ];
  for (const [from, branch, to, label] of labels) {
    expect(await edge(from, branch).getAttribute('data-to')).toBe(to);
    expect(await edge(from, branch).locator('text').textContent()).toBe(label);
  }
  await page().getByText('No problems: every path ends in a terminal applet.').waitFor();
  // The SMS part is drawn too.
  await page().getByRole('tab', { name: 'SMS flow' }).click();
  await page().locator('svg[aria-label="SMS flow diagram"] g.edge[data-from="reply"][data-branch="next"][data-to="inbox"]').waitFor();
});

it('an unreachable applet sits apart with its warning on the node; a branch cleared on the diagram becomes a dead end, and publishing it shows the 422 and keeps the edit', async () => {
  expected = [/422 \(Unprocessable/];
  const flow = await httpOk(stack, 'POST', '/api/flows', {
    name: 'Checker demo',
    call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'Hi.' }, next: 'bye' }, bye: { type: 'hangup' }, orphan: { type: 'say', prompt: { text: 'Nobody hears me.' }, next: 'bye' } } },
  });
  await open(`#/flows/${flow.id}`);
  await node('orphan').waitFor();
  expect(await node('orphan').getAttribute('class')).toMatch(/\bunreachable\b.*\bwarning\b|\bwarning\b.*\bunreachable\b/);
  expect(await node('orphan').getAttribute('aria-label')).toContain('unreachable');
  expect(await node('orphan').locator('.node-problems text').textContent()).toBe('1');
  expect(await page().locator('svg[aria-label="Call flow diagram"] g.apart').count()).toBe(1);
  await page().getByRole('list', { name: 'Problems' }).getByText(/orphan/).first().waitFor();

  await node('greet').click();
  await inspector('greet').getByLabel('Next').selectOption('');
  // The checker runs on the draft: the dead end is drawn on its node.
  await page().locator('svg[aria-label="Call flow diagram"] g.stub[data-stub-for="greet"][data-branch="next"]').waitFor();
  await page().locator('svg[aria-label="Call flow diagram"] g.node.error[data-applet="greet"]').waitFor();
  // ...and next to the branch's picker in the form.
  expect(await inspector('greet').locator('.field-invalid').filter({ has: page().getByLabel('Next') }).locator('.field-error').textContent()).toMatch(/"next" branch.*dead end/);
  await page().getByRole('button', { name: 'Publish' }).click();
  const alert = page().locator('.publish-error [role="alert"]');
  await alert.waitFor();
  expect(await alert.textContent()).toMatch(/^Not published: one problem needs fixing first\..*greet.*next/);
  expect(await inspector('greet').getByLabel('Next').inputValue()).toBe('');
  expect((await flowDoc(flow.id)).revision).toBe(1);

  // Connected again by dragging the dead end onto the applet: back as published, nothing to publish.
  const stub = page().locator('svg[aria-label="Call flow diagram"] g.stub[data-stub-for="greet"]');
  await stub.dragTo(node('bye'));
  await stub.waitFor({ state: 'detached' });
  expect(await edge('greet', 'next').getAttribute('data-to')).toBe('bye');
  expect(await inspector('greet').getByLabel('Next').inputValue()).toBe('bye');
  expect(await page().getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
  await node('orphan').click();
  await inspector('orphan').getByRole('button', { name: 'Delete applet' }).click();
  await node('orphan').waitFor({ state: 'detached' });
  await page().getByRole('button', { name: 'Publish' }).click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();
  const saved = await flowDoc(flow.id);
  expect(Object.keys(saved.call.applets).sort()).toEqual(['bye', 'greet']);
  expect(saved.problems.map((p: { code: string }) => p.code)).toEqual(['no_sms_part']);
});

it('edits on the diagram are published and seen through the API: rename, a setting from the form, an applet from the palette connected by picking', async () => {
  await open(`#/flows/${mainId}`);
  await node('support').click();
  await inspector('support').getByLabel('Ring seconds').fill('25');
  await inspector('support').getByRole('button', { name: 'Close the applet' }).click();
  await page().getByRole('region', { name: 'Palette' }).getByRole('button', { name: 'Hang up' }).click();
  await inspector('hangup').waitFor();
  await node('menu').click();
  await inspector('menu').getByLabel('Add a key').selectOption('3');
  await inspector('menu').getByLabel('Press 3').selectOption('hangup');
  await edge('menu', 'options.3').waitFor();
  expect(await edge('menu', 'options.3').getAttribute('data-to')).toBe('hangup');
  await page().getByLabel('Flow name').fill('Main line (edited)');
  await page().getByRole('button', { name: 'Publish' }).click();
  await page().getByRole('status').getByText('Published revision 2').waitFor();

  const saved = await flowDoc(mainId);
  expect(saved).toMatchObject({ name: 'Main line (edited)', revision: 2 });
  expect(saved.call.applets.support.ringSeconds).toBe(25);
  expect(saved.call.applets.menu.options).toEqual({ '1': 'sales', '2': 'support', '3': 'hangup' });
  expect(saved.call.applets.hangup).toEqual({ type: 'hangup' });
  expect((await httpOk(stack, 'GET', `/api/flows/${mainId}/revisions`)).revisions.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['Main line', 'Main line (edited)']));
});

it('a publish that lost a race shows the 412, keeps the edits, and can publish them over the newer revision', async () => {
  await open(`#/flows/${mainId}`);
  await page().getByLabel('Flow name').fill('Mine');
  const current = await flowDoc(mainId);
  const { id: _id, revision: _r, currentRevision: _c, publishedAt: _p, numberCount: _n, problems: _x, ...doc } = current;
  await httpOk(stack, 'PUT', `/api/flows/${mainId}`, { ...doc, name: 'Theirs' }, { 'if-match': String(current.revision) });
  await page().getByRole('button', { name: 'Publish' }).click();
  const alert = page().locator('.publish-error [role="alert"]');
  await alert.waitFor();
  expect(await alert.textContent()).toContain('Someone published a newer revision since you opened this flow');
  expect(await page().getByLabel('Flow name').inputValue()).toBe('Mine');
  await alert.getByRole('button', { name: 'Publish mine over it' }).click();
  await page().getByRole('status').getByText(/Published revision \d+/).waitFor();
  expect(await flowDoc(mainId)).toMatchObject({ name: 'Mine', revision: current.revision + 2 });
  expected = [/412 \(Precondition Failed\)/];
});

it('revision history: a diff of two revisions lists and marks what changed, and restore publishes revision 1 again', async () => {
  await open(`#/flows/${mainId}`);
  const history = page().locator('#revisions');
  await history.locator('tr[data-revision="1"]').waitFor();
  const before = (await flowDoc(mainId)).revision;
  await page().getByLabel('Compare revision').selectOption('1');
  await page().getByLabel('with').selectOption('2');
  await page().getByRole('button', { name: 'Show changes' }).click();
  const compare = page().locator('[aria-label="Changes from revision 1 to 2"]');
  await compare.waitFor();
  expect(await compare.locator('[data-diff="call"] .diff-added').allTextContents()).toEqual(['added hangup']);
  expect((await compare.locator('[data-diff="call"] .diff-changed').allTextContents()).sort()).toEqual(['changed menu', 'changed support']);
  expect(await compare.textContent()).toContain('Renamed from Main line to Main line (edited)');
  expect(await compare.locator('g.node.added[data-applet="hangup"]').count()).toBe(1);

  await history.getByRole('button', { name: 'Restore revision 1' }).click();
  // Restoring asks first, saying what goes live.
  const confirm = page().getByRole('dialog', { name: 'Restore revision 1?' });
  expect(await confirm.textContent()).toContain(`published again as revision ${before + 1} and goes live at once`);
  await confirm.getByRole('button', { name: 'Restore revision 1' }).click();
  await history.locator(`tr[data-revision="${before + 1}"]`).waitFor();
  const restored = await flowDoc(mainId);
  expect(restored).toMatchObject({ name: 'Main line', revision: before + 1 });
  expect(restored.call.applets.hangup).toBeUndefined();
  await page().waitForFunction(() => (document.getElementById('flow-name-input') as HTMLInputElement | null)?.value === 'Main line');
});

it('the simulator lists each step with its TwiML and lights the path on the diagram', async () => {
  await open(`#/flows/${mainId}`);
  const sim = page().getByRole('form', { name: 'Simulate' });
  // Monday 10:00 in New York (the flow's hours' zone, which the simulator's time is in): open; press 2 for
  // support, who does not answer, then voicemail.
  await sim.getByLabel('Time in America/New_York').fill('2026-12-07T10:00');
  // Ann is screened, so she is rung one leg at a time (softphone, then phone): two no-answers.
  await sim.getByLabel('Keys, dial and queue outcomes').fill('2, no-answer, no-answer');
  await sim.getByRole('button', { name: 'Run' }).click();
  const steps = page().getByRole('list', { name: 'Simulated steps' }).locator('> li.sim-step');
  await steps.first().waitFor();
  const api = await httpOk(stack, 'POST', `/api/flows/${mainId}/simulate`, { channel: 'call', from: '+15550109999', at: '2026-12-07T15:00:00.000Z', inputs: ['2', 'no-answer', 'no-answer'] });
  expect(await steps.count()).toBe(api.steps.length);
  expect(await steps.nth(0).textContent()).toMatch(/hours.*greet.*menu/);
  expect(await steps.nth(0).locator('pre').textContent()).toContain('<Gather');
  expect(await steps.nth(1).textContent()).toContain('Digits=2');
  const last = steps.nth(api.steps.length - 1);
  expect(await last.textContent()).toContain('DialCallStatus=no-answer');
  expect(await last.textContent()).toMatch(/support.*→.*vm/);
  expect(await last.locator('pre').textContent()).toContain('<Record');
  for (const id of ['hours', 'greet', 'menu', 'support', 'vm']) expect(await node(id).getAttribute('class')).toContain('lit');
  expect(await node('sales').getAttribute('class')).not.toContain('lit');
  expect(await edge('menu', 'options.2').getAttribute('class')).toContain('lit');
  expect(await edge('menu', 'options.1').getAttribute('class')).not.toContain('lit');
});

it('with unpublished edits the simulator runs them, says so, and publishes nothing', async () => {
  const before = await flowDoc(mainId);
  await open(`#/flows/${mainId}`);
  const sim = page().getByRole('form', { name: 'Simulate' });
  const note = page().getByRole('region', { name: 'Simulator' }).locator('.panel-head .muted');
  expect(await note.textContent()).toContain(`Runs published revision ${before.currentRevision}`);
  await page().getByRole('tab', { name: 'JSON' }).click();
  const text = page().getByLabel('The flow document (JSON)');
  const doc = JSON.parse(await text.inputValue());
  doc.call.applets.greet.prompt = { text: 'This is the draft greeting.' };
  doc.call.applets.hoursText = { type: 'text', text: 'We are open 9 to 5.', next: doc.call.applets.greet.next };
  doc.call.applets.greet.next = 'hoursText';
  await text.fill(JSON.stringify(doc, null, 2));
  await page().getByRole('button', { name: 'Apply to the draft' }).click();
  await page().getByRole('status').getByText('Unpublished changes').waitFor();
  expect(await note.textContent()).toContain(`Runs your unpublished edits (on revision ${before.currentRevision})`);
  await sim.getByLabel('Time in America/New_York').fill('2026-12-07T10:00');
  await sim.getByLabel('Keys, dial and queue outcomes').fill('');
  await sim.getByRole('button', { name: 'Run' }).click();
  const steps = page().getByRole('list', { name: 'Simulated steps' }).locator('> li.sim-step');
  await steps.first().waitFor();
  expect(await steps.nth(0).locator('pre').textContent()).toContain('This is the draft greeting.');
  // The text the `text` applet would send through the carrier, which is not in the TwiML.
  expect(await steps.nth(0).getByRole('list', { name: 'Texts sent' }).textContent()).toMatch(/Text from \+1555\d+ to \+15550109999: “We are open 9 to 5\.”/);
  // Nothing went live: same revision, same greeting.
  const after = await flowDoc(mainId);
  expect(after.currentRevision).toBe(before.currentRevision);
  expect(after.call.applets.greet.prompt).toEqual(before.call.applets.greet.prompt);
  await page().getByRole('button', { name: 'Discard changes' }).click();
  expect(await note.textContent()).toContain(`Runs published revision ${before.currentRevision}`);
});

it('numbers of this flow: assign another number from the flow side and unassign one', async () => {
  await open(`#/flows/${mainId}`);
  await page().getByLabel('Assign a number').selectOption('+15550100003');
  await page().getByRole('button', { name: 'Assign', exact: true }).click();
  await page().locator('#flow-numbers tr[data-number="+15550100003"]').waitFor();
  expect((await httpOk(stack, 'GET', '/api/numbers/%2B15550100003')).flowId).toBe(mainId);
  await page().locator('#flow-numbers tr[data-number="+15550100002"]').getByRole('button', { name: 'Unassign' }).click();
  await page().locator('#flow-numbers tr[data-number="+15550100002"]').waitFor({ state: 'detached' });
  expect((await httpOk(stack, 'GET', '/api/numbers/%2B15550100002')).status).toBe('no_flow');
});

it('the JSON view edits the same draft, and the settings forms pick people from lists', async () => {
  await open(`#/flows/${mainId}`);
  await node('vm').click();
  const vm = inspector('vm');
  const options = await vm.getByLabel('Mailbox').locator('option').allTextContents();
  expect(options).toEqual(expect.arrayContaining(['Ann Example', 'Bob Example', 'Cy Example']));
  expect(options.some((o) => o.startsWith('Sales'))).toBe(true);
  await node('hours').click();
  expect(await inspector('hours').getByLabel('Time zone').inputValue()).toBe('America/New_York');
  await page().getByRole('tab', { name: 'JSON' }).click();
  const text = page().getByLabel('The flow document (JSON)');
  const doc = JSON.parse(await text.inputValue());
  expect(Object.keys(doc.call.applets).sort()).toEqual(['greet', 'hours', 'menu', 'sales', 'support', 'vm']);
  await text.fill(JSON.stringify({ ...doc, name: 'From JSON' }, null, 2));
  await page().getByRole('button', { name: 'Apply to the draft' }).click();
  expect(await page().getByLabel('Flow name').inputValue()).toBe('From JSON');
  await page().getByRole('status').getByText('Unpublished changes').waitFor();
  await page().getByRole('button', { name: 'Discard changes' }).click();
  expect(await page().getByLabel('Flow name').inputValue()).toBe('Main line');
});

it('every applet type of each part can be added from the palette, and its generated form is labelled and valid for the schema', async () => {
  const flow = await httpOk(stack, 'POST', '/api/flows', { name: 'Palette', call: { start: 'bye', applets: { bye: { type: 'hangup' } } }, sms: { start: 'box', applets: { box: { type: 'inbox', mailbox: { group: (await httpOk(stack, 'GET', '/api/groups')).groups[0].id } } } } });
  await open(`#/flows/${flow.id}`);
  for (const [tab, types] of [
    ['Call flow', ['Say', 'Menu', 'Hours', 'Caller', 'Dial', 'Voicemail', 'Text', 'Queue', 'Redirect', 'Hang up']],
    ['SMS flow', ['Reply', 'Hours', 'Caller', 'Keyword', 'Inbox', 'Forward']],
  ] as const) {
    await page().getByRole('tab', { name: tab }).click();
    const palette = page().getByRole('region', { name: 'Palette' });
    expect(await palette.getByRole('button').allTextContents()).toEqual(types);
    for (const type of types) {
      await page().getByRole('region', { name: 'Palette' }).getByRole('button', { name: type, exact: true }).click();
      const form = page().locator('.inspector');
      await form.waitFor();
      expect(await form.locator('input, select, textarea').count()).toBeGreaterThan(type === 'Hang up' ? -1 : 0);
      const unlabelled = await form.locator('input, select, textarea').evaluateAll((els) =>
        els.filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label'))).map((el) => el.outerHTML.slice(0, 100)),
      );
      expect(unlabelled).toEqual([]);
      await form.getByRole('button', { name: 'Close the applet' }).click();
    }
  }
  // The checker accepted every new applet's shape (a 400 would show as an error note instead of problems).
  await page().getByRole('status').getByText(/Unpublished changes/).waitFor();
  expect(await page().locator('.editor-side .error-note').count()).toBe(0);
  const svg = page().locator('svg[aria-label="SMS flow diagram"] g.node');
  expect(await svg.count()).toBe(7);
});

it('deleting a flow that numbers use names them in the dialog; left without a flow, it is deleted and its number shows in the report', async () => {
  const flow = await httpOk(stack, 'POST', '/api/flows', { name: 'Short-lived', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
  await httpOk(stack, 'PUT', '/api/numbers/%2B15550100055', { name: 'Temp line', flowId: flow.id });
  await open(`#/flows/${flow.id}`);
  await page().getByRole('button', { name: 'Delete flow…' }).click();
  const dialog = page().getByRole('dialog', { name: 'Delete Short-lived?' });
  await dialog.getByText('It answers 1 number:').waitFor();
  expect(await dialog.locator('.affected').textContent()).toContain('Temp line +15550100055');
  await dialog.getByLabel(/Leave it without a flow/).check();
  await dialog.getByRole('button', { name: 'Delete flow' }).click();
  await page().locator('#flows-table').waitFor();
  expect(await page().locator(`#flows-table tr[data-flow="${flow.id}"]`).count()).toBe(0);
  expect((await httpOk(stack, 'GET', '/api/numbers/%2B15550100055')).status).toBe('no_flow');
  await page().getByRole('alert', { name: 'Unassigned-number report' }).getByText(/\+15550100055/).waitFor();
});

/// <reference lib="dom" />
// The dashboard in headless Chromium against the local stack (issue 11's "Checked by"): the demo on the
// overview, red buttons and the number picker mending what the report lists (seen through the API and in
// the banner), a voicemail that plays, users and groups edited, the API's errors shown where they happen.
// No console error and no request leaving the machine, on every test.
import { simulateCall, simulateSms } from '../../local/carrier';
import { signTwilioRequest } from '../../lambdas/twilio/signature';
import type { LocalStack } from '../../local/stack';
import { buildDashboardForTest } from '../../local/web-build';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { DynamoMessageStore } from '../../lambdas/store/message-store';
import { DynamoOutboundStore } from '../../lambdas/store/outbound-store';
import { openBrowser, type Browser } from '../support/browser';
import { httpOk, startTestStack } from '../support/local-stack';

let stack: LocalStack;
let browser: Browser;
let salesId: string;
let mainId: string;

beforeAll(async () => {
  stack = await startTestStack({ webDir: await buildDashboardForTest() });
  browser = await openBrowser();
  salesId = (await httpOk(stack, 'GET', '/api/groups')).groups.find((g: { name: string }) => g.name === 'Sales').id;
  mainId = (await httpOk(stack, 'GET', '/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line').id;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  const errors = browser.errors.splice(0);
  const outside = browser.outside.splice(0);
  expect(errors).toEqual([]);
  expect(outside).toEqual([]);
});

const page = () => browser.page;
/** A fresh load (going from one hash to the same one would not reload the page). */
const open = async (hash = '#/') => {
  await page().goto('about:blank');
  await page().goto(`${stack.url}/${hash}`);
};

/** Every form control on the page has an accessible name (a <label>, aria-label or aria-labelledby). */
async function unlabelledControls(): Promise<string[]> {
  return page().$$eval('input, select, textarea', (els) =>
    els
      .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

it('the overview shows the demo: the flow with its applets and number count, the unassigned number red, the report banner', async () => {
  await open();
  const row = page().locator(`#flows-table tr[data-flow="${mainId}"]`);
  await row.getByRole('link', { name: 'Main line' }).waitFor();
  await expect(row.locator('[data-cell="count"]').textContent()).resolves.toBe('2');
  const apiFlow = (await httpOk(stack, 'GET', '/api/flows')).flows.find((f: { id: string }) => f.id === mainId);
  const callChips = await row.getByRole('list', { name: 'Main line call applets in path order' }).locator('li').allTextContents();
  expect(callChips.map((c) => c.toLowerCase().replace(' ', ''))).toEqual(apiFlow.call.applets);
  expect(callChips).toEqual(['Hours', 'Say', 'Menu', 'Dial', 'Voicemail', 'Dial']);
  await expect(row.locator('[data-cell="call"]').textContent()).resolves.toContain('Call ✓');

  const spare = page().locator('#numbers-table tr[data-number="+15550100003"]');
  await expect(spare.getAttribute('data-status')).resolves.toBe('no_flow');
  await expect(spare.getAttribute('class')).resolves.toContain('row-bad');
  await expect(spare.textContent()).resolves.toContain('No flow');
  await expect(page().locator('#numbers-table tr[data-number="+15550100001"]').getAttribute('data-status')).resolves.toBe('ok');
  await expect(page().getByRole('alert', { name: 'Unassigned-number report' }).textContent()).resolves.toContain('1 number has no flow');
  expect(await unlabelledControls()).toEqual([]);
});

it('the overview asks for the report once per view: the banner and the Numbers table share the request', async () => {
  const asked: string[] = [];
  const onRequest = (r: { url(): string; method(): string }) => {
    if (new URL(r.url()).pathname === '/api/report/unassigned') asked.push(r.method());
  };
  page().on('request', onRequest);
  try {
    await open();
    await page().getByRole('alert', { name: 'Unassigned-number report' }).waitFor();
    await page().locator('#numbers-table tr[data-number="+15550100003"]').waitFor();
    await page().waitForLoadState('networkidle');
    // Each read of the report lists the account's numbers at the carrier: one per view, not one per component.
    expect(asked).toEqual(['GET']);
  } finally {
    page().off('request', onRequest);
  }
});

it('a flow without an sms part shows a red "Create SMS Flow" that creates that part; the row and the banner update', async () => {
  const call = { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { group: salesId } } } };
  const flow = await httpOk(stack, 'POST', '/api/flows', { name: 'Call only', call });
  await httpOk(stack, 'PUT', '/api/numbers/%2B15550100077', { name: 'Callback line', flowId: flow.id });
  await open();
  const row = page().locator(`#flows-table tr[data-flow="${flow.id}"]`);
  const button = row.getByRole('button', { name: 'Create SMS Flow' });
  await button.waitFor();
  expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(180, 35, 24)');
  await expect(page().locator('#numbers-table tr[data-number="+15550100077"]').getAttribute('data-status')).resolves.toBe('no_sms_flow');
  await expect(page().getByRole('alert', { name: 'Unassigned-number report' }).textContent()).resolves.toContain('+15550100077');

  await button.click();
  const dialog = page().getByRole('dialog', { name: 'Create SMS Flow for Call only' });
  await dialog.getByLabel('Deliver to').selectOption(`group:${salesId}`);
  await dialog.getByRole('button', { name: 'Create SMS Flow' }).click();
  await row.locator('[data-cell="sms"]').getByText('SMS ✓').waitFor();
  await page().locator('#numbers-table tr[data-number="+15550100077"][data-status="ok"]').waitFor();

  const saved = await httpOk(stack, 'GET', `/api/flows/${flow.id}`);
  expect(saved.revision).toBe(2);
  expect(saved.call).toEqual({ start: 'vm', applets: { vm: expect.objectContaining(call.applets.vm) } });
  expect(saved.sms.applets.inbox).toMatchObject({ type: 'inbox', mailbox: { group: salesId } });
  await page().waitForFunction(() => !document.querySelector('[aria-label="Unassigned-number report"]')?.textContent?.includes('+15550100077'));
});

it("the unassigned number's picker assigns Main line: the row turns green, the API agrees, the banner goes away", async () => {
  await open();
  const spare = page().locator('#numbers-table tr[data-number="+15550100003"]');
  await spare.getByLabel('Flow for Spare line (+15550100003)').selectOption({ label: 'Main line' });
  await spare.getByRole('button', { name: 'Save' }).click();
  await page().locator('#numbers-table tr[data-number="+15550100003"][data-status="ok"]').waitFor();
  await expect(spare.getAttribute('class')).resolves.toContain('row-ok');
  expect(await httpOk(stack, 'GET', '/api/numbers/%2B15550100003')).toMatchObject({ flowId: mainId, flowName: 'Main line', status: 'ok' });
  await page().getByRole('alert', { name: 'Unassigned-number report' }).waitFor({ state: 'detached' });
  expect((await httpOk(stack, 'GET', '/api/report/unassigned')).numbers).toEqual([]);
  // The flow's count follows.
  await page().locator(`#flows-table tr[data-flow="${mainId}"] [data-cell="count"]`).getByText('3').waitFor();
});

it('a new number without a flow gets one from its red button: a flow created with both parts and assigned', async () => {
  await httpOk(stack, 'PUT', '/api/numbers/%2B15550100088', { name: 'Promo line' });
  await open();
  const row = page().locator('#numbers-table tr[data-number="+15550100088"]');
  await row.getByRole('button', { name: 'Create flow for this number' }).click();
  const dialog = page().getByRole('dialog');
  await expect(dialog.getByLabel('Flow name').inputValue()).resolves.toBe('Promo line');
  await dialog.getByLabel('Calls ring (optional)').selectOption(`group:${salesId}`);
  await dialog.getByLabel('Texts go to (optional)').selectOption(`group:${salesId}`);
  await dialog.getByRole('button', { name: 'Create and assign' }).click();
  await page().locator('#numbers-table tr[data-number="+15550100088"][data-status="ok"]').waitFor();
  const number = await httpOk(stack, 'GET', '/api/numbers/%2B15550100088');
  expect(number).toMatchObject({ flowName: 'Promo line', status: 'ok' });
  const flow = await httpOk(stack, 'GET', `/api/flows/${number.flowId}`);
  expect(flow.call.applets.ring).toMatchObject({ type: 'dial', group: salesId, noAnswer: 'voicemail' });
  expect(flow.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
});

it("registers and renames numbers, and shows the API's 400 next to the form that caused it", async () => {
  await open();
  const form = page().getByRole('form', { name: 'Register a number' });
  await form.getByLabel('Number').fill('12345');
  await form.getByLabel('Name', { exact: true }).fill('Bad one');
  await form.getByRole('button', { name: 'Register' }).click();
  const note = form.getByRole('alert');
  await note.waitFor();
  expect(await note.textContent()).toMatch(/^Some entries need fixing:.*number.*E\.164/);
  await form.getByLabel('Number').fill('+1 (555) 010-0099');
  await form.getByRole('button', { name: 'Register' }).click();
  await form.getByRole('status').getByText('+15550100099 registered.').waitFor();
  expect(await httpOk(stack, 'GET', '/api/numbers/%2B15550100099')).toMatchObject({ name: 'Bad one', status: 'no_flow' });

  const row = page().locator('#numbers-table tr[data-number="+15550100099"]');
  await row.getByRole('button', { name: 'Rename Bad one' }).click();
  await row.getByLabel('Name of +15550100099').fill('Good one');
  await row.getByLabel('Name of +15550100099').press('Enter');
  await row.locator('.name-cell').getByText('Good one').waitFor();
  expect((await httpOk(stack, 'GET', '/api/numbers/%2B15550100099')).name).toBe('Good one');
  await httpOk(stack, 'DELETE', '/api/numbers/%2B15550100099');
  // A browser error (the 400 above) is a console error in Chromium: the page handled it, so drop it.
  browser.errors.splice(0, browser.errors.length, ...browser.errors.filter((e) => !e.includes('400 (Bad Request)')));
});

describe('mailboxes', () => {
  let audioBase: string;

  /** One second of a 440 Hz tone, 8 kHz mono 16-bit PCM: a WAV every browser plays. */
  function tinyWav(): Buffer {
    const rate = 8000;
    const samples = rate;
    const data = Buffer.alloc(samples * 2);
    for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), i * 2);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + data.length, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(rate, 24);
    header.writeUInt32LE(rate * 2, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(data.length, 40);
    return Buffer.concat([header, data]);
  }

  // Recordings and media are Twilio's (https://api.twilio.com/...): the only URLs the webhooks keep and
  // the page renders (issue 18). The browser gets them from this route, not from the internet.
  const TWILIO_MEDIA = 'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000';
  beforeAll(async () => {
    const wav = tinyWav();
    // A 1x1 PNG for MMS media.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
    await browser.context.route('https://api.twilio.com/**', (route) => {
      const url = route.request().url();
      if (url.endsWith('.png')) return route.fulfill({ status: 200, headers: { 'content-type': 'image/png', 'access-control-allow-origin': '*' }, body: png });
      return route.fulfill({ status: 200, headers: { 'content-type': 'audio/wav', 'accept-ranges': 'none' }, body: wav });
    });
    audioBase = `${TWILIO_MEDIA}/Recordings`;
  });
  afterAll(() => browser.context.unroute('https://api.twilio.com/**'));
  // Answered by the route above, so they never left the machine.
  afterEach(() => {
    browser.outside.splice(0, browser.outside.length, ...browser.outside.filter((url) => !url.startsWith('https://api.twilio.com/')));
  });

  it('a voicemail left through the voice webhook is in the group mailbox, with its transcript and its player on the page’s own origin', async () => {
    // A Sunday: Main line's hours send the caller straight to the Sales voicemail. (Playing it, through the
    // carrier: test/browser/mailboxes.test.ts, against the Twilio-compatible server.)
    const t = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: '+15550100001', from: '+15550107777', at: '2026-12-06T15:00:00Z', recordingBaseUrl: audioBase });
    const record = t.entries.find((e) => e.kind === 'record');
    expect(record).toBeDefined();
    await open(`#/mailboxes/group/${salesId}`);
    const message = page().locator(`[data-message="${(record as { recordingSid: string }).recordingSid}"]`);
    await message.waitFor();
    expect(await message.textContent()).toContain('+15550107777');
    expect(await message.locator('.transcript').textContent()).toBe('(simulated transcript)');
    const audio = message.getByLabel('Voicemail from +15550107777');
    expect(await audio.getAttribute('src')).toBe(`/api/recordings/${(record as { recordingSid: string }).recordingSid}`);
    expect(await unlabelledControls()).toEqual([]);
  });

  it('a text with a picture to a number without a flow is in unrouted, body and image shown', async () => {
    await httpOk(stack, 'PUT', '/api/numbers/%2B15550100066', { name: 'Unused line' });
    const picture = `${TWILIO_MEDIA}/Messages/MM00000000000000000000000000000001/Media/ME00000000000000000000000000000001.png`;
    await simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to: '+15550100066', from: '+15550106666', body: 'Is this thing on?', media: [picture] });
    await open('#/mailboxes/unrouted');
    const message = page().locator('.message', { hasText: 'Is this thing on?' });
    await message.waitFor();
    expect(await message.textContent()).toContain('+15550106666');
    const img = message.getByRole('img', { name: 'Attachment from +15550106666' });
    expect(await img.getAttribute('src')).toBe(picture);
    await page().waitForFunction((src) => Array.from(document.images).some((i) => i.src === src && i.complete && i.naturalWidth === 1), picture);
    await httpOk(stack, 'DELETE', '/api/numbers/%2B15550100066');
  });

  it('a recording or attachment stored with an address that is not Twilio’s (older items) is shown as text, never loaded or linked', async () => {
    const doc = createDynamoDb({ endpoint: stack.dynamoEndpoint });
    const messages = new DynamoMessageStore(doc, stack.tables.messages);
    try {
      await messages.storeVoicemail({
        recordingSid: `RE${'e'.repeat(32)}`, mailbox: 'unrouted', callSid: `CA${'e'.repeat(32)}`, from: '+15550106660', to: '+15550100066',
        recordingUrl: 'javascript:alert(document.domain)', receivedAt: '2026-12-06T15:10:00.000Z',
      });
      await messages.storeText('unrouted', {
        id: `SM${'e'.repeat(32)}`, from: '+15550106661', to: '+15550100066', body: 'Hostile media', receivedAt: '2026-12-06T15:11:00.000Z',
        media: [{ url: 'javascript:alert(1)', contentType: 'image/png' }, { url: 'data:image/png;base64,iVBORw0KGgo=', contentType: 'image/png' }, 'https://evil.example/track.png'],
      });
    } finally {
      doc.destroy();
    }
    await open('#/mailboxes/unrouted');
    const voicemail = page().locator(`[data-message="RE${'e'.repeat(32)}"]`);
    await voicemail.waitFor();
    expect(await voicemail.locator('audio').count()).toBe(0);
    expect(await voicemail.textContent()).toContain('Recording not shown');
    const text = page().locator('.message', { hasText: 'Hostile media' });
    await text.waitFor();
    expect(await text.locator('img, audio, video, a').count()).toBe(0);
    expect(await text.locator('.media li').allTextContents()).toEqual([
      "Attachment (image/png) not shown: its address is not Twilio's.",
      "Attachment (image/png) not shown: its address is not Twilio's.",
      "Attachment not shown: its address is not Twilio's.",
    ]);
    const everywhere = await page().$$eval('.messages [src], .messages [href]', (els) => els.map((e) => e.getAttribute('src') ?? e.getAttribute('href') ?? ''));
    expect(everywhere.filter((u) => /^(javascript|data):|evil\.example/.test(u))).toEqual([]);
  });

  it('Texts sent: a notification that did not arrive is red with its reason (code and words); the filter shows only those', async () => {
    const doc = createDynamoDb({ endpoint: stack.dynamoEndpoint });
    const outbound = new DynamoOutboundStore(doc, stack.tables.outbound);
    const [lost, arrived] = [`txt_${'a'.repeat(32)}`, `txt_${'b'.repeat(32)}`];
    try {
      const base = { from: '+15550100001', reason: 'voicemail_notify', cause: `CA${'a'.repeat(32)}` };
      await outbound.begin({ ...base, id: lost, to: '+15550107777', body: 'New voicemail from +15550108888, 0:12', queuedAt: '2026-12-06T15:20:00.000Z' }, new Date());
      await outbound.advance(lost, { status: 'undelivered', sid: `SM${'a'.repeat(32)}`, errorCode: 30006, errorMessage: 'the number is a landline, or its carrier cannot take texts', at: new Date() });
      await outbound.begin({ ...base, id: arrived, to: '+15550200001', body: 'New voicemail from +15550108888, 0:12', queuedAt: '2026-12-06T15:19:00.000Z' }, new Date());
      await outbound.advance(arrived, { status: 'delivered', sid: `SM${'b'.repeat(32)}`, at: new Date() });
    } finally {
      doc.destroy();
    }
    await open('#/mailboxes');
    await page().getByRole('navigation', { name: 'Mailboxes' }).getByRole('link', { name: 'Texts sent' }).click();
    const red = page().locator(`[data-text="${lost}"]`);
    await red.waitFor();
    expect(await red.locator('.badge').textContent()).toBe('Not delivered');
    expect(await red.locator('[data-cell="reason"]').textContent()).toBe('Error 30006: the number is a landline, or its carrier cannot take texts');
    expect(await red.textContent()).toContain('Voicemail notification');
    // Red: the row's background and border, the badge, the reason's text (the palette's --bad and --bad-soft).
    expect(await red.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderLeftColor])).toEqual(['rgb(253, 236, 234)', 'rgb(180, 35, 24)']);
    expect(await red.locator('.badge').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(180, 35, 24)');
    expect(await red.locator('[data-cell="reason"]').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(180, 35, 24)');
    const green = page().locator(`[data-text="${arrived}"]`);
    expect(await green.locator('.badge').textContent()).toBe('Delivered');
    expect(await green.locator('[data-cell="reason"]').count()).toBe(0);
    expect(await green.evaluate((el) => el.classList.contains('sent-text-bad'))).toBe(false);

    await page().getByLabel('Show').selectOption('undelivered');
    await green.waitFor({ state: 'detached' });
    expect(await page().locator('[data-text]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(['undelivered']);
    expect(await unlabelledControls()).toEqual([]);
  });

  it('lists every mailbox: unrouted, each group and each user', async () => {
    await open('#/mailboxes');
    const nav = page().getByRole('navigation', { name: 'Mailboxes' });
    await nav.getByRole('link', { name: 'Sales' }).waitFor();
    const links = await nav.getByRole('link').allTextContents();
    expect(links).toEqual(expect.arrayContaining(['Unrouted', 'Texts sent', 'Sales', 'Ann Example', 'Bob Example', 'Cy Example']));
    await expect(nav.getByRole('link', { name: 'Unrouted' }).getAttribute('aria-current')).resolves.toBe('page');
  });

  it("a voicemail email's link opens its mailbox with that message picked out", async () => {
    const t = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: '+15550100001', from: '+15550107778', at: '2026-12-06T16:00:00Z', recordingBaseUrl: audioBase });
    const { recordingSid } = t.entries.find((e) => e.kind === 'record') as { recordingSid: string };
    await open(`#/mailboxes/group/${salesId}/${recordingSid}`);
    const picked = page().locator('.message-picked');
    await picked.waitFor();
    expect(await picked.getAttribute('data-message')).toBe(recordingSid);
    expect(await picked.getAttribute('aria-current')).toBe('true');
    expect(await page().locator('.message-picked').count()).toBe(1);
  });
});

it('the Queues page shows each queue: who waits, for how long, and who is offered the call', async () => {
  const ann = (await httpOk(stack, 'GET', '/api/users')).users.find((u: { name: string }) => u.name === 'Ann Example');
  const flow = await httpOk(stack, 'POST', '/api/flows', {
    name: 'Queue line',
    call: { start: 'q', applets: { q: { type: 'queue', name: 'billing', targets: [{ user: ann.id }], timeout: 'bye' }, bye: { type: 'hangup' } } },
    // Both parts: the number is fine in the report (later tests count the numbers it lists).
    sms: { start: 'box', applets: { box: { type: 'inbox', mailbox: { user: ann.id } } } },
  });
  await httpOk(stack, 'PUT', '/api/numbers/%2B15550100067', { name: 'Billing line', flowId: flow.id });
  // A caller arrives (the signed webhook Twilio would post) and is put in the queue.
  const params = { CallSid: `CA${'b'.repeat(32)}`, From: '+15550107779', To: '+15550100067', CallStatus: 'ringing', AccountSid: `AC${'0'.repeat(32)}` };
  const url = `${stack.url}/twilio/voice`;
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(url, params, stack.authToken) }, body: new URLSearchParams(params).toString() });
  expect(await answer.text()).toContain('<Enqueue');
  await open('#/queues');
  const queue = page().locator('[data-queue="billing"]');
  await queue.waitFor();
  expect(await queue.getByRole('heading', { name: 'billing' }).count()).toBe(1);
  expect(await queue.locator('[data-waiting]').textContent()).toBe('1 waiting');
  expect(await queue.locator('.queue-waiting').textContent()).toContain('+15550107779');
  expect(await queue.textContent()).toContain('longest wait');
  await expect(page().getByRole('link', { name: 'Queues' }).getAttribute('aria-current')).resolves.toBe('page');
});

it('users and groups: create a user, make them unavailable, add them to a group and reorder it with the buttons', async () => {
  await open('#/people');
  const form = page().getByRole('form', { name: 'New user' });
  await form.getByLabel('Name').fill('Dee Example');
  await form.getByLabel('Mobile').fill('+15550200004');
  await form.getByRole('button', { name: 'Add user' }).click();
  const row = page().locator('tr', { hasText: 'Dee Example' });
  await row.waitFor();
  const dee = (await httpOk(stack, 'GET', '/api/users')).users.find((u: { name: string }) => u.name === 'Dee Example');
  expect(dee).toMatchObject({ phone: '+15550200004', available: true });

  await row.getByRole('switch', { name: 'Dee Example is available' }).click();
  await row.getByText('Away').waitFor();
  expect((await httpOk(stack, 'GET', `/api/users/${dee.id}`)).available).toBe(false);

  const card = page().locator(`[data-group="${salesId}"]`);
  await card.getByRole('button', { name: 'Edit' }).click();
  const editor = page().getByRole('form', { name: 'Edit group Sales' });
  await editor.getByLabel('Add a member').selectOption(dee.id);
  await editor.getByRole('button', { name: 'Add', exact: true }).click();
  // Ann, Bob, Cy, Dee → Ann, Bob, Dee, Cy → Bob, Ann, Dee, Cy
  await editor.getByRole('button', { name: 'Move Dee Example up' }).click();
  await editor.getByRole('button', { name: 'Move Ann Example down' }).click();
  await editor.getByRole('button', { name: 'Save group' }).click();
  await card.getByRole('button', { name: 'Edit' }).waitFor();
  const names = Object.fromEntries((await httpOk(stack, 'GET', '/api/users')).users.map((u: { id: string; name: string }) => [u.id, u.name]));
  expect((await httpOk(stack, 'GET', `/api/groups/${salesId}`)).members.map((m: string) => names[m])).toEqual(['Bob Example', 'Ann Example', 'Dee Example', 'Cy Example']);
  expect(await unlabelledControls()).toEqual([]);
});

it('an unknown page and an unknown flow show what went wrong, never a blank page', async () => {
  await open('#/nowhere');
  await page().getByRole('heading', { name: 'Page not found' }).waitFor();
  await open('#/flows/flw_missing');
  const alert = page().getByRole('alert').filter({ hasText: 'Could not load this flow' });
  await alert.waitFor();
  expect(await alert.textContent()).toContain('no longer exists');
  browser.errors.splice(0, browser.errors.length, ...browser.errors.filter((e) => !e.includes('404 (Not Found)')));
});

it('numbers come a page at a time: the rest after "Show more numbers"', async () => {
  const extra = Array.from({ length: 205 }, (_, i) => `+1555099${String(i).padStart(4, '0')}`);
  for (let i = 0; i < extra.length; i += 20) {
    await Promise.all(extra.slice(i, i + 20).map((n) => httpOk(stack, 'PUT', `/api/numbers/${encodeURIComponent(n)}`, { name: `Bulk ${n.slice(-4)}` })));
  }
  await open();
  const rows = page().locator('#numbers-table tbody tr[data-number]');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(200);
  await page().getByRole('button', { name: 'Show more numbers' }).click();
  await page().locator(`#numbers-table tr[data-number="${extra[204]}"]`).waitFor();
  const total = (await httpOk(stack, 'GET', '/api/numbers?limit=1000')).numbers.length;
  expect(await rows.count()).toBe(total);
  expect(await page().getByRole('button', { name: 'Show more numbers' }).count()).toBe(0);
  // The banner counts them all but names only a few.
  const banner = page().getByRole('alert', { name: 'Unassigned-number report' });
  expect(await banner.locator('strong').textContent()).toMatch(/^20\d numbers have no flow/);
  expect(await banner.locator('li').count()).toBe(6);
  expect(await banner.locator('li').last().textContent()).toMatch(/^and 20\d more/);
});

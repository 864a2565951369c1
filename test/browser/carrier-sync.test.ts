/// <reference lib="dom" />
// The dashboard and the carrier (DESIGN.md sections 12 and 13), in headless Chromium against the local
// stack with its Twilio-compatible server: numbers not connected are named with what takes their calls
// or texts and the fix, "Connect to Twilio" runs a sync and shows its progress to the end, and what the
// sync may not change (a SIP trunk) is still named afterwards.
import type { FakeTwilio } from '../../local/fake-twilio';
import { useDashboard } from '../support/dashboard';
import { libraryClient } from '../support/carrier';

let fake: FakeTwilio;

const dashboard = useDashboard({ fakeTwilio: true });

beforeAll(() => {
  fake = dashboard.stack.fakeTwilio!;
});

const page = () => dashboard.page;

test('the banner names each number’s reason and fix; Connect to Twilio shows the sync’s progress to the end; the trunk number stays named', async () => {
  // The spare line goes onto a SIP trunk, through the server's own Trunking resources.
  const spare = fake.numberFor('+15550100003')!;
  const trunk = await libraryClient(fake).trunking.v1.trunks.create({ friendlyName: 'Office PBX' });
  await libraryClient(fake).trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: spare.sid });
  // Slow enough that the progress is seen on the way.
  fake.latencyMs = 150;

  await page().goto(`${dashboard.stack.url}/#/`);
  const banner = page().getByRole('alert', { name: 'Unassigned-number report' });
  await banner.getByText('not connected: a SIP trunk takes its calls').first().waitFor();
  await expect(banner.textContent()).resolves.toContain(`Fix: SIP trunk ${trunk.sid} takes its calls`);
  await expect(banner.textContent()).resolves.toContain('not connected: its Twilio URLs point elsewhere');
  const badge = page().locator('#numbers-table tr[data-number="+15550100003"] .badge[data-reason="sip_trunk"]');
  await expect(badge.textContent()).resolves.toBe('Not connected: SIP trunk');
  await expect(badge.getAttribute('title')).resolves.toContain(`DELETE https://trunking.twilio.com/v1/Trunks/${trunk.sid}/PhoneNumbers/${spare.sid}`);

  await banner.getByRole('button', { name: 'Connect to Twilio' }).click();
  const progress = banner.getByRole('status');
  await progress.getByText(/^Connecting to Twilio/).waitFor();
  await expect(banner.getByRole('button', { name: 'Connecting…' }).isDisabled()).resolves.toBe(true);
  await progress.getByText(/^Connected to Twilio: \d+ imported, \d+ connected, \d+ already fine; 1 still not connected/).waitFor({ timeout: 60_000 });

  // Every view reloaded: only the trunk number is still not connected.
  await page().locator('#numbers-table tr[data-number="+15550100001"]:not([data-connected])').waitFor();
  await expect(page().locator('#numbers-table .badge[data-reason]').count()).resolves.toBe(1);
  expect(fake.numberFor('+15550100003')).toMatchObject({ trunk_sid: trunk.sid, voice_url: `${dashboard.stack.url}/twilio/voice` });
  fake.latencyMs = 0;
});

test('a number Twilio sends elsewhere has its own status and colour, counted apart from "no flow"; its row connects it, with progress and the result', async () => {
  const main = fake.numberFor('+15550100001')!;
  await libraryClient(fake).api.v2010.accounts(fake.accountSid).incomingPhoneNumbers(main.sid).update({ voiceUrl: 'https://old-pbx.example.net/voice' });
  fake.latencyMs = 100;

  // The report reuses the carrier's list for 15 s (REPORT_LIST_TTL_MS): a change in Twilio's console shows within that.
  await page().goto(`${dashboard.stack.url}/#/`);
  const row = page().locator('#numbers-table tr[data-number="+15550100001"]');
  for (let i = 0; !(await row.and(page().locator('[data-connected="no"]')).count()); i++) {
    if (i > 40) throw new Error('the report never saw the number’s new URL');
    await page().waitForTimeout(500);
    await page().reload();
    await row.waitFor();
    await page().locator('.stats').waitFor();
  }
  // Main line has a flow with both parts: not "OK", not "no flow": not connected, in its own colour.
  await expect(row.getAttribute('data-status')).resolves.toBe('not_connected');
  await expect(row.getAttribute('class')).resolves.toBe('row-notconn');
  await expect(row.locator('.badge').allTextContents()).resolves.toEqual(['Not connected']);
  const color = (sel: string) => page().locator(sel).first().evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await color('#numbers-table .badge-notconn')).not.toBe(await color('.badge-bad'));

  // The cards: the not-connected numbers (this one and the trunk's) apart from those without a flow; never fine.
  const report = await (await fetch(`${dashboard.stack.url}/api/report/unassigned`)).json();
  const distinct = (keep: (n: { status: string }) => boolean) => new Set(report.numbers.filter(keep).map((n: { number: string }) => n.number)).size;
  const card = async (title: string) => Number(await page().locator('.stats div').filter({ has: page().getByText(title, { exact: true }) }).locator('dd').textContent());
  await page().locator('.stats').waitFor();
  expect(await card('Not connected')).toBe(2);
  expect(await card('Not connected')).toBe(distinct((n) => n.status === 'not_connected'));
  expect(await card('No flow or a missing part')).toBe(distinct((n) => n.status !== 'not_connected'));
  expect(await card('Routing fine')).toBe((await card('Numbers')) - distinct(() => true));
  await expect(page().locator('.stats .stat-notconn').count()).resolves.toBe(1);

  // The trunk's number has no button (a sync cannot take it off the trunk); this one's connects it.
  await expect(page().locator('#numbers-table tr[data-number="+15550100003"]').getByRole('button', { name: /Connect .* to Twilio/ }).count()).resolves.toBe(0);
  await row.getByRole('button', { name: 'Connect +15550100001 to Twilio' }).click();
  const status = row.getByRole('status');
  await status.getByText(/^Connecting to Twilio/).waitFor();
  await status.getByText(/^Connected to Twilio: \d+ imported, [1-9]\d* connected/).waitFor({ timeout: 60_000 });
  await page().locator('#numbers-table tr[data-number="+15550100001"]:not([data-connected])').waitFor();
  await expect(row.getAttribute('class')).resolves.toBe('row-ok');
  await expect(row.getAttribute('data-status')).resolves.toBe('ok');
  expect(fake.numberFor('+15550100001')!.voice_url).toBe(`${dashboard.stack.url}/twilio/voice`);
  expect(await card('Not connected')).toBe(1);
  fake.latencyMs = 0;
});

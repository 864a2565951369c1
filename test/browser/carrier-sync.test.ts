/// <reference lib="dom" />
// The dashboard and the carrier (DESIGN.md sections 12 and 13), in headless Chromium against the local
// stack with its Twilio-compatible server: numbers not connected are named with what takes their calls
// or texts and the fix, "Connect to Twilio" runs a sync and shows its progress to the end, and what the
// sync may not change (a SIP trunk) is still named afterwards.
import { randomBytes } from 'node:crypto';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { FakeTwilio } from '../../local/fake-twilio';
import { buildDashboardForTest } from '../../local/web-build';
import { openBrowser, type Browser } from '../support/browser';
import { libraryClient } from '../support/carrier';

let stack: LocalStack;
let fake: FakeTwilio;
let browser: Browser;

beforeAll(async () => {
  process.env.SWITCHBOARD_QUIET_CARRIER = '1';
  stack = await startLocalStack({ port: 0, dynamoEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, tablePrefix: `e2e${randomBytes(4).toString('hex')}`, fakeTwilio: true, webDir: await buildDashboardForTest() });
  fake = stack.fakeTwilio!;
  browser = await openBrowser();
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

test('the banner names each number’s reason and fix; Connect to Twilio shows the sync’s progress to the end; the trunk number stays named', async () => {
  // The spare line goes onto a SIP trunk, through the server's own Trunking resources.
  const spare = fake.numberFor('+15550100003')!;
  const trunk = await libraryClient(fake).trunking.v1.trunks.create({ friendlyName: 'Office PBX' });
  await libraryClient(fake).trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: spare.sid });
  // Slow enough that the progress is seen on the way.
  fake.latencyMs = 150;

  await page().goto(`${stack.url}/#/`);
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
  expect(fake.numberFor('+15550100003')).toMatchObject({ trunk_sid: trunk.sid, voice_url: `${stack.url}/twilio/voice` });
  fake.latencyMs = 0;
});

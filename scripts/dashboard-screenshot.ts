// Regenerates the README's pictures in headless Chromium: docs/dashboard.png (the overview: the demo plus
// a flow without an SMS part) and docs/flow-editor.png (Main line's page with a simulated call lit).
// `npx tsx scripts/dashboard-screenshot.ts`
import { startDynamoLocal } from '../local/dynamodb-local';
import { startLocalStack } from '../local/stack';
import { buildDashboardForTest } from '../local/web-build';
import { openBrowser } from '../test/support/browser';

async function main() {
  const dynamo = await startDynamoLocal();
  const stack = await startLocalStack({ port: 0, dynamoEndpoint: dynamo.endpoint, webDir: await buildDashboardForTest() });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the admin API's JSON answer, read by path by this script
  };
  const groups = (await api('GET', '/api/groups')).groups;
  const flow = await api('POST', '/api/flows', {
    name: 'After hours',
    call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'We are closed.' }, next: 'vm' }, vm: { type: 'voicemail', mailbox: { group: groups[0].id } } } },
  });
  await api('PUT', '/api/numbers/%2B15550100004', { name: 'Night line', flowId: flow.id });
  const browser = await openBrowser();
  try {
    const page = browser.page;
    await page.goto(`${stack.url}/#/`);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: 'docs/dashboard.png', fullPage: true });
    const main = (await api('GET', '/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line');
    await page.goto(`${stack.url}/#/flows/${main.id}`);
    await page.locator('g.node[data-applet="support"]').click();
    const sim = page.getByRole('form', { name: 'Simulate' });
    await sim.getByLabel('Time (your time zone)').fill('2026-12-07T15:00');
    await sim.getByLabel('Keys and dial outcomes').fill('2, no-answer, no-answer');
    await sim.getByRole('button', { name: 'Run' }).click();
    await page.locator('.sim-step').first().waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'docs/flow-editor.png', fullPage: true, clip: { x: 0, y: 0, width: 1360, height: 1110 } });
    if (browser.errors.length) throw new Error(browser.errors.join('\n'));
  } finally {
    await browser.close();
    await stack.stop();
    await dynamo.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// Regenerates docs/dashboard.png (the README's picture of the overview): the demo plus a flow without
// an SMS part, in headless Chromium. `npx tsx scripts/dashboard-screenshot.ts [out.png] [#/hash]`.
import { startDynamoLocal } from '../local/dynamodb-local';
import { startLocalStack } from '../local/stack';
import { buildDashboardForTest } from '../local/web-build';
import { openBrowser } from '../test/support/browser';

async function main() {
  const out = process.argv[2] ?? 'docs/dashboard.png';
  const hash = process.argv[3] ?? '#/';
  const dynamo = await startDynamoLocal();
  const stack = await startLocalStack({ port: 0, dynamoEndpoint: dynamo.endpoint, webDir: await buildDashboardForTest() });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const groups = (await api('GET', '/api/groups')).groups;
  const flow = await api('POST', '/api/flows', {
    name: 'After hours',
    call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'We are closed.' }, next: 'vm' }, vm: { type: 'voicemail', mailbox: { group: groups[0].id } } } },
  });
  await api('PUT', '/api/numbers/%2B15550100004', { name: 'Night line', flowId: flow.id });
  const browser = await openBrowser();
  try {
    await browser.page.goto(`${stack.url}/${hash}`);
    await browser.page.waitForLoadState('networkidle');
    await browser.page.screenshot({ path: out, fullPage: true });
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

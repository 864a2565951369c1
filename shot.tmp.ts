import { startDynamoLocal } from './local/dynamodb-local';
import { startLocalStack } from './local/stack';
import { buildDashboardForTest } from './local/web-build';
import { openBrowser } from './test/support/browser';
(async () => {
  const dynamo = await startDynamoLocal();
  const stack = await startLocalStack({ port: 0, dynamoEndpoint: dynamo.endpoint, webDir: await buildDashboardForTest() });
  const flows = await (await fetch(`${stack.url}/api/flows`)).json() as any;
  const b = await openBrowser();
  await b.page.goto(`${stack.url}/#/flows/${flows.flows[0].id}`);
  await b.page.waitForLoadState('networkidle');
  await b.page.screenshot({ path: '/tmp/e0.png', fullPage: true });
  await b.page.locator('[data-applet="menu"]').click();
  await b.page.waitForTimeout(300);
  await b.page.screenshot({ path: '/tmp/e1.png', fullPage: false });
  console.log(b.errors, b.outside);
  await b.close(); await stack.stop(); await dynamo.stop();
})().catch(e => { console.error(e); process.exit(1); });

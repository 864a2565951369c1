/// <reference lib="dom" />
// Issue 11's "Checked by", literally: a fresh `npm start` (bin/local.ts: builds the dashboard, starts its
// own DynamoDB Local, seeds the demo) and `/` opened in headless Chromium shows the demo, with nothing to
// run by hand, no console error and nothing loaded from outside the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { openBrowser, type Browser } from '../support/browser';

const ROOT = join(__dirname, '..', '..');
let child: ChildProcess | undefined;
let browser: Browser | undefined;
let output = '';

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

it('npm start serves the dashboard at /, showing the demo flow with its count of 2 and the unassigned number in red', async () => {
  const env = { ...process.env };
  for (const k of ['PUBLIC_URL', 'TWILIO_AUTH_TOKEN', 'AWS_ENDPOINT_URL_DYNAMODB', 'PORT']) delete env[k];
  child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bin/local.ts', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (m && output.includes('Switchboard is running.')) resolve(m[1]);
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  expect(output).toContain('Building the dashboard...');

  browser = await openBrowser();
  const page = browser.page;
  await page.goto(`${url}/`);
  const flows = (await (await fetch(`${url}/api/flows`)).json()) as { flows: Array<{ id: string; name: string }> };
  const main = flows.flows.find((f) => f.name === 'Main line')!;
  const row = page.locator(`#flows-table tr[data-flow="${main.id}"]`);
  await row.getByRole('link', { name: 'Main line' }).waitFor();
  expect(await row.locator('[data-cell="count"]').textContent()).toBe('2');
  expect(await row.getByRole('list', { name: 'Main line call applets in path order' }).locator('li').count()).toBe(6);
  const spare = page.locator('#numbers-table tr[data-number="+15550100003"]');
  expect(await spare.getAttribute('class')).toContain('row-bad');
  await page.getByRole('alert', { name: 'Unassigned-number report' }).waitFor();
  expect(browser.errors).toEqual([]);
  expect(browser.outside).toEqual([]);
});

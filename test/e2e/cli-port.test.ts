// The README's CLI examples against a server on another port (issue 20 item 9): `npm start` on a port that
// is not 3000, then the same commands with PORT set (as the README says), or with --url, run through npm
// exactly as typed. PORT=1 beside --url shows --url wins.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LocalStack } from '../../local/stack';
import { startTestStack } from '../support/local-stack';

let stack: LocalStack;
let port: string;
beforeAll(async () => {
  stack = await startTestStack({ fakeTwilio: true });
  port = new URL(stack.url).port;
  expect(port).not.toBe('3000');
});
afterAll(async () => {
  await stack?.stop();
});

const npmRun = async (env: Record<string, string>, ...args: string[]) => {
  const { PORT: _ignored, PUBLIC_URL: _public, ...rest } = process.env;
  return (await promisify(execFile)('npm', ['run', '--silent', ...args], { cwd: `${__dirname}/../..`, env: { ...rest, ...env }, timeout: 60_000 })).stdout;
};

test('npm run report with PORT set reads the report of the server on that port', async () => {
  const report = JSON.parse(await npmRun({ PORT: port }, 'report', '--', '--json'));
  // The demo's number without a flow (README: "+15550100003").
  expect(report.numbers.map((n: { number: string }) => n.number)).toContain('+15550100003');
});

test('npm run carrier -- status with PORT set, and with --url (which wins over PORT)', async () => {
  expect(await npmRun({ PORT: port }, 'carrier', '--', 'status')).toContain('+15550100001');
  expect(await npmRun({ PORT: '1' }, 'carrier', '--', 'status', '--url', `${stack.url}/`)).toContain('+15550100001');
});

test('nothing at that port: the CLI fails saying where it looked', async () => {
  await expect(npmRun({ PORT: '1' }, 'report')).rejects.toMatchObject({ stderr: expect.stringContaining('cannot reach http://127.0.0.1:1') });
});

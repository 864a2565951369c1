// The project type-checks (`npm run typecheck`: the server, CDK, local tools and tests; then the dashboard).
// jest compiles with swc, which strips types without checking them, and esbuild bundles the same way, so
// without this test a type error would pass CI unseen.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const tsc = require.resolve('typescript/bin/tsc');

test.each([
  ['the server, CDK app, local tools and tests', ['--noEmit', '-p', 'tsconfig.json']],
  ['the dashboard', ['--noEmit', '-p', 'web/tsconfig.json']],
])('%s type-check', async (_what, args) => {
  const run = await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: `${__dirname}/../..`, maxBuffer: 16 * 1024 * 1024 }).then(
    () => ({ ok: true, output: '' }),
    (err: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  );
  expect(run.output).toBe('');
  expect(run.ok).toBe(true);
}, 180_000);

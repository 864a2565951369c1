// `cdk synth` runs lib/ in a plain Node process: anything it imports from lambdas/ must be constants
// (names, tables, routes), never a module that builds a Powertools Logger or Metrics at load, reads the
// Lambda environment or opens an SDK client. Checked in a fresh process, as `cdk synth` runs (jest's
// module registry would hide what a plain require loads).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..');

// The modules bin/app.ts loads, and a synth (without esbuild: bundling does not import the handlers).
const SYNTH = `
const { App } = require('aws-cdk-lib');
const { addSwitchboard } = require('./lib/switchboard-app');
addSwitchboard(new App({ context: { 'aws:cdk:bundling-stacks': [] } })).node.root.synth();
process.stdout.write(JSON.stringify(Object.keys(require.cache)));
`;

test('synthesizing the app loads no Powertools, middy or AWS SDK client module', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', SYNTH], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const loaded = (JSON.parse(stdout) as string[]).map((file) => path.relative(ROOT, file));
  // The synth did load lib/ and the constants it shares with the handlers: the check looked at the right process.
  expect(loaded).toContain(path.join('lambdas', 'observability', 'names.ts'));
  expect(loaded.filter((file) => /node_modules\/(@aws-lambda-powertools|@middy|@aws-sdk\/(client|lib)-)/.test(file))).toEqual([]);
}, 120_000);

// `npm run bench`: the performance table of DESIGN.md section 10. Measured, never asserted.
//   1. each Lambda bundle's size (esbuild, the CDK's settings) and its cold start: a fresh Node process
//      loading the bundle and answering a first incoming call against DynamoDB Local;
//   2. DynamoDB requests per incoming call and per continuation step;
//   3. warm latency (p50, p99) and throughput of the voice and sms webhooks on the local stack;
//   4. the report's items read with 100,000 numbers of which 10 are unassigned.
// Options: --numbers N (default 100000), --requests N (default 300), --skip-report.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalStack } from '../local/stack';
import { DEMO_NUMBERS } from '../local/seed';
import { newSid } from '../local/carrier';
import { signTwilioRequest } from '../lambdas/twilio/signature';
import { ensureTables } from '../local/tables';
import { localTableNames, tableEnv } from '../lambdas/store/tables';
import { createStores } from '../lambdas/store/stores';
import { buildUnassignedReport } from '../lambdas/report/unassigned-report';
import { voiceWebhook } from '../lambdas/webhooks/voice';
import { countReads } from '../test/support/read-counter';
import { signedTwilioEvent } from '../test/support/twilio-events';

const { values } = parseArgs({ options: { numbers: { type: 'string' }, requests: { type: 'string' }, 'skip-report': { type: 'boolean' } } });
const NUMBERS = Number(values.numbers ?? 100_000);
const REQUESTS = Number(values.requests ?? 300);
const rows: Array<[string, string, string]> = [];
const row = (area: string, metric: string, value: string) => {
  rows.push([area, metric, value]);
  console.error(`  ${area}: ${metric} = ${value}`);
};
const ms = (n: number) => `${n.toFixed(1)} ms`;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const HANDLERS = ['voice-webhook', 'sms-webhook', 'admin-api', 'unassigned-report'];
const OPEN_HOURS = '2026-11-24T15:00:00Z'; // a Tuesday afternoon in New York: the demo flow is open

async function main(): Promise<void> {
  console.error('Starting the local stack (DynamoDB Local, tables, demo)...');
  const stack = await startLocalStack({ port: 0 });
  try {
    await bundles(stack.dynamoEndpoint, stack.tables);
    await requestsPerStep(stack.tables);
    await latency(stack.url, stack.authToken);
    if (!values['skip-report']) await reportReads(stack.dynamoEndpoint);
  } finally {
    await stack.stop();
  }
  const widths = [0, 1, 2].map((i) => Math.max(...[['area', 'metric', 'value'], ...rows].map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(['area', 'metric', 'value']), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
}

async function bundles(endpoint: string, tables: ReturnType<typeof localTableNames>): Promise<void> {
  const out = mkdtempSync(join(process.cwd(), 'node_modules', '.bench-'));
  for (const name of HANDLERS) {
    await build({
      entryPoints: [`lambdas/handlers/${name}.ts`], bundle: true, platform: 'node', target: 'node22', format: 'cjs',
      minify: true, mainFields: ['module', 'main'], outfile: join(out, name, 'index.js'), logLevel: 'error',
    });
    row('bundle', `${name} size (AWS SDK bundled, as deployed)`, `${(statSync(join(out, name, 'index.js')).size / 1024).toFixed(0)} KB`);
  }
  // What our code and twilio's narrow modules weigh without the SDK (which the Node 22 runtime also ships).
  await build({
    entryPoints: ['lambdas/handlers/voice-webhook.ts'], bundle: true, platform: 'node', target: 'node22', format: 'cjs',
    minify: true, external: ['@aws-sdk/*'], outfile: join(out, 'voice-no-sdk.js'), logLevel: 'error',
  });
  row('bundle', 'voice-webhook size without @aws-sdk', `${(statSync(join(out, 'voice-no-sdk.js')).size / 1024).toFixed(0)} KB`);
  // Cold start: a fresh process loads the voice bundle and answers a first incoming call.
  const url = `https://bench.example/twilio/voice`;
  const params = { CallSid: newSid('CA'), AccountSid: newSid('AC'), From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing', Direction: 'inbound' };
  const event = signedTwilioEvent({ url, params, authToken: 'bench-token', headers: { 'x-switchboard-at': OPEN_HOURS } });
  const driver = join(out, 'cold.js');
  writeFileSync(driver, `
    const t0 = performance.now();
    const { handler } = require(${JSON.stringify(join(out, 'voice-webhook', 'index.js'))});
    const t1 = performance.now();
    handler(${JSON.stringify(event)}).then((r) => {
      const t2 = performance.now();
      console.log(JSON.stringify({ status: r.statusCode, load: t1 - t0, first: t2 - t1, process: t2 }));
    });`);
  const env = { ...process.env, ...tableEnv(tables), AWS_ENDPOINT_URL_DYNAMODB: endpoint, TWILIO_AUTH_TOKEN: 'bench-token', SWITCHBOARD_LOCAL: '1', PUBLIC_URL: '' };
  const runs = Array.from({ length: 5 }, () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [driver], { env, encoding: 'utf8' });
    const wall = performance.now() - started;
    const parsed = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
    if (parsed.status !== 200) throw new Error(`cold start answered ${parsed.status}: ${result.stderr}`);
    return { ...parsed, wall };
  });
  const median = (k: string) => runs.map((r) => r[k] as number).sort((a, b) => a - b)[2];
  row('cold start', 'voice bundle require()', ms(median('load')));
  row('cold start', 'first incoming call answered (after load)', ms(median('first')));
  row('cold start', 'fresh node process to first answer (wall)', ms(median('wall')));
  execFileSync('rm', ['-rf', out]);
}

async function requestsPerStep(tables: ReturnType<typeof localTableNames>): Promise<void> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const commands: string[] = [];
  doc.middlewareStack.add((next, context) => async (args) => {
    commands.push(String(context.commandName).replace('Command', ''));
    return next(args);
  }, { step: 'initialize', name: 'countCommands' });
  const webhook = voiceWebhook({ ...createStores(doc, tables), now: () => new Date(OPEN_HOURS), authToken: async () => 'bench-token' });
  const params = { CallSid: newSid('CA'), From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing' };
  const measure = async (label: string, url: string, extra: Record<string, string> = {}) => {
    commands.length = 0;
    const res = await webhook(signedTwilioEvent({ url, params: { ...params, ...extra }, authToken: 'bench-token' }));
    const reads = commands.filter((c) => /Get|Query|Scan/.test(c)).length;
    const writes = commands.length - reads;
    row('dynamodb', label, `${reads} reads, ${writes} writes (${commands.join(', ')})`);
    return res.body;
  };
  const first = await measure('incoming call (cold caches)', '/twilio/voice');
  await measure('incoming call (warm)', '/twilio/voice');
  const action = /<Gather[^>]*action="([^"]+)"/.exec(first)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const path = action.slice(action.indexOf('/twilio/'));
  await measure('menu key -> sequential dial (directory read, then cached 5 s)', path, { Digits: '1' });
  await measure('menu continuation, revision cached', path, { Digits: '9' });
}

async function latency(base: string, token: string): Promise<void> {
  const voice = () => {
    const params = { CallSid: newSid('CA'), AccountSid: newSid('AC'), From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing', Direction: 'inbound' };
    return { url: `${base}/twilio/voice`, params };
  };
  const sms = () => {
    const params = { MessageSid: newSid('SM'), AccountSid: newSid('AC'), From: '+15550109999', To: DEMO_NUMBERS.main, Body: 'bench', NumMedia: '0' };
    return { url: `${base}/twilio/sms`, params };
  };
  const post = async ({ url, params }: { url: string; params: Record<string, string> }) => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(url, params, token), 'x-switchboard-at': OPEN_HOURS },
      body: new URLSearchParams(params).toString(),
    });
    await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return performance.now() - started;
  };
  for (const [name, make] of [['voice', voice], ['sms', sms]] as const) {
    for (let i = 0; i < 20; i++) await post(make()); // warm up
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) times.push(await post(make()));
    times.sort((a, b) => a - b);
    row('warm latency', `${name} webhook p50 / p99 (${REQUESTS} sequential)`, `${ms(pct(times, 50))} / ${ms(pct(times, 99))}`);
    const concurrency = 8;
    const until = performance.now() + 3000;
    let done = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await post(make());
        done++;
      }
    }));
    row('throughput', `${name} webhook (${concurrency} concurrent, 3 s, local stack)`, `${(done / 3).toFixed(0)} req/s`);
  }
}

async function reportReads(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint });
  const names = localTableNames('bench');
  await ensureTables(client, names);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const stores = createStores(doc, names);
  const user = await stores.directory.createUser({ name: 'Bench', phone: '+15550200001', available: true });
  const { publishFlow } = await import('../lambdas/admin/flows');
  const flow = await publishFlow({ ...stores, now: () => new Date() }, undefined, {
    name: 'Bench', call: { start: 'h', applets: { h: { type: 'hangup' } } }, sms: { start: 'i', applets: { i: { type: 'inbox', mailbox: { user: user.id }, notify: false } } },
  });
  console.error(`  writing ${NUMBERS} numbers (10 unassigned)...`);
  const at = new Date().toISOString();
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (;;) {
      const start = next;
      next += 25;
      if (start >= NUMBERS) return;
      const items = Array.from({ length: Math.min(25, NUMBERS - start) }, (_, j) => {
        const i = start + j;
        const number = `+1555${String(1_000_000 + i).padStart(7, '0')}`;
        return i < 10 ? { number, name: `spare ${i}`, noFlow: '1', since: at, createdAt: at, updatedAt: at } : { number, name: `line ${i}`, flowId: flow.id, since: at, createdAt: at, updatedAt: at };
      });
      let request: Record<string, any> | undefined = { [names.numbers]: items.map((Item) => ({ PutRequest: { Item } })) }; // eslint-disable-line @typescript-eslint/no-explicit-any
      while (request && Object.keys(request).length) request = (await doc.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems;
    }
  }));
  console.error(`  written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const counted = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const reads = countReads(counted);
  const t0 = performance.now();
  const report = await buildUnassignedReport(createStores(counted, names), new Date());
  const took = performance.now() - t0;
  row('report', `items read, ${NUMBERS.toLocaleString('en-US')} numbers / ${report.numbers.length} unassigned`, `${reads.items} items in ${reads.requests} requests (${ms(took)})`);
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});

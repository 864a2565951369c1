// `npm run bench`: the performance table of DESIGN.md section 10. Measured, never asserted.
//   1. each Lambda bundle's size as deployed (esbuild with the CDK's settings, lib/bundling.ts), and the
//      part of a webhook bundle that is not the AWS SDK against the 300 KB budget; cold starts side by side
//      in the same run: a bare `node -e ""`, a fresh process loading each bundle, and a fresh process
//      answering a first incoming call, the voice webhook against the SDK floor (bench/sdk-floor-handler.ts:
//      the same 2 reads + 1 write with the same SDK client; budget 1.25x), with the SDK bundled and with
//      the runtime's copy;
//   2. DynamoDB requests per incoming call and per continuation step;
//   3. warm latency (p50, p99) of the voice and sms webhooks on the local stack, against the DynamoDB
//      round trips they make, done alone; throughput under load (autocannon);
//   4. the report's items read with 100,000 numbers of which 10 are unassigned.
// The table is printed and written as JSON under bench/results/, each figure with its ratio to its yardstick.
// package.json runs it with Powertools metrics off and errors-only logs: the in-process stack's output
// would interleave with the table (on Lambda that output goes to the runtime's log pipeline, not a terminal).
// Options: --numbers N (default 100000), --requests N (default 300), --runs N (cold starts, default 11), --skip-report.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import autocannon from 'autocannon';
import { LAMBDA_BUNDLING } from '../lib/bundling';
import { measureBundle } from '../bench/bundle-size';
import { startLocalStack } from '../local/stack';
import { DEMO_NUMBERS } from '../local/seed';
import { newSid } from '../local/carrier';
import { signTwilioRequest } from '../lambdas/twilio/signature';
import { ensureTables } from '../local/tables';
import { localTableNames, tableEnv } from '../lambdas/store/tables';
import { createStores } from '../lambdas/store/stores';
import { buildUnassignedReport } from '../lambdas/report/unassigned-report';
import { voiceWebhook } from '../lambdas/webhooks/voice';
import { smsWebhook } from '../lambdas/webhooks/sms';
import { spillFromEnv } from '../lambdas/spill/spill-from-env';
import { countReads } from '../test/support/read-counter';
import { signedTwilioEvent } from '../test/support/twilio-events';

const { values } = parseArgs({ options: { numbers: { type: 'string' }, requests: { type: 'string' }, runs: { type: 'string' }, 'skip-report': { type: 'boolean' } } });
const NUMBERS = Number(values.numbers ?? 100_000);
const REQUESTS = Number(values.requests ?? 300);
const RUNS = Number(values.runs ?? 11);

/** One figure of the table: its value, and against what it is judged (a yardstick measured in the same run, or a budget). */
interface Figure {
  area: string;
  metric: string;
  value: string;
  number?: number;
  unit?: string;
  yardstick?: { name: string; value: number };
  ratio?: number;
  budget?: string;
  withinBudget?: boolean;
}
const figures: Figure[] = [];
function row(area: string, metric: string, value: string, extra: Omit<Figure, 'area' | 'metric' | 'value'> = {}): void {
  const ratio = extra.ratio ?? (extra.number !== undefined && extra.yardstick ? extra.number / extra.yardstick.value : undefined);
  figures.push({ area, metric, value, ...extra, ...(ratio !== undefined && { ratio: Number(ratio.toFixed(2)) }) });
  console.error(`  ${area}: ${metric} = ${value}`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const BUNDLE_BUDGET_KB = 300;
const FIRST_ANSWER_BUDGET_RATIO = 1.25;
const WARM_BUDGET_RATIO = 1.5;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const HANDLERS = ['voice-webhook', 'sms-webhook', 'fallback-webhook', 'admin-api', 'unassigned-report', 'spill-drain', 'outbound-sender'];
const OPEN_HOURS = '2026-11-24T15:00:00Z'; // a Tuesday afternoon in New York: the demo flow is open

async function main(): Promise<void> {
  console.error('Starting the local stack (DynamoDB Local, tables, demo)...');
  const stack = await startLocalStack({ port: 0 });
  try {
    await bundles(stack.dynamoEndpoint, stack.tables);
    await requestsPerStep(stack.tables);
    await latency(stack.url, stack.authToken, stack.tables);
    if (!values['skip-report']) await reportReads(stack.dynamoEndpoint);
  } finally {
    await stack.stop();
  }
  const rows = figures.map((f) => [f.area, f.metric, f.value, f.ratio !== undefined ? `${f.ratio.toFixed(2)}x ${f.yardstick?.name ?? ''}`.trim() : '', f.budget ? `${f.budget}: ${f.withinBudget ? 'ok' : 'OVER'}` : '']);
  const header = ['area', 'metric', 'value', 'ratio to yardstick', 'budget'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, figures }, null, 2)}\n`);
  console.error(`\nwritten ${file}`);
}

async function bundles(endpoint: string, tables: ReturnType<typeof localTableNames>): Promise<void> {
  const out = mkdtempSync(join(process.cwd(), 'node_modules', '.bench-'));
  for (const name of HANDLERS) {
    const size = await measureBundle(`lambdas/handlers/${name}.ts`, join(out, name, 'index.js'), LAMBDA_BUNDLING.external);
    const webhook = name.endsWith('-webhook');
    row('bundle', `${name}: as deployed (of which the AWS SDK)`, `${size.total.toFixed(0)} KB (${size.sdk.toFixed(0)} KB)`, { number: size.total, unit: 'KB' });
    if (webhook) {
      row('bundle', `${name}: our code + non-SDK dependencies`, `${size.ours.toFixed(0)} KB`, {
        number: size.ours, unit: 'KB', budget: `<= ${BUNDLE_BUDGET_KB} KB`, withinBudget: size.ours <= BUNDLE_BUDGET_KB,
      });
    }
  }

  // Cold start, side by side in one run: a fresh process loading a bundle and answering a first incoming
  // call, for the voice webhook and for the SDK floor (bench/sdk-floor-handler.ts: the same SDK client,
  // the same 2 reads + 1 write, nothing else); with the SDK as the Lambdas take it (LAMBDA_BUNDLING) and,
  // to show the choice, the other way (bundled into the file, or left to the runtime's copy).
  const url = `https://bench.example/twilio/voice`;
  const params = { CallSid: newSid('CA'), AccountSid: newSid('AC'), From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing', Direction: 'inbound' };
  const event = signedTwilioEvent({ url, params, authToken: 'bench-token', headers: { 'x-switchboard-at': OPEN_HOURS } });
  const placements: Record<string, readonly string[]> = { 'SDK bundled': [], "the runtime's SDK": ['@aws-sdk/*'] };
  const isDeployed = (placement: string) => JSON.stringify(placements[placement]) === JSON.stringify(LAMBDA_BUNDLING.external);
  const drivers: Record<string, string> = {};
  for (const [placement, external] of Object.entries(placements)) {
    for (const [what, entry] of [['voice', 'lambdas/handlers/voice-webhook.ts'], ['floor', 'bench/sdk-floor-handler.ts']] as const) {
      const dir = join(out, `${what}-${placement.replace(/\W+/g, '-')}`);
      const file = join(dir, 'index.js');
      await measureBundle(entry, file, external);
      drivers[`${what}|${placement}`] = join(dir, 'cold.js');
      writeFileSync(join(dir, 'cold.js'), `
        const t0 = performance.now();
        const { handler } = require(${JSON.stringify(file)});
        const t1 = performance.now();
        handler(${JSON.stringify(event)}, {}).then((r) => {
          const t2 = performance.now();
          console.log(JSON.stringify({ status: r.statusCode, load: t1 - t0, first: t2 - t1 }));
        });`);
    }
  }
  const env = {
    ...process.env, ...tableEnv(tables), AWS_ENDPOINT_URL_DYNAMODB: endpoint, TWILIO_AUTH_TOKEN: 'bench-token', SWITCHBOARD_LOCAL: '1', PUBLIC_URL: '',
    POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const wall = (args: string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
    return { ms: performance.now() - started, stdout: result.stdout };
  };
  const samples: Record<string, number[]> = { bare: [], voice: [], sms: [], admin: [] };
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so a busy moment of the machine weighs on every column alike.
    samples.bare.push(wall(['-e', '']).ms);
    for (const name of ['voice', 'sms', 'admin'] as const) {
      samples[name].push(wall(['-e', `require(${JSON.stringify(join(out, name === 'admin' ? 'admin-api' : `${name}-webhook`, 'index.js'))})`]).ms);
    }
    for (const [key, driver] of Object.entries(drivers)) {
      const first = wall([driver]);
      const parsed = JSON.parse(first.stdout.trim().split('\n').pop() ?? '{}');
      if (parsed.status !== 200) throw new Error(`${key}: cold start answered ${parsed.status}`);
      (samples[key] ??= []).push(first.ms);
      (samples[`${key}|require`] ??= []).push(parsed.load);
      (samples[`${key}|answer`] ??= []).push(parsed.first);
    }
  }
  const bare = { name: 'bare node -e ""', value: median(samples.bare) };
  row('cold start', `bare node -e "" (median of ${RUNS})`, ms(bare.value), { number: bare.value, unit: 'ms' });
  for (const name of ['voice', 'sms', 'admin'] as const) {
    row('cold start', `fresh node loading the ${name} bundle`, ms(median(samples[name])), { number: median(samples[name]), unit: 'ms', yardstick: bare });
  }
  for (const placement of Object.keys(placements)) {
    const deployed = isDeployed(placement);
    const floor = { name: `the SDK floor (${placement})`, value: median(samples[`floor|${placement}`]) };
    const voice = median(samples[`voice|${placement}`]);
    const tag = deployed ? `${placement}, as deployed` : `${placement}, not deployed`;
    row('first answer', `SDK floor: fresh node to 2 reads + 1 write answered (${tag})`, ms(floor.value), { number: floor.value, unit: 'ms' });
    row('first answer', `voice: fresh node to the first incoming call answered (${tag})`, ms(voice), {
      number: voice, unit: 'ms', yardstick: floor, ...(deployed && { budget: `<= ${FIRST_ANSWER_BUDGET_RATIO}x the SDK floor`, withinBudget: voice / floor.value <= FIRST_ANSWER_BUDGET_RATIO }),
    });
    row('first answer', `voice: require() / first answer inside that process (${tag})`, `${ms(median(samples[`voice|${placement}|require`]))} / ${ms(median(samples[`voice|${placement}|answer`]))}`);
    row('first answer', `SDK floor: require() / first answer inside that process (${tag})`, `${ms(median(samples[`floor|${placement}|require`]))} / ${ms(median(samples[`floor|${placement}|answer`]))}`);
  }
  execFileSync('rm', ['-rf', out]);
}

async function requestsPerStep(tables: ReturnType<typeof localTableNames>): Promise<void> {
  const doc = createDynamoDb({});
  const commands: string[] = [];
  const send = doc.send.bind(doc);
  doc.send = (command) => {
    commands.push(command.constructor.name.replace(/Command$/, ''));
    return send(command);
  };
  // The local stack's spool (SPILL_SPOOL_DIR): nothing spills while DynamoDB Local answers.
  const webhook = voiceWebhook({ ...createStores(doc, tables), spill: spillFromEnv(), now: () => new Date(OPEN_HOURS), authToken: async () => 'bench-token' });
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
  await measure('menu key -> sequential dial (the people it rings, BatchGet; then cached 5 s)', path, { Digits: '1' });
  await measure('menu continuation, revision cached', path, { Digits: '9' });

  const texts = smsWebhook({ ...createStores(doc, tables), spill: spillFromEnv(), now: () => new Date(OPEN_HOURS), authToken: async () => 'bench-token' });
  for (const label of ['incoming text (cold caches)', 'incoming text (warm)']) {
    commands.length = 0;
    await texts(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: newSid('SM'), From: '+15550109999', To: DEMO_NUMBERS.main, Body: 'bench', NumMedia: '0' }, authToken: 'bench-token' }));
    const reads = commands.filter((c) => /Get|Query|Scan/.test(c)).length;
    row('dynamodb', label, `${reads} reads, ${commands.length - reads} writes (${commands.join(', ')})`);
  }
}

async function latency(base: string, token: string, tables: ReturnType<typeof localTableNames>): Promise<void> {
  const voice = () => ({ url: `${base}/twilio/voice`, params: { CallSid: newSid('CA'), AccountSid: newSid('AC'), From: '+15550109999', To: DEMO_NUMBERS.main, CallStatus: 'ringing', Direction: 'inbound' } });
  const sms = () => ({ url: `${base}/twilio/sms`, params: { MessageSid: newSid('SM'), AccountSid: newSid('AC'), From: '+15550109999', To: DEMO_NUMBERS.main, Body: 'bench', NumMedia: '0' } });
  const signed = ({ url, params }: { url: string; params: Record<string, string> }) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(url, params, token), 'x-switchboard-at': OPEN_HOURS },
    body: new URLSearchParams(params).toString(),
  });
  const post = async (request: { url: string; params: Record<string, string> }) => {
    const started = performance.now();
    const res = await fetch(request.url, { method: 'POST', ...signed(request) });
    await res.text();
    if (res.status !== 200) throw new Error(`${request.url} answered ${res.status}`);
    return performance.now() - started;
  };

  // The yardsticks: the DynamoDB round trips each warm webhook waits for (the `dynamodb` rows above), done
  // alone with the same client. A call: the number, the flow head, its trace step. A text: the number, the
  // flow head, the opt-outs of everyone its answer texts (the sender and the 3 members its inbox notifies),
  // then the text and its trace together.
  const doc = createDynamoDb({});
  const head = () => [
    doc.send(new GetCommand({ TableName: tables.numbers, Key: { number: DEMO_NUMBERS.main } })),
    doc.send(new GetCommand({ TableName: tables.flows, Key: { id: 'bench', rev: 0 }, ConsistentRead: true })),
  ];
  const sequences = {
    voice: async () => {
      for (const read of head()) await read;
      await doc.send(new PutCommand({ TableName: tables.traces, Item: { sid: newSid('CA'), step: '0', at: new Date().toISOString() } }));
    },
    sms: async () => {
      for (const read of head()) await read;
      const keys = ['+15550109999', '+15550200001', '+15550200002', '+15550200003'].map((r) => ({ pk: `optout#${DEMO_NUMBERS.main}#${r}`, sk: '-' }));
      await doc.send(new BatchGetCommand({ RequestItems: { [tables.state]: { Keys: keys } } }));
      await Promise.all([
        doc.send(new PutCommand({ TableName: tables.messages, Item: { mailbox: 'bench', id: newSid('SM'), at: new Date().toISOString() } })),
        doc.send(new PutCommand({ TableName: tables.traces, Item: { sid: newSid('SM'), step: '0', at: new Date().toISOString() } })),
      ]);
    },
  };
  const yardsticks: Record<keyof typeof sequences, { name: string; value: number }> = { voice: { name: '', value: 0 }, sms: { name: '', value: 0 } };
  for (const [name, sequence] of Object.entries(sequences) as [keyof typeof sequences, () => Promise<void>][]) {
    const timed = async () => {
      const started = performance.now();
      await sequence();
      return performance.now() - started;
    };
    for (let i = 0; i < 20; i++) await timed();
    const alone: number[] = [];
    for (let i = 0; i < REQUESTS; i++) alone.push(await timed());
    yardsticks[name] = { name: 'its DynamoDB round trips alone', value: pct([...alone].sort((a, b) => a - b), 50) };
    const what = name === 'voice' ? '2 reads + 1 write' : '3 reads, then 2 writes together';
    row('warm latency', `${name}'s round trips alone: ${what} to DynamoDB Local (p50 of ${REQUESTS})`, ms(yardsticks[name].value), { number: yardsticks[name].value, unit: 'ms' });
  }

  for (const [name, make] of [['voice', voice], ['sms', sms]] as const) {
    const yardstick = yardsticks[name];
    for (let i = 0; i < 20; i++) await post(make()); // warm up
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) times.push(await post(make()));
    times.sort((a, b) => a - b);
    row('warm latency', `${name} webhook p50 (${REQUESTS} sequential)`, ms(pct(times, 50)), {
      number: pct(times, 50), unit: 'ms', yardstick, budget: `<= ${WARM_BUDGET_RATIO}x the round trips`, withinBudget: pct(times, 50) / yardstick.value <= WARM_BUDGET_RATIO,
    });
    row('warm latency', `${name} webhook p99`, ms(pct(times, 99)), { number: pct(times, 99), unit: 'ms', yardstick });
    // Throughput under load, from autocannon: every request freshly signed, as Twilio would send it.
    const result = await autocannon({
      url: make().url,
      connections: 8,
      duration: 5,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const request = make();
          return { ...req, ...signed(request) };
        },
      }],
    });
    if (result.non2xx || result.errors) throw new Error(`${name} under load: ${result.non2xx} non-2xx, ${result.errors} errors`);
    row('throughput', `${name} webhook, autocannon 8 connections x 5 s (local stack, 2 cores)`, `${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms`, { number: result.requests.average, unit: 'req/s' });
  }
}

async function reportReads(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint });
  const names = localTableNames('bench');
  await ensureTables(client, names);
  const doc = createDynamoDb({ endpoint });
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
      let request: Record<string, any> | undefined = { [names.numbers]: items.map((Item) => ({ PutRequest: { Item } })) }; // eslint-disable-line @typescript-eslint/no-explicit-any -- one variable carries the RequestItems sent and the UnprocessedItems answered, whose SDK types differ
      while (request && Object.keys(request).length) request = (await doc.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems;
    }
  }));
  console.error(`  written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const counted = createDynamoDb({ endpoint });
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

// Local load (issue 18, item 3; DESIGN.md sections 5, 9): 300 concurrent signed calls on one
// round-robin flow and 300 concurrent texts, against the local stack over HTTP. Every caller gets the
// flow's answer (a <Dial>), never the apology; every sender gets the flow's reply, never the empty
// safe answer; nothing answers 5xx; and the round-robin counter moved exactly once per call that dialed.
// Before the fix, waiting for one of the DynamoDB client's 50 sockets counted against the 500 ms
// connection timeout: most of a burst got the safe answer, and the counter moved for calls that never rang.
// Timings are printed, never asserted (performance is `npm run bench`'s job).
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../local/stack';
import { signTwilioRequest } from '../../lambdas/twilio/signature';
import { createDynamoDb, type DynamoDb } from '../../lambdas/store/dynamo-client';
import { DynamoMessageStore } from '../../lambdas/store/message-store';
import { httpOk, startTestStack } from '../support/local-stack';

/** The burst: this many requests at once, each bounded in time; the whole loop targets 127.0.0.1 only. */
const BURST = 300;
const PER_REQUEST_LIMIT_MS = 120_000;
const MEMBERS = 3;

let stack: LocalStack;
let doc: DynamoDb;
beforeAll(async () => {
  stack = await startTestStack();
  expect(new URL(stack.url).hostname).toBe('127.0.0.1');
  doc = createDynamoDb({ endpoint: stack.dynamoEndpoint });
}, 120_000);
afterAll(async () => {
  doc?.destroy();
  await stack?.stop();
});

const ok = (method: string, path: string, body?: unknown) => httpOk(stack, method, path, body);
const pad = (n: number, width = 4) => String(n).padStart(width, '0');

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One signed carrier POST, bounded in time; a failure to answer is recorded as status 0, not thrown. */
async function post(route: string, params: Record<string, string>): Promise<Answer> {
  const url = `${stack.url}/twilio/${route}`;
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(url, params, stack.authToken) },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(PER_REQUEST_LIMIT_MS),
    });
    return { status: res.status, body: await res.text(), ms: Date.now() - started };
  } catch (err) {
    return { status: 0, body: String(err), ms: Date.now() - started };
  }
}

/** All at once: exactly BURST requests, started together. */
const burst = (make: (i: number) => Promise<Answer>) => Promise.all(Array.from({ length: BURST }, (_, i) => make(i)));

function report(what: string, answers: Answer[]): void {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  const statuses = new Map<number, number>();
  for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
  console.log(`${what}: ${answers.length} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${ms.at(-1)} ms, over 3 s: ${ms.filter((m) => m > 3_000).length}`);
}

let group: { id: string };
let flowId: string;
const LINE = '+15550710001';

beforeAll(async () => {
  const members: string[] = [];
  for (let i = 1; i <= MEMBERS; i++) members.push((await ok('POST', '/api/users', { name: `Agent ${i}`, phone: `+155507200${pad(i, 2)}` })).id);
  group = await ok('POST', '/api/groups', { name: 'Load desk', members });
  const flow = await ok('POST', '/api/flows', {
    name: 'Load line',
    call: {
      start: 'ring',
      applets: {
        ring: { type: 'dial', group: group.id, strategy: 'round-robin', noAnswer: 'bye' },
        bye: { type: 'hangup' },
      },
    },
    sms: {
      start: 'reply',
      applets: {
        reply: { type: 'reply', text: 'Thanks, we will get back to you.', next: 'inbox' },
        inbox: { type: 'inbox', mailbox: { group: group.id } },
      },
    },
  });
  flowId = flow.id;
  await ok('PUT', `/api/numbers/${encodeURIComponent(LINE)}`, { name: 'Load line', flowId });
}, 120_000);

const SAFE_CALL = /cannot take your call/;
const EMPTY_SMS = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

it(`${BURST} concurrent calls on one round-robin flow: every caller is dialed, none hears the apology, the counter moves once per dial`, async () => {
  const answers = await burst((i) =>
    post('voice', { CallSid: `CA${pad(i, 32)}`, AccountSid: `AC${'0'.repeat(32)}`, From: `+155507300${pad(i, 3)}`, To: LINE, CallStatus: 'ringing', Direction: 'inbound' }),
  );
  report('calls', answers);
  const apologies = answers.filter((a) => SAFE_CALL.test(a.body)).length;
  const dialed = answers.filter((a) => a.status === 200 && a.body.includes('<Dial')).length;
  const counter = (await doc.send(new GetCommand({ TableName: stack.tables.state, Key: { pk: `rr#${flowId}:ring:${group.id}`, sk: '-' }, ConsistentRead: true }))).Item;
  console.log(`calls: ${dialed} dialed, ${apologies} apologies, counter ${counter?.calls}`);

  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(apologies).toBe(0);
  expect(dialed).toBe(BURST);
  // Exact: one advance per call that dialed, no more (retries, failures after the advance) and no less.
  expect(counter?.calls).toBe(dialed);
  // So each member was rung first by exactly a third of the calls.
  const firstRung = new Map<string, number>();
  for (const a of answers) {
    const first = /<Number[^>]*>([^<]+)<\/Number>/.exec(a.body)?.[1] ?? 'none';
    firstRung.set(first, (firstRung.get(first) ?? 0) + 1);
  }
  expect([...firstRung.values()]).toEqual(Array(MEMBERS).fill(BURST / MEMBERS));
}, 600_000);

it(`${BURST} concurrent texts: every sender gets the flow's reply, none the safe answer, and every text lands in the flow's inbox`, async () => {
  const answers = await burst((i) =>
    post('sms', { MessageSid: `SM${pad(i, 32)}`, AccountSid: `AC${'0'.repeat(32)}`, From: `+155507400${pad(i, 3)}`, To: LINE, Body: `load text ${i}`, NumMedia: '0' }),
  );
  report('texts', answers);
  const replied = answers.filter((a) => a.status === 200 && a.body.includes('<Message')).length;
  console.log(`texts: ${replied} replied, ${answers.filter((a) => a.body === EMPTY_SMS).length} safe answers`);

  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(answers.filter((a) => a.body === EMPTY_SMS)).toHaveLength(0);
  expect(replied).toBe(BURST);
  // Stored (or kept in the spill and drained since: bounded wait) in the group's mailbox, none in unrouted.
  const messages = new DynamoMessageStore(doc, stack.tables.messages);
  const deadline = Date.now() + 60_000;
  let stored = 0;
  while (Date.now() < deadline && (stored = (await messages.list(`group#${group.id}`, 1_000)).length) < BURST) await new Promise((r) => setTimeout(r, 500));
  expect(stored).toBe(BURST);
  expect(await messages.list('unrouted', 1_000)).toEqual([]);
}, 600_000);

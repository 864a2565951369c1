// The deployed webhooks, not their source (DESIGN.md section 10): the voice and sms Lambdas as esbuild
// bundled them for the template, each run in a fresh Node process with the environment the template
// gives it, driven by API Gateway v2 events signed exactly as Twilio signs them, against DynamoDB Local.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseTwiml, isElement, textOf, type TwimlElement } from '../../local/carrier';
import { DEMO_NUMBERS, DEMO_PIN, seedDemo } from '../../local/seed';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { createStores, type Stores } from '../../lambdas/store/stores';
import { TABLES, TABLE_KEYS } from '../../lambdas/store/tables';
import { createTestTables, type TestTables } from '../support/dynamo';
import { signedTwilioEvent, TEST_AUTH_TOKEN, TEST_DOMAIN } from '../support/twilio-events';
import { sdkAuthorizationOf } from '../support/sigv4';
import { LambdaProcess, synthBundled, TEST_OUTBOX_URL, TEST_SECRET_ARN, TEST_SPILL_URL, type BundledApp, type Deployed } from './artifact-support';
import { logicalId } from './synth';
import { withoutAction } from '../support/role-policies';

type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

/** TWILIO_AUTH_TOKEN replaces the Secrets Manager read (lambdas/twilio/auth-token.ts): no AWS call leaves the test. */
const AUTH_ENV = { TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN };
const CALLER = '+15550109999';
/** Wednesday 4 March 2026, 10:00 in New York: the demo's office hours are open. */
const OFFICE_OPEN_AT = '2026-03-04T15:00:00.000Z';
const BUNDLE_LIMIT_BYTES = 1.5 * 1024 * 1024;

let app: BundledApp;
let tables: TestTables;
let stores: Stores;
let voice: Deployed;
let sms: Deployed;
let salesGroup: string;
let lambda: LambdaProcess | undefined;

beforeAll(async () => {
  tables = await createTestTables();
  app = await synthBundled(tables);
  voice = app.deployed(app.synth.stack.webhooks.voice);
  sms = app.deployed(app.synth.stack.webhooks.sms);
  // The demo data goes in through the stores, in this process; only the webhooks run as bundles.
  stores = createStores(tables.doc, tables.names);
  expect(await seedDemo({ ...stores, now: () => new Date() })).toMatchObject({ seeded: true });
  salesGroup = (await stores.directory.listGroups()).find((g) => g.name === 'Sales')!.id;
}, 300_000); // the first file bundles the whole app (six esbuild runs, the SDK included); the others wait for it

afterEach(async () => {
  await lambda?.close();
  lambda = undefined;
});

afterAll(() => {
  tables?.client.destroy();
  app?.dispose();
});

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

/** A 200 TwiML answer, parsed; fails with the answer itself otherwise. */
function twimlOf(result: HttpResult): TwimlElement {
  expect({ statusCode: result.statusCode, contentType: result.headers?.['content-type'] }).toEqual({ statusCode: 200, contentType: 'text/xml' });
  const root = parseTwiml(result.body);
  expect(root.name).toBe('Response');
  return root;
}

const verbs = (root: TwimlElement) => root.children.filter(isElement);
const verbNames = (root: TwimlElement) => verbs(root).map((v) => v.name);
const verb = (root: TwimlElement, name: string) => verbs(root).find((v) => v.name === name)!;
/** The numbers and clients a <Dial> rings, as `Number:+1555...` / `Client:ann`. */
const dialed = (dial: TwimlElement) => verbs(dial).map((n) => `${n.name}:${textOf(n)}`);

/** Our own continuation URLs: absolute, on the domain the request came to (no PUBLIC_URL in the template). */
function actionOf(element: TwimlElement): string {
  const url = element.attributes.action;
  expect(url).toMatch(new RegExp(`^https://${TEST_DOMAIN.replace(/\./g, '\\.')}/twilio/voice/step\\?`));
  expect(element.attributes.method).toBe('POST');
  return url;
}

describe('the webhook bundles, as deployed', () => {
  test.each([
    ['voice', () => voice],
    ['sms', () => sms],
  ])('%s: gets every table it uses, the secret ARN, and neither PUBLIC_URL nor SWITCHBOARD_LOCAL', (name, fn) => {
    const { environment } = fn();
    // Only the sms function takes the outbound texts' status callbacks (the Outbound table).
    for (const key of TABLE_KEYS) expect([key, environment[TABLES[key].envVar]]).toEqual([key, key === 'outbound' && name === 'voice' ? undefined : tables.names[key]]);
    expect(environment.OUTBOX_QUEUE_URL).toBe(TEST_OUTBOX_URL);
    expect(environment.TWILIO_AUTH_TOKEN_SECRET_ARN).toBe(TEST_SECRET_ARN);
    expect(environment.TWILIO_AUTH_TOKEN).toBeUndefined();
    expect(environment.PUBLIC_URL).toBeUndefined();
    // The simulated clock header is unsigned: a deployed webhook must never honour it.
    expect(environment.SWITCHBOARD_LOCAL).toBeUndefined();
  });

  test.each([
    ['voice', () => voice],
    ['sms', () => sms],
  ])('%s: is small, without the whole twilio library', (_name, fn) => {
    const { bundleFile } = fn();
    const size = statSync(bundleFile).size;
    expect(size).toBeLessThan(BUNDLE_LIMIT_BYTES);
    expect(readFileSync(bundleFile, 'utf8')).not.toContain('twilio/lib/rest');
    // The minified bundle drops module paths; its source map lists every file that went in.
    const sources: string[] = JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')).sources;
    expect(sources.some((s) => s.includes('twilio/lib/twiml/'))).toBe(true);
    expect(sources.filter((s) => /twilio\/lib\/(rest|base|http|credential_provider)\b/.test(s))).toEqual([]);
    // Documents are validated when published, not on every call: the schema library stays out.
    expect(sources.filter((s) => s.includes('node_modules/zod/'))).toEqual([]);
  });
});

describe('the bundled voice webhook, as deployed', () => {
  test('takes a whole call: hours, menu, three unanswered dials of Sales, then a voicemail into the Sales mailbox', async () => {
    // The demo flow starts with office hours, and Twilio sends no clock: the handler takes the time of
    // x-switchboard-at only when SWITCHBOARD_LOCAL=1 (local mode; the header is unsigned, so the template
    // never sets it — asserted above). Set here for this process only, so the call takes the "open"
    // branch whatever day and hour CI runs at, instead of going to voicemail at night and on weekends.
    lambda = new LambdaProcess(voice, { ...AUTH_ENV, SWITCHBOARD_LOCAL: '1' });
    const call = {
      AccountSid: sid('AC'),
      ApiVersion: '2010-04-01',
      CallSid: sid('CA'),
      CallStatus: 'in-progress',
      Direction: 'inbound',
      From: CALLER,
      To: DEMO_NUMBERS.main,
      CallerCountry: 'US',
      ToCountry: 'US',
    };
    const post = async (url: string, params: Record<string, string> = {}) =>
      twimlOf(await lambda!.invoke<HttpResult>(signedTwilioEvent({ url, params: { ...call, ...params }, headers: { 'x-switchboard-at': OFFICE_OPEN_AT } })));

    // Incoming call: open → greeting → menu (a gather, and a redirect for when no key comes).
    const incoming = await post(`https://${TEST_DOMAIN}/twilio/voice`);
    expect(verbNames(incoming)).toEqual(['Say', 'Gather', 'Redirect']);
    expect(textOf(verb(incoming, 'Say'))).toBe('Thanks for calling Acme.');
    const gather = verb(incoming, 'Gather');
    expect(textOf(gather)).toBe('For sales press 1. For support press 2.');

    // 1 → sales: a sequential dial of the group, one member per round.
    let answer = await post(actionOf(gather), { Digits: '1' });
    const rounds: string[][] = [];
    for (let i = 0; i < 3; i++) {
      expect(verbNames(answer)).toEqual(['Dial']);
      const dial = verb(answer, 'Dial');
      rounds.push(dialed(dial));
      answer = await post(actionOf(dial), { DialCallStatus: 'no-answer', DialCallSid: sid('CA'), DialCallDuration: '0' });
    }
    expect(rounds).toEqual([['Client:ann', 'Number:+15550200001'], ['Number:+15550200002'], ['Number:+15550200003']]);

    // Nobody answered: the voicemail prompt and a recording into the Sales mailbox.
    expect(verbNames(answer)).toEqual(['Say', 'Record', 'Hangup']);
    expect(textOf(verb(answer, 'Say'))).toBe('Please leave a message after the tone.');
    const record = verb(answer, 'Record');
    expect(record.attributes).toMatchObject({ maxLength: '120', transcribe: 'true' });
    expect(new URL(record.attributes.recordingStatusCallback).searchParams.get('mb')).toBe(`group#${salesGroup}`);

    const recording = { RecordingSid: sid('RE'), RecordingDuration: '7' };
    const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${call.AccountSid}/Recordings/${recording.RecordingSid}`;
    const done = await post(actionOf(record), { ...recording, RecordingUrl: recordingUrl, Digits: 'hangup' });
    expect(verbNames(done)).toEqual(['Hangup']);

    const mailbox = await stores.messages.list(`group#${salesGroup}`);
    expect(mailbox).toContainEqual(
      expect.objectContaining({
        id: recording.RecordingSid,
        kind: 'voicemail',
        callSid: call.CallSid,
        from: CALLER,
        to: DEMO_NUMBERS.main,
        recordingUrl,
        durationSeconds: 7,
        receivedAt: OFFICE_OPEN_AT,
      }),
    );
    // Every request of the call left its trace step.
    expect((await stores.traces.get(call.CallSid)).steps.length).toBeGreaterThanOrEqual(6);
    expect(lambda.logs).not.toContain('"level":"ERROR"');

    // Every AWS call of it is checked against the voice role when the process closes (afterEach); the
    // check has teeth: without dynamodb:UpdateItem in the role, the same calls are refused, by name.
    expect(voice.refusals(lambda.calls)).toEqual([]);
    const stripped = withoutAction(app.synth.template.toJSON(), logicalId(app.synth.stack.webhooks.voice.role!), 'dynamodb:UpdateItem');
    expect(voice.refusals(lambda.calls, stripped)).toEqual([expect.objectContaining({ action: 'dynamodb:UpdateItem', decision: 'implicit-deny' })]);
  });

  test('a sticky round-robin dial, an answer and a call to an unknown number: every state write the voice role was narrowed to is allowed', async () => {
    const deps = { ...stores, now: () => new Date() };
    const flow = await publishFlow(deps, undefined, flowDocumentSchema.parse({
      name: 'Artifact rotation',
      call: { start: 'ring', applets: { ring: { type: 'dial', group: salesGroup, strategy: 'round-robin', sticky: true, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    }));
    const line = '+15550100081';
    await stores.numbers.register(line, 'Artifact rotation line', flow.id, new Date());
    lambda = new LambdaProcess(voice, AUTH_ENV);
    const call = { AccountSid: sid('AC'), CallSid: sid('CA'), From: CALLER, To: line, CallStatus: 'ringing', Direction: 'inbound' };
    // The counter advances (UpdateItem), the sticky member is looked up (GetItem): one member rung.
    const incoming = twimlOf(await lambda.invoke<HttpResult>(signedTwilioEvent({ url: `https://${TEST_DOMAIN}/twilio/voice`, params: call })));
    expect(verbNames(incoming)).toEqual(['Dial']);
    // Answered and ended: the member is remembered for this caller (PutItem).
    const ended = await lambda.invoke<HttpResult>(
      signedTwilioEvent({ url: actionOf(verb(incoming, 'Dial')), params: { ...call, CallStatus: 'in-progress', DialCallStatus: 'completed', DialBridged: 'true', DialCallDuration: '30' } }),
    );
    expect(verbNames(twimlOf(ended))).toEqual(['Hangup']);
    // A number nobody registered: the unrouted event (conditional PutItem) and the trace.
    const unknown = { ...call, CallSid: sid('CA'), To: '+15550100982' };
    twimlOf(await lambda.invoke<HttpResult>(signedTwilioEvent({ url: `https://${TEST_DOMAIN}/twilio/voice`, params: unknown })));
    expect((await stores.state.unroutedSince(unknown.To, undefined)).map((e) => e.sid)).toEqual([unknown.CallSid]);

    const made = new Set(lambda.calls.map((c) => `${c.operation} ${c.params.TableName}`));
    for (const op of ['UpdateItem', 'GetItem', 'PutItem']) expect(made).toContain(`${op} ${tables.names.state}`);
    expect(voice.refusals(lambda.calls)).toEqual([]);
  });

  test('reads its auth token from Secrets Manager (the template\'s secret ARN), signed with the function\'s credentials, once per max age', async () => {
    // A loopback Secrets Manager that checks what AWS would: the operation, the JSON protocol version,
    // a SigV4 signature (re-computed with the SDK's own signer), and the secret the template names.
    const { createServer } = await import('node:http');
    const asked: { target?: string; secretId?: string; signatureOk: boolean }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', async () => {
        const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! };
        const expected = await sdkAuthorizationOf({ headers: req.headers, body }, { credentials, region: process.env.AWS_REGION!, service: 'secretsmanager' });
        asked.push({ target: req.headers['x-amz-target'] as string, secretId: JSON.parse(body).SecretId, signatureOk: expected === req.headers.authorization });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ ARN: TEST_SECRET_ARN, SecretString: JSON.stringify({ accountSid: `AC${'0'.repeat(32)}`, authToken: TEST_AUTH_TOKEN }) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      // No TWILIO_AUTH_TOKEN: the function reads the secret, as in AWS.
      lambda = new LambdaProcess(voice, { AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
      for (let i = 0; i < 2; i++) {
        const callSid = sid('CA');
        const event = signedTwilioEvent({ url: '/twilio/voice', params: { AccountSid: sid('AC'), CallSid: callSid, From: CALLER, To: DEMO_NUMBERS.main, CallStatus: 'ringing', Direction: 'inbound' } });
        twimlOf(await lambda.invoke<HttpResult>(event));
        // Routed by the flow (its trace is there), not the safe answer a failed token read would give.
        await expect(stores.traces.get(callSid)).resolves.toBeDefined();
        expect((await stores.state.unroutedSince(DEMO_NUMBERS.main, undefined)).map((e) => e.sid)).not.toContain(callSid);
      }
      expect(asked).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: TEST_SECRET_ARN, signatureOk: true }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('with DynamoDB unreachable, spills a recording status callback\'s voicemail to the template\'s queue (sqs:SendMessage, checked against its role)', async () => {
    const { createServer } = await import('node:http');
    const { createHash } = await import('node:crypto');
    const sent: { queueUrl: string; kind: string }[] = [];
    const sqs = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as { QueueUrl: string; MessageBody: string };
        sent.push({ queueUrl: body.QueueUrl, kind: JSON.parse(body.MessageBody).kind });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }));
      });
    });
    await new Promise<void>((r) => sqs.listen(0, '127.0.0.1', () => r()));
    try {
      lambda = new LambdaProcess(voice, { ...AUTH_ENV, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${(sqs.address() as { port: number }).port}` });
      const params = { AccountSid: sid('AC'), CallSid: sid('CA'), RecordingSid: sid('RE'), RecordingStatus: 'completed', RecordingDuration: '5', RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1', From: CALLER, To: DEMO_NUMBERS.main };
      const result = await lambda.invoke<HttpResult>(signedTwilioEvent({ url: `https://${TEST_DOMAIN}/twilio/voice/recording?mb=unrouted`, params }));
      expect(result.statusCode).toBe(200);
      expect(sent).toEqual([{ queueUrl: TEST_SPILL_URL, kind: 'voicemail' }]);
      expect(lambda.calls.map((c) => `${c.service}:${c.operation}`)).toContain('sqs:SendMessage');
    } finally {
      await lambda?.close();
      lambda = undefined;
      await new Promise<void>((r) => sqs.close(() => r()));
    }
  });

  test('refuses a bad signature with 403, and writes nothing', async () => {
    lambda = new LambdaProcess(voice, AUTH_ENV);
    const callSid = sid('CA');
    const event = signedTwilioEvent({
      url: '/twilio/voice',
      params: { AccountSid: sid('AC'), CallSid: callSid, From: CALLER, To: DEMO_NUMBERS.main, CallStatus: 'ringing', Direction: 'inbound' },
      authToken: 'not-the-auth-token',
    });
    const result = await lambda.invoke<HttpResult>(event);
    expect(result.statusCode).toBe(403);
    await expect(stores.traces.get(callSid)).rejects.toThrow();
    expect(await stores.messages.list('unrouted')).toEqual([]);
  });
});

describe('the bundled sms webhook, as deployed', () => {
  test('answers a text with the reply and the notifications, and keeps the text in the Sales mailbox', async () => {
    lambda = new LambdaProcess(sms, AUTH_ENV);
    const text = {
      AccountSid: sid('AC'),
      ApiVersion: '2010-04-01',
      MessageSid: sid('SM'),
      SmsSid: '',
      SmsStatus: 'received',
      From: CALLER,
      To: DEMO_NUMBERS.main,
      Body: 'Hello from the artifact test',
      NumMedia: '0',
      NumSegments: '1',
    };
    text.SmsSid = text.MessageSid;
    const root = twimlOf(await lambda.invoke<HttpResult>(signedTwilioEvent({ url: '/twilio/sms', params: text })));

    const messages = verbs(root).map((m) => ({ to: m.attributes.to, body: textOf(m) }));
    expect(messages).toEqual([
      { to: undefined, body: 'Thanks, we will get back to you shortly.' },
      ...['+15550200001', '+15550200002', '+15550200003'].map((to) => ({ to, body: `From ${CALLER}: Hello from the artifact test` })),
    ]);
    expect(await stores.messages.list(`group#${salesGroup}`)).toContainEqual(
      expect.objectContaining({ id: text.MessageSid, kind: 'sms', from: CALLER, to: DEMO_NUMBERS.main, body: 'Hello from the artifact test' }),
    );
    expect((await stores.traces.get(text.MessageSid)).steps.map((s) => s.type)).toEqual(['reply', 'inbox']);
  });

  test('keeps a text to an unknown number in unrouted and counts it: PutItem on messages, state and traces, all allowed by the sms role', async () => {
    lambda = new LambdaProcess(sms, AUTH_ENV);
    const messageSid = sid('SM');
    const to = '+15550100983';
    const event = signedTwilioEvent({ url: '/twilio/sms', params: { AccountSid: sid('AC'), MessageSid: messageSid, From: CALLER, To: to, Body: 'anyone there?', NumMedia: '0' } });
    twimlOf(await lambda.invoke<HttpResult>(event));
    expect((await stores.messages.list('unrouted')).map((m) => m.id)).toContain(messageSid);
    expect((await stores.state.unroutedSince(to, undefined)).map((e) => e.sid)).toEqual([messageSid]);
    const made = new Set(lambda.calls.map((c) => `${c.operation} ${c.params.TableName}`));
    for (const key of ['messages', 'state', 'traces'] as const) expect(made).toContain(`PutItem ${tables.names[key]}`);
    expect(sms.refusals(lambda.calls)).toEqual([]);
  });

  test('a CLOSE text from an editor closes a schedule, a wrong PIN is counted, and a call to a flow on that schedule takes its closed branch: every call allowed by the roles', async () => {
    const office = (await stores.schedules.list()).find((s) => s.name === 'US office')!;
    const deps = { ...stores, now: () => new Date() };
    const flow = await publishFlow(deps, undefined, flowDocumentSchema.parse({
      name: 'Artifact office',
      call: { start: 'h', applets: { h: { type: 'hours', schedule: office.id, open: 'open', closed: 'closed' }, open: { type: 'say', prompt: { text: 'Open.' }, next: 'bye' }, closed: { type: 'say', prompt: { text: 'Closed.' }, next: 'bye' }, bye: { type: 'hangup' } } },
    }));
    const line = '+15550100084';
    await stores.numbers.register(line, 'Artifact office line', flow.id, new Date());
    const bob = '+15550200002'; // the demo's editor with the demo PIN
    const text = (body: string) => lambda!.invoke<HttpResult>(signedTwilioEvent({ url: '/twilio/sms', params: { AccountSid: sid('AC'), MessageSid: sid('SM'), From: bob, To: DEMO_NUMBERS.spare, Body: body, NumMedia: '0' } }));

    // The sms bundle: who sent it (byPhone), the PIN, the schedules (byKind), the override (state).
    lambda = new LambdaProcess(sms, AUTH_ENV);
    const wrong = twimlOf(await text('CLOSE US office 0000'));
    expect(verbs(wrong).map(textOf)).toEqual(['That PIN is not right: nothing changed.']);
    const closed = twimlOf(await text(`CLOSE US office ${DEMO_PIN}`));
    expect(verbs(closed).map(textOf)).toEqual([expect.stringMatching(/^US office is now closed until someone opens it/)]);
    const made = new Set(lambda.calls.map((c) => `${c.operation} ${c.params.TableName}${c.params.IndexName ? `/${c.params.IndexName}` : ''}`));
    for (const call of [`Query ${tables.names.directory}/byPhone`, `Query ${tables.names.directory}/byKind`, `GetItem ${tables.names.state}`, `UpdateItem ${tables.names.state}`, `PutItem ${tables.names.state}`]) {
      expect(made).toContain(call);
    }
    expect(sms.refusals(lambda.calls)).toEqual([]);
    await lambda.close();

    // The voice bundle: the schedule and its override in one BatchGetItem across two tables.
    lambda = new LambdaProcess(voice, AUTH_ENV);
    const incoming = twimlOf(await lambda.invoke<HttpResult>(signedTwilioEvent({ url: `https://${TEST_DOMAIN}/twilio/voice`, params: { AccountSid: sid('AC'), CallSid: sid('CA'), From: CALLER, To: line, CallStatus: 'ringing', Direction: 'inbound' } })));
    expect(textOf(verb(incoming, 'Say'))).toBe('Closed.');
    expect(lambda.calls.some((c) => c.operation === 'BatchGetItem')).toBe(true);
    expect(voice.refusals(lambda.calls)).toEqual([]);
    await stores.schedules.setOverride(office.id, undefined, new Date(), 'test');
  });

  test('refuses a bad signature with 403, and writes nothing', async () => {
    lambda = new LambdaProcess(sms, AUTH_ENV);
    const messageSid = sid('SM');
    const event = signedTwilioEvent({
      url: '/twilio/sms',
      params: { AccountSid: sid('AC'), MessageSid: messageSid, From: CALLER, To: DEMO_NUMBERS.main, Body: 'forged', NumMedia: '0' },
      authToken: 'not-the-auth-token',
    });
    const result = await lambda.invoke<HttpResult>(event);
    expect(result.statusCode).toBe(403);
    await expect(stores.traces.get(messageSid)).rejects.toThrow();
    const everywhere = [...(await stores.messages.list(`group#${salesGroup}`)), ...(await stores.messages.list('unrouted'))];
    expect(everywhere.map((m) => m.id)).not.toContain(messageSid);
  });
});

// The deployed spill, not its source (DESIGN.md sections 10 and 11): the fallback Lambda and the drain
// Lambda as esbuild bundled them for the template, each in a fresh Node process. The fallback answers
// with DynamoDB unreachable and spills; the drain writes what was spilled into DynamoDB Local, once.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SPOOL_FILE } from '../../lambdas/spill/file-spill';
import { spillSqsClientConfig } from '../../lambdas/spill/sqs-spill';
import { ENV } from '../../lambdas/config/env';
import { createStores, type Stores } from '../../lambdas/store/stores';
import { TABLES } from '../../lambdas/store/tables';
import { createTestTables, type TestTables } from '../support/dynamo';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';
import { invokeOnce, LambdaProcess, synthBundled, TEST_SPILL_URL, type BundledApp, type Deployed } from './artifact-support';

type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

let app: BundledApp;
let tables: TestTables;
let stores: Stores;
let fallback: Deployed;
let drain: Deployed;
let spool: string;

beforeAll(async () => {
  tables = await createTestTables();
  app = await synthBundled(tables);
  fallback = app.deployed(app.synth.stack.webhooks.fallback);
  drain = app.deployed(app.synth.stack.spill.drain);
  stores = createStores(tables.doc, tables.names);
  spool = mkdtempSync(path.join(tmpdir(), 'artifact-spool-'));
}, 300_000); // the first file bundles the whole app (six esbuild runs, the SDK included); the others wait for it

afterAll(() => {
  tables?.client.destroy();
  app?.dispose();
  rmSync(spool, { recursive: true, force: true });
});

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const sqsEvent = (bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `msg-${i}`, receiptHandle: `rh-${i}`, body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:switchboard-artifact-spill', awsRegion: 'us-east-1',
  })),
});

describe('the bundled fallback Lambda, as deployed', () => {
  test('knows no table and bundles no DynamoDB client; its SQS client is bundled, nothing taken from the runtime', () => {
    for (const key of Object.keys(TABLES) as Array<keyof typeof TABLES>) expect(fallback.environment[TABLES[key].envVar]).toBeUndefined();
    expect(fallback.environment[ENV.spillQueueUrl]).toBe(TEST_SPILL_URL);
    // Neither bundled nor loaded from the runtime's SDK: the DynamoDB client is nowhere in the code.
    const sources: string[] = JSON.parse(readFileSync(`${fallback.bundleFile}.map`, 'utf8')).sources;
    expect(sources.filter((s) => s.includes('client-dynamodb') || s.includes('lib-dynamodb'))).toEqual([]);
    expect(readFileSync(fallback.bundleFile, 'utf8')).not.toMatch(/@aws-sdk\/(client|lib)-dynamodb/);
    // The spill's SQS client is the SDK's, bundled: created at init, nothing to load in the middle of an outage.
    expect(sources.some((s) => s.includes('node_modules/@aws-sdk/client-sqs/'))).toBe(true);
    expect([...readFileSync(fallback.bundleFile, 'utf8').matchAll(/(?<!\[)\b(?:require|import)\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1])).toEqual([]);
  });

  test('in AWS it spills to the SQS queue the template names: one signed SendMessage per item', async () => {
    const { createServer } = await import('node:http');
    const { createHash } = await import('node:crypto');
    const sent: { target?: string; auth?: string; queueUrl: string; item: unknown }[] = [];
    const sqs = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as { QueueUrl: string; MessageBody: string };
        sent.push({ target: req.headers['x-amz-target'] as string, auth: req.headers.authorization, queueUrl: body.QueueUrl, item: JSON.parse(body.MessageBody) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }));
      });
    });
    await new Promise<void>((r) => sqs.listen(0, '127.0.0.1', () => r()));
    const lambda = new LambdaProcess(fallback, { TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${(sqs.address() as { port: number }).port}` });
    const messageSid = sid('SM');
    try {
      const text = await lambda.invoke<HttpResult>(
        signedTwilioEvent({ url: '/twilio/fallback', params: { MessageSid: messageSid, AccountSid: sid('AC'), From: '+15550109999', To: '+15550100042', Body: 'anyone?', NumMedia: '0' } }),
      );
      expect(text.statusCode).toBe(200);
    } finally {
      await lambda.close();
      await new Promise<void>((r) => sqs.close(() => r()));
    }
    // One SendMessage per item; on a busy machine the SDK may retry one whose answer came after its 700 ms
    // request timeout (spillSqsClientConfig: 2 attempts), which SQS allows and the drain's Sid-keyed writes absorb.
    expect([...new Set(sent.map((m) => m.target))]).toEqual(['AmazonSQS.SendMessage']);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.length).toBeLessThanOrEqual(2 * spillSqsClientConfig.maxAttempts);
    expect(sent.every((m) => m.queueUrl === TEST_SPILL_URL && /\/sqs\/aws4_request, SignedHeaders=/.test(m.auth ?? ''))).toBe(true);
    expect([...new Set(sent.map((m) => (m.item as { kind: string }).kind))].sort()).toEqual(['text', 'unrouted']);
  });

  test('with DynamoDB unreachable, answers a call and a text safely and spills them; the drain then stores them once', async () => {
    const lambda = new LambdaProcess(fallback, {
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      // The spool adapter instead of SQS (none runs here); DynamoDB points at a port nobody listens on.
      [ENV.spillQueueUrl]: '',
      [ENV.spillSpoolDir]: spool,
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    });
    const [callSid, messageSid] = [sid('CA'), sid('SM')];
    const number = '+15550100042';
    try {
      const call = await lambda.invoke<HttpResult>(
        signedTwilioEvent({ url: '/twilio/fallback', params: { CallSid: callSid, AccountSid: sid('AC'), From: '+15550109999', To: number, CallStatus: 'ringing' } }),
      );
      expect(call.statusCode).toBe(200);
      expect(call.body).toContain('<Say>Sorry');
      expect(call.body).toContain('/twilio/voice/recording?mb=unrouted');
      const text = await lambda.invoke<HttpResult>(
        signedTwilioEvent({ url: '/twilio/fallback', params: { MessageSid: messageSid, AccountSid: sid('AC'), From: '+15550109999', To: number, Body: 'anyone?', NumMedia: '0' }, base64: true }),
      );
      expect(text).toMatchObject({ statusCode: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    } finally {
      await lambda.close();
    }

    const spooled = readFileSync(path.join(spool, SPOOL_FILE), 'utf8').split('\n').filter(Boolean);
    expect(spooled).toHaveLength(3);
    for (let i = 0; i < 2; i++) {
      const { result } = await invokeOnce<SQSBatchResponse>(drain, sqsEvent(spooled));
      expect(result).toEqual({ batchItemFailures: [] });
    }
    expect((await stores.messages.list('unrouted')).filter((m) => m.id === messageSid)).toEqual([expect.objectContaining({ kind: 'sms', body: 'anyone?', from: '+15550109999' })]);
    expect((await stores.state.unroutedSince(number, undefined)).map((e) => `${e.channel}:${e.sid}:${e.reason}`).sort()).toEqual([`call:${callSid}:fallback`, `sms:${messageSid}:fallback`]);
  });
});

describe('the bundled spill-drain Lambda, as deployed', () => {
  test('knows the messages and state tables it writes, and the numbers, flows and directory late routing reads; not traces', () => {
    expect(drain.environment[TABLES.messages.envVar]).toBe(tables.names.messages);
    expect(drain.environment[TABLES.state.envVar]).toBe(tables.names.state);
    for (const key of ['numbers', 'flows', 'directory'] as const) expect(drain.environment[TABLES[key].envVar]).toBe(tables.names[key]);
    expect(drain.environment[TABLES.traces.envVar]).toBeUndefined();
  });

  test('stores a transcript that comes before its voicemail with it, and fails only the message that is not a spill item', async () => {
    const recordingSid = sid('RE');
    const bodies = [
      JSON.stringify({ kind: 'transcript', recordingSid, text: 'Please call back' }),
      JSON.stringify({ kind: 'voicemail', recordingSid, mailbox: 'user#usr_artifact', callSid: sid('CA'), from: '+15550109999', to: '+15550100001', durationSeconds: 9, receivedAt: '2026-12-01T10:00:00.000Z' }),
      '{"kind":"voicemail","recordingSid":',
    ];
    const { result } = await invokeOnce<SQSBatchResponse>(drain, sqsEvent(bodies));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-2' }] });
    expect(await stores.messages.list('user#usr_artifact')).toEqual([
      expect.objectContaining({ id: recordingSid, kind: 'voicemail', transcript: 'Please call back', durationSeconds: 9 }),
    ]);
  });

  test('fails every item while DynamoDB is unreachable, so SQS keeps them', async () => {
    const bodies = [JSON.stringify({ kind: 'unrouted', number: '+15550100043', sid: sid('CA'), channel: 'call', at: '2026-12-01T10:00:00.000Z', reason: 'error' })];
    const { result } = await invokeOnce<SQSBatchResponse>(drain, sqsEvent(bodies), { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-0' }] });
  });
});

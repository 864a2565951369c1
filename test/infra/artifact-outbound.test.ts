// The deployed outbound path, not its source (DESIGN.md sections 10 and 17): the bundled voice webhook
// queues a text applet's text on the template's queue (and never calls Twilio); the bundled sender sends
// queued texts with the twilio library to the project's Twilio-compatible server, records them in
// DynamoDB Local and names only what SQS should deliver again; the carrier's signed status callbacks reach
// the bundled sms function, which moves each record forward. Every AWS call is checked against its role.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { queuedTexts } from '../../lambdas/carrier/queued-text';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { createStores, type Stores } from '../../lambdas/store/stores';
import { startFakeTwilio, type FakeTwilio } from '../../local/fake-twilio';
import { createTestTables, type TestTables } from '../support/dynamo';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';
import { LambdaProcess, synthBundled, TEST_OUTBOX_URL, type BundledApp, type Deployed } from './artifact-support';

type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const NUMBER = '+15550600001';
const CALLER = '+15550600101';
const LANDLINE = '+15550600202';

let app: BundledApp;
let tables: TestTables;
let stores: Stores;
let voice: Deployed;
let sms: Deployed;
let sender: Deployed;
let fake: FakeTwilio;

beforeAll(async () => {
  tables = await createTestTables();
  app = await synthBundled(tables, () => ({
    // The HTTP API's URL, which the template builds for the carrier link; each test sets where it really is.
    'env:PUBLIC_URL': 'https://abc123.execute-api.us-east-1.amazonaws.com/',
  }));
  voice = app.deployed(app.synth.stack.webhooks.voice);
  sms = app.deployed(app.synth.stack.webhooks.sms);
  sender = app.deployed(app.synth.stack.outbound.sender);
  stores = createStores(tables.doc, tables.names);
  fake = await startFakeTwilio({ authToken: TEST_AUTH_TOKEN, landlines: [LANDLINE] });
  fake.addNumber({ phoneNumber: NUMBER });
}, 300_000); // the first file bundles the whole app (esbuild runs, the SDK included); the others wait for it

afterAll(async () => {
  await fake?.stop();
  tables?.client.destroy();
  app?.dispose();
});

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));

describe('the bundled sender, as deployed', () => {
  test('bundles the twilio library’s REST client (the webhooks do not: artifact-webhooks.test.ts)', () => {
    const sources: string[] = JSON.parse(readFileSync(`${sender.bundleFile}.map`, 'utf8')).sources;
    expect(sources.some((s) => s.includes('node_modules/twilio/lib/rest/api/v2010/account/message'))).toBe(true);
    expect(sources.some((s) => s.includes('node_modules/twilio/lib/base/RequestClient'))).toBe(true);
  });

  test('sends each queued text with its StatusCallback, records it, fails only what is no text; the callbacks reach the sms function and move the records', async () => {
    // Where Twilio posts the status callbacks: a loopback "API Gateway" handing each request to the bundled sms function.
    const to: { sms?: LambdaProcess } = {};
    const gateway = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', async () => {
        const [rawPath, rawQueryString = ''] = (req.url ?? '/').split('?');
        const event = {
          version: '2.0', routeKey: `POST ${rawPath}`, rawPath, rawQueryString,
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          requestContext: { domainName: req.headers.host, http: { method: 'POST', path: rawPath } },
          body: raw, isBase64Encoded: false,
        } as unknown as APIGatewayProxyEventV2;
        const result = await to.sms!.invoke<HttpResult>(event);
        res.writeHead(result.statusCode, { 'content-type': 'text/xml' }).end(result.body);
      });
    });
    const publicUrl = `http://127.0.0.1:${await listen(gateway)}`;
    const smsLambda = new LambdaProcess(sms, { TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, PUBLIC_URL: publicUrl });
    to.sms = smsLambda;
    const lambda = new LambdaProcess(sender, { TWILIO_ACCOUNT_SID: fake.accountSid, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, TWILIO_API_URL: fake.url, PUBLIC_URL: publicUrl });
    const [mobile, landline] = queuedTexts(
      [{ from: NUMBER, to: CALLER, body: 'Thanks for calling' }, { from: NUMBER, to: LANDLINE, body: 'Thanks for calling' }],
      { reason: 'text_applet', sid: sid('CA') },
      new Date(),
    );
    const event: SQSEvent = {
      Records: [JSON.stringify(mobile), 'not a text', JSON.stringify(landline)].map((body, i) => ({
        messageId: `msg-${i}`, receiptHandle: `rh-${i}`, body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:switchboard-artifact-outbound', awsRegion: 'us-east-1',
      })),
    };
    try {
      const result = await lambda.invoke<SQSBatchResponse>(event);
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
      expect(fake.messages.filter((m) => m.from === NUMBER).map((m) => m.to).sort()).toEqual([CALLER, LANDLINE].sort());
      const callbacks = fake.requests.filter((r) => r.path.endsWith('/Messages.json')).map((r) => r.form.StatusCallback?.[0]);
      expect(callbacks.sort()).toEqual([mobile, landline].map((t) => `${publicUrl}/twilio/message-status?id=${t.id}`).sort());
      expect(lambda.calls.map((c) => `${c.service}:${c.operation}`)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem']));

      await fake.callbacksSettled();
      expect(fake.callbacks.filter((c) => c.url.startsWith(publicUrl)).map((c) => c.status)).toEqual([200, 200, 200, 200]);
      const records = (await stores.outbound.page({ limit: 10 })).records;
      expect(records.map((r) => [r.to, r.status, r.errorCode]).sort()).toEqual([[CALLER, 'delivered', undefined], [LANDLINE, 'undelivered', 30006]].sort());
    } finally {
      // close() fails when a call was not allowed by the function's role, as synthesized.
      await lambda.close();
      await smsLambda.close();
      await new Promise<void>((r) => gateway.close(() => r()));
    }
  });
});

describe('the bundled voice webhook queues, never sends', () => {
  test('a text applet’s text goes to the template’s outbound queue as one SendMessage (checked against its role); Twilio is not called', async () => {
    const doc = flowDocumentSchema.parse({
      name: 'Text back',
      call: { start: 't', applets: { t: { type: 'text', text: 'Thanks for calling', next: 'bye' }, bye: { type: 'hangup' } } },
    });
    const flowId = `flw_artifact_${randomBytes(3).toString('hex')}`;
    await stores.flows.publish(flowId, doc, undefined, new Date());
    await stores.numbers.register(NUMBER, 'Artifact text line', flowId, new Date());
    const sent: Array<{ queueUrl: string; text: { to: string; body: string; reason: string } }> = [];
    const sqs = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as { QueueUrl: string; MessageBody: string };
        sent.push({ queueUrl: body.QueueUrl, text: JSON.parse(body.MessageBody) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }));
      });
    });
    const port = await listen(sqs);
    const lambda = new LambdaProcess(voice, { TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}`, TWILIO_API_URL: fake.url });
    const before = fake.requests.length;
    try {
      const result = await lambda.invoke<HttpResult>(signedTwilioEvent({ url: '/twilio/voice', params: { AccountSid: sid('AC'), CallSid: sid('CA'), From: CALLER, To: NUMBER, CallStatus: 'ringing', Direction: 'inbound' } }));
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('<Hangup/>');
      expect(sent).toEqual([{ queueUrl: TEST_OUTBOX_URL, text: expect.objectContaining({ to: CALLER, from: NUMBER, body: 'Thanks for calling', reason: 'text_applet' }) }]);
      expect(lambda.calls.map((c) => `${c.service}:${c.operation}`)).toContain('sqs:SendMessage');
      expect(fake.requests.length).toBe(before);
    } finally {
      await lambda.close();
      await new Promise<void>((r) => sqs.close(() => r()));
    }
  });
});

// The deployed artifact, not the source: synthesizes the app with real esbuild bundling, finds each
// Lambda's bundle through the cloud assembly's asset manifest (what `cdk deploy` uploads), and invokes
// it against DynamoDB Local with the environment the template gives it.
import { existsSync, readFileSync } from 'node:fs';
import { measureBundle } from '../../bench/bundle-size';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createTestTables, type TestTables } from '../support/dynamo';
import { invokeOnce as invoke, LambdaProcess, synthBundled, TEST_SYNC_URL, type BundledApp, type Deployed } from './artifact-support';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callAndSmsFlow } from '../support/fixtures';
import { logicalId, type Synthesized } from './synth';
import { startFakeTwilio, type FakeTwilio } from '../../local/fake-twilio';

const TEST_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:switchboard-artifact-test';
/** The HTTP API's own URL, which the template builds for the carrier link from the API's id. */
const API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/';

let app: BundledApp;
let synth: Synthesized;
let tables: TestTables;
let admin: Deployed;
let report: Deployed;
let carrier: FakeTwilio;
/** The credentials in the environment replace the secret's read; the API URL points at the fake carrier. */
let carrierEnv: Record<string, string>;

beforeAll(async () => {
  tables = await createTestTables();
  app = await synthBundled(tables, (s) => ({
    [logicalId(s.stack.report.topic)]: TEST_TOPIC_ARN,
    'env:PUBLIC_URL': API_URL,
  }));
  synth = app.synth;
  admin = app.deployed(synth.stack.admin.function);
  report = app.deployed(synth.stack.report.function);
  carrier = await startFakeTwilio();
  carrierEnv = { TWILIO_ACCOUNT_SID: carrier.accountSid, TWILIO_AUTH_TOKEN: carrier.authToken, TWILIO_API_URL: carrier.url };
}, 300_000); // the first file bundles the whole app (six esbuild runs, the SDK included); the others wait for it

afterAll(async () => {
  tables?.client.destroy();
  app?.dispose();
  await carrier?.stop();
});

/**
 * An API Gateway HTTP API (payload 2.0) event for an IAM-authorized admin request: the command-line
 * tools' route, /cli/api/*, with what the IAM authorizer puts on it (`/api/flows` is sent as `/cli/api/flows`).
 */
function adminEvent(method: string, apiPath: string, body?: unknown): APIGatewayProxyEventV2WithIAMAuthorizer {
  const now = new Date();
  const rawPath = `/cli${apiPath}`;
  return {
    version: '2.0',
    routeKey: 'ANY /cli/api/{proxy+}',
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'content-type': 'application/json',
      'user-agent': 'artifact-test',
    },
    pathParameters: { proxy: apiPath.replace(/^\/api\//, '') },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'artifact-test' },
      requestId: `req-${now.getTime()}`,
      routeKey: 'ANY /cli/api/{proxy+}',
      authorizer: { iam: { accessKey: 'AKIAEXAMPLE', accountId: '123456789012', callerId: 'AIDAEXAMPLE', userArn: 'arn:aws:iam::123456789012:user/ops', userId: 'AIDAEXAMPLE', cognitoIdentity: null, principalOrgId: '' } },
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

type HttpResult = APIGatewayProxyStructuredResultV2;

describe('every bundle, as deployed (DESIGN.md sections 10 and 14)', () => {
  const bundles = () => ({
    voice: app.deployed(synth.stack.webhooks.voice),
    sms: app.deployed(synth.stack.webhooks.sms),
    admin,
    report,
  });

  test.each(['voice', 'sms', 'admin', 'report'] as const)('the %s bundle carries middy, the Powertools logger and the AWS SDK\'s document client, bundled from the pinned versions', (name) => {
    const code = readFileSync(bundles()[name].bundleFile, 'utf8');
    expect(code).toContain('[AbortError]: The operation was aborted.'); // @middy/core's own timeout error
    expect(code).toContain('POWERTOOLS_LOG_LEVEL'); // @aws-lambda-powertools/logger's configuration
    const sources: string[] = JSON.parse(readFileSync(`${bundles()[name].bundleFile}.map`, 'utf8')).sources;
    // The stores' client is the SDK's: @aws-sdk/lib-dynamodb over @aws-sdk/client-dynamodb, no other.
    expect(sources.some((s) => s.includes('node_modules/@aws-sdk/lib-dynamodb/'))).toBe(true);
    expect(sources.some((s) => s.includes('node_modules/@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(sources.filter((s) => s.includes('lambdas/aws/'))).toEqual([]);
    // Nothing is taken from the runtime's copy of the SDK: the bundle runs the versions package-lock.json pins.
    // (The SDK's own error text quotes `[require("@aws-sdk/signature-v4-crt");]`: a message, not a call.)
    expect([...code.matchAll(/(?<!\[)\b(?:require|import)\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1])).toEqual([]);
  });

  test.each(['voice', 'sms', 'fallback'] as const)('the %s webhook bundle: our code and non-SDK dependencies at most 300 KB', async (name) => {
    const size = await measureBundle(`lambdas/handlers/${name}-webhook.ts`);
    expect(size.sdk).toBeGreaterThan(0);
    expect(size.ours).toBeLessThanOrEqual(300);
  });
});

describe('the bundled admin Lambda, as deployed', () => {
  test('is one file with its source map', () => {
    expect(existsSync(admin.bundleFile)).toBe(true);
    expect(existsSync(`${admin.bundleFile}.map`)).toBe(true);
  });

  test('GET /api/flows answers 200 with no flows on empty tables', async () => {
    const { result } = await invoke<HttpResult>(admin, adminEvent('GET', '/api/flows'));
    expect({ statusCode: result.statusCode, body: JSON.parse(String(result.body)) }).toEqual({ statusCode: 200, body: { flows: [] } });
  });

  test('POST /api/flows with an invalid body answers 400 validation', async () => {
    const { result } = await invoke<HttpResult>(admin, adminEvent('POST', '/api/flows', {}));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(String(result.body)).error.code).toBe('validation');
  });

  test('reads the carrier’s numbers and knows where they must point: the API’s own URL', async () => {
    const number = carrier.addNumber({ phoneNumber: '+15550900001', friendlyName: 'Artifact line' });
    try {
      const { result } = await invoke<HttpResult>(admin, adminEvent('GET', '/api/carrier/numbers'), carrierEnv);
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(String(result.body)).numbers).toEqual([expect.objectContaining({ number: '+15550900001', registered: false, connected: false })]);
      carrier.changeNumber(number.phone_number, {
        voice_url: `${API_URL}twilio/voice`, sms_url: `${API_URL}twilio/sms`, voice_fallback_url: `${API_URL}twilio/fallback`, sms_fallback_url: `${API_URL}twilio/fallback`,
      });
      const again = await invoke<HttpResult>(admin, adminEvent('GET', '/api/carrier/numbers'), carrierEnv);
      expect(JSON.parse(String(again.result.body)).numbers[0].connected).toBe(true);
    } finally {
      carrier.removeNumber(number.phone_number);
    }
  });
});

describe('the bundled admin Lambda, its calls checked against its role', () => {
  test('a round of admin CRUD: a user, a flow for them, a number on it, reads and the report, then all deleted', async () => {
    const lambda = new LambdaProcess(admin, carrierEnv);
    try {
      const api = async (method: string, path: string, body?: unknown) => {
        const result = await lambda.invoke<HttpResult>(adminEvent(method, path, body));
        return { status: result.statusCode, body: result.body ? JSON.parse(String(result.body)) : undefined };
      };
      const user = await api('POST', '/api/users', { name: 'Artifact Ann', phone: '+15550900101' });
      expect(user.status).toBe(201);
      const flow = await api('POST', '/api/flows', callAndSmsFlow(user.body.id, 'Artifact flow'));
      expect(flow.status).toBe(201);
      expect((await api('PUT', '/api/numbers/+15550900102', { name: 'Artifact desk', flowId: flow.body.id })).status).toBe(201);
      expect((await api('PUT', `/api/users/${user.body.id}`, { name: 'Artifact Ann B.', phone: '+15550900101', available: false })).status).toBe(200);
      for (const path of ['/api/numbers', `/api/flows/${flow.body.id}`, `/api/flows/${flow.body.id}/numbers`, `/api/mailboxes/user/${user.body.id}/messages`, '/api/report/unassigned']) {
        expect({ path, status: (await api('GET', path)).status }).toEqual({ path, status: 200 });
      }
      for (const path of ['/api/numbers/+15550900102', `/api/flows/${flow.body.id}`, `/api/users/${user.body.id}`]) {
        expect({ path, status: (await api('DELETE', path)).status }).toEqual({ path, status: 204 });
      }
      // Its reads, writes and transactions all went through the recording proxy, so close() checks each.
      expect(lambda.calls.map((c) => `${c.service}:${c.operation}`)).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:TransactWriteItems']),
      );
    } finally {
      // close() fails the test when a call was not allowed by the admin function's role.
      await lambda.close();
    }
  });
});

describe('the bundled admin Lambda runs a carrier sync job from its own queue, its calls checked against its role', () => {
  test('POST /api/carrier/sync answers 202 and sends a step to the sync queue; the step, taken as SQS delivers it, finishes the job', async () => {
    for (let i = 0; i < 3; i++) carrier.addNumber({ phoneNumber: `+1555090020${i}`, friendlyName: `Sync line ${i}`, voiceUrl: 'https://old-pbx.example.net/voice' });
    const sent: Array<{ queueUrl: string; body: string; delay?: number }> = [];
    const sqs = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as { QueueUrl: string; MessageBody: string; DelaySeconds?: number };
        sent.push({ queueUrl: body.QueueUrl, body: body.MessageBody, delay: body.DelaySeconds });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }));
      });
    });
    const port = await new Promise<number>((r) => sqs.listen(0, '127.0.0.1', () => r((sqs.address() as AddressInfo).port)));
    const lambda = new LambdaProcess(admin, { ...carrierEnv, AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}` });
    try {
      const started = await lambda.invoke<HttpResult>(adminEvent('POST', '/api/carrier/sync', {}));
      expect(started.statusCode).toBe(202);
      const job = JSON.parse(String(started.body));
      expect(sent).toEqual([{ queueUrl: TEST_SYNC_URL, body: JSON.stringify({ kind: 'carrier-sync-step', jobId: job.id }), delay: 0 }]);
      // SQS hands the message to the same function; each step may send the next one.
      for (let delivered = 0; delivered < sent.length && delivered < 10; delivered++) {
        await lambda.invoke({ Records: [{ messageId: `m-${delivered + 1}`, eventSource: 'aws:sqs', body: sent[delivered].body, attributes: {}, messageAttributes: {} }] });
      }
      const done = await lambda.invoke<HttpResult>(adminEvent('GET', `/api/carrier/sync/${job.id}`));
      expect(JSON.parse(String(done.body))).toMatchObject({ status: 'done', total: 3, imported: 3, connected: 3 });
      expect(lambda.calls.map((c) => `${c.service}:${c.operation}`)).toEqual(expect.arrayContaining(['sqs:SendMessage', 'dynamodb:PutItem', 'dynamodb:GetItem']));
    } finally {
      // The numbers it registered go, so the report's tests below see the tables as they were.
      for (let i = 0; i < 3; i++) await lambda.invoke(adminEvent('DELETE', `/api/numbers/+1555090020${i}`));
      await lambda.close();
      await new Promise<void>((r) => sqs.close(() => r()));
      for (let i = 0; i < 3; i++) carrier.removeNumber(`+1555090020${i}`);
    }
  });
});

describe('the bundled admin Lambda: schedules, overrides and PINs, its calls checked against its role', () => {
  test('a schedule created, edited with If-Match, named by a flow, closed and cleared, refused while in use, then deleted; a PIN set', async () => {
    const lambda = new LambdaProcess(admin, carrierEnv);
    try {
      const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
        const event = adminEvent(method, path, body);
        event.headers = { ...event.headers, ...headers };
        const result = await lambda.invoke<HttpResult>(event);
        return { status: result.statusCode, body: result.body ? JSON.parse(String(result.body)) : undefined };
      };
      const week = { mon: [['09:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
      const schedule = await api('POST', '/api/schedules', { name: 'Artifact hours', timezone: 'Europe/London', weekly: week, rules: [{ name: 'Boxing Day', on: { yearly: '--12-26' } }] });
      expect(schedule.status).toBe(201);
      const id = schedule.body.id;
      expect((await api('PUT', `/api/schedules/${id}`, { name: 'Artifact hours', timezone: 'Europe/London', weekly: week }, { 'if-match': '"1"' })).status).toBe(200);
      const user = await api('POST', '/api/users', { name: 'Artifact Ed', phone: '+15550900111', role: 'editor' });
      expect((await api('PUT', `/api/users/${user.body.id}/pin`, { pin: '482913' })).status).toBe(204);
      const flow = await api('POST', '/api/flows', {
        name: 'Artifact scheduled',
        call: { start: 'h', applets: { h: { type: 'hours', schedule: id, open: 'bye', closed: 'bye' }, bye: { type: 'hangup' } } },
      });
      expect(flow.status).toBe(201);
      expect((await api('PUT', `/api/schedules/${id}/override`, { state: 'closed' })).body.override).toMatchObject({ state: 'closed' });
      expect((await api('GET', '/api/schedules')).status).toBe(200);
      expect((await api('POST', `/api/flows/${flow.body.id}/simulate`, { channel: 'call', from: '+15550900112' })).status).toBe(200);
      expect((await api('DELETE', `/api/schedules/${id}/override`)).status).toBe(200);
      expect((await api('DELETE', `/api/schedules/${id}`)).status).toBe(409);
      for (const path of [`/api/flows/${flow.body.id}`, `/api/schedules/${id}`, `/api/users/${user.body.id}`]) {
        expect({ path, status: (await api('DELETE', path)).status }).toEqual({ path, status: 204 });
      }
      expect(lambda.calls.map((c) => `${c.service}:${c.operation}`)).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:TransactWriteItems']));
    } finally {
      await lambda.close();
    }
  });
});

describe('the bundled report Lambda, as deployed', () => {
  const scheduledEvent = {
    version: '0',
    id: 'artifact-test',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/switchboard-report'],
    detail: {},
  };

  test('runs with only the tables it is granted, and publishes nothing when every number is routed', async () => {
    const { result } = await invoke<{ published: boolean; numbers: number }>(report, scheduledEvent, carrierEnv);
    expect(result).toMatchObject({ published: false, numbers: 0 });
  });

  test('puts the alarmed metrics, with the dimensions the alarms name, in the namespace the alarms watch', async () => {
    const { logs } = await invoke(report, scheduledEvent, carrierEnv);
    const emf = logs
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    const alarmed = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties)
      .filter((alarm) => alarm.MetricName && alarm.Namespace === report.environment.POWERTOOLS_METRICS_NAMESPACE);
    expect(alarmed.length).toBeGreaterThan(0);
    for (const alarm of alarmed) {
      expect(emf).toContainEqual(
        expect.objectContaining({
          _aws: expect.objectContaining({
            CloudWatchMetrics: expect.arrayContaining([
              expect.objectContaining({
                Namespace: alarm.Namespace,
                Dimensions: [(alarm.Dimensions as Array<{ Name: string }>).map((d) => d.Name)],
                Metrics: expect.arrayContaining([expect.objectContaining({ Name: alarm.MetricName })]),
              }),
            ]),
          }),
          [alarm.MetricName]: expect.any(Number),
          ...Object.fromEntries((alarm.Dimensions as Array<{ Name: string; Value: string }>).map((d) => [d.Name, d.Value])),
        }),
      );
    }
  });

  test('publishes to the alert topic (its own topic, allowed by its role) when a number has no flow', async () => {
    const { createServer } = await import('node:http');
    const published: Record<string, string>[] = [];
    // A loopback SNS: the query protocol's Publish (or the JSON protocol's, should the SDK move to it).
    const sns = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        const json = typeof req.headers['x-amz-target'] === 'string';
        published.push(json ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw)));
        if (json) res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: 'm-1' }));
        else res.writeHead(200, { 'content-type': 'text/xml' }).end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>');
      });
    });
    await new Promise<void>((r) => sns.listen(0, '127.0.0.1', () => r()));
    const number = '+15550900199';
    try {
      expect((await invoke<HttpResult>(admin, adminEvent('PUT', `/api/numbers/${number}`, { name: 'No flow yet' }))).result.statusCode).toBe(201);
      const { result } = await invoke<{ published: boolean }>(report, scheduledEvent, { ...carrierEnv, AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${(sns.address() as { port: number }).port}` });
      expect(result.published).toBe(true);
      expect(published).toEqual([expect.objectContaining({ TopicArn: TEST_TOPIC_ARN })]);
    } finally {
      await invoke(admin, adminEvent('DELETE', `/api/numbers/${number}`));
      await new Promise<void>((r) => sns.close(() => r()));
    }
  });
});

describe('the bundled job worker, its calls checked against its role', () => {
  test('offers a queued caller to the queue\'s member: the people and presence read, the call placed at the carrier, the offer recorded', async () => {
    const worker = app.deployed(synth.stack.jobs.worker);
    const { DynamoDirectoryStore } = await import('../../lambdas/store/directory-store');
    const { DynamoQueueStore } = await import('../../lambdas/store/queue-store');
    const directory = new DynamoDirectoryStore(tables.doc, tables.names.directory);
    const queues = new DynamoQueueStore(tables.doc, tables.names.state);
    const agent = await directory.createUser({ name: 'Artifact Agent', phone: '+15550900201', available: true });
    const team = await directory.createGroup({ name: 'Artifact desk', members: [agent.id] });
    carrier.addNumber({ phoneNumber: '+15550900202' });
    // The call rings at the fake carrier and goes no further: its webhooks are this stack's, not running here.
    carrier.calls.ringOnly = true;
    await queues.join('artifact desk', {
      callSid: `CA${'7'.repeat(32)}`, since: new Date().toISOString(), from: '+15550900299', to: '+15550900202', targets: [{ group: team.id }],
      flowId: 'flw_artifact', revision: 1, applet: 'q',
    }, new Date(Date.now() + 3600_000));
    const job = { kind: 'queue', id: 'queue:artifact_desk:join', queue: 'artifact desk' };
    const event = { Records: [{ messageId: 'm1', receiptHandle: 'r1', body: JSON.stringify(job), attributes: { MessageGroupId: 'queue:artifact_desk', ApproximateReceiveCount: '1' }, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs.fifo', awsRegion: 'us-east-1' }] };
    // invokeOnce's close() fails the test when a call was not allowed by the worker's role.
    const { result } = await invoke<{ batchItemFailures: unknown[] }>(worker, event, carrierEnv);
    expect(result.batchItemFailures).toEqual([]);
    const placed = carrier.calls.calls.filter((c) => c.to === '+15550900201');
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ from: '+15550900202', request: { url: `${API_URL}twilio/voice/agent?q=artifact+desk&u=${agent.id}`, events: ['answered', 'completed'] } });
    expect((await queues.snapshot('artifact desk')).offers).toEqual([expect.objectContaining({ userId: agent.id, agentCallSid: placed[0].sid, state: 'ringing' })]);
  });
});

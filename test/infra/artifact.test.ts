// The deployed artifact, not the source: synthesizes the app with real esbuild bundling, finds each
// Lambda's bundle through the cloud assembly's asset manifest (what `cdk deploy` uploads), and invokes
// it against DynamoDB Local with the environment the template gives it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { IConstruct } from 'constructs';
import { TABLE_KEYS } from '../../lambdas/store/tables';
import { createTestTables, type TestTables } from '../support/dynamo';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

interface Deployed {
  bundleFile: string;
  environment: Record<string, string>;
}

const TEST_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:switchboard-artifact-test';

let outdir: string;
let synth: Synthesized;
let tables: TestTables;
let admin: Deployed;
let report: Deployed;

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'switchboard-artifact-'));
  [synth, tables] = await Promise.all([synthSwitchboard({}, { bundle: true, outdir }), createTestTables()]);
  admin = deployed(synth.stack.admin.function);
  report = deployed(synth.stack.report.function);
}, 120_000);

afterAll(() => {
  tables?.client.destroy();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** The directory `cdk deploy` zips and uploads under this S3 key, read from the asset manifest. */
function assetDirectory(s3Key: string): string {
  const manifest = JSON.parse(readFileSync(path.join(outdir, `${synth.stack.artifactId}.assets.json`), 'utf8'));
  const asset = manifest.files[s3Key.replace(/\.zip$/, '')];
  expect(asset?.source.packaging).toBe('zip');
  return path.join(outdir, asset.source.path);
}

function deployed(fn: IConstruct): Deployed {
  const props = propertiesOf(synth.template, logicalId(fn));
  return {
    bundleFile: path.join(assetDirectory(props.Code.S3Key), 'index.js'),
    environment: environmentOf(props.Environment.Variables),
  };
}

/** The function's environment as the template sets it, with references pointing at local stand-ins. */
function environmentOf(variables: Record<string, unknown>): Record<string, string> {
  const localValues = new Map<string, string>(TABLE_KEYS.map((key) => [logicalId(synth.stack.data.tables[key]), tables.names[key]]));
  localValues.set(logicalId(synth.stack.report.topic), TEST_TOPIC_ARN);
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const ref = (value as { Ref?: string }).Ref;
      const local = ref && localValues.get(ref);
      if (!local) throw new Error(`environment variable ${name} = ${JSON.stringify(value)} has no local equivalent`);
      return [name, local];
    }),
  );
}

// A fresh Node process loads the bundle as Lambda does: plain CommonJS require, no Jest module
// registry or transform in between, and only the environment Lambda would give it.
const RUNNER = `
const fs = require('node:fs');
const [bundle, event] = process.argv.slice(1);
Promise.resolve()
  .then(() => require(bundle).handler(JSON.parse(event), { awsRequestId: 'artifact-test' }))
  .then((result) => fs.writeSync(3, JSON.stringify({ result })), (err) => fs.writeSync(3, JSON.stringify({ error: String(err && err.stack || err) })));
`;

interface Invocation<T> {
  result: T;
  /** What the function wrote to stdout and stderr: its logs, and EMF metrics. */
  logs: string;
}

function invoke<T>(fn: Deployed, event: unknown): Promise<Invocation<T>> {
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: process.env.AWS_REGION,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    ...fn.environment,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', RUNNER, fn.bundleFile, JSON.stringify(event)], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let logs = '';
    let output = '';
    child.stdout!.on('data', (d) => (logs += d));
    child.stderr!.on('data', (d) => (logs += d));
    child.stdio[3]!.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (!output) return reject(new Error(`the bundle exited (${code}) without answering:\n${logs}`));
      const { result, error } = JSON.parse(output);
      if (error) reject(new Error(`the handler threw: ${error}\n${logs}`));
      else resolve({ result, logs });
    });
  });
}

/** An API Gateway HTTP API (payload 2.0) event for an IAM-authorized admin request. */
function adminEvent(method: string, rawPath: string, body?: unknown): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'content-type': 'application/json',
      'user-agent': 'artifact-test',
    },
    pathParameters: { proxy: rawPath.replace(/^\/api\//, '') },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'artifact-test' },
      requestId: `req-${now.getTime()}`,
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

type HttpResult = APIGatewayProxyStructuredResultV2;

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
    const { result } = await invoke<{ published: boolean; numbers: number }>(report, scheduledEvent);
    expect(result).toMatchObject({ published: false, numbers: 0 });
  });

  test('puts the alarmed metrics, without dimensions, in the namespace the alarms watch', async () => {
    const { logs } = await invoke(report, scheduledEvent);
    const emf = logs
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    const alarmed = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties)
      .filter((alarm) => alarm.Namespace === report.environment.METRICS_NAMESPACE);
    expect(alarmed.length).toBeGreaterThan(0);
    for (const alarm of alarmed) {
      expect(emf).toContainEqual(
        expect.objectContaining({
          _aws: expect.objectContaining({
            CloudWatchMetrics: expect.arrayContaining([
              expect.objectContaining({
                Namespace: alarm.Namespace,
                Dimensions: [[]],
                Metrics: expect.arrayContaining([expect.objectContaining({ Name: alarm.MetricName })]),
              }),
            ]),
          }),
          [alarm.MetricName]: expect.any(Number),
        }),
      );
    }
  });
});

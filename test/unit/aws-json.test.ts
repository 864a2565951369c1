// The JSON-protocol client behind the stores (lambdas/aws/aws-json.ts): its SigV4 is the SDK's signer's,
// byte for byte; over a real loopback server it sends what AWS expects, raises the errors the SDK
// raises, retries what the SDK's standard strategy retries (and nothing else), and gives up on a
// hung or refused connection within its timeouts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { sdkAuthorization, sdkAuthorizationOf } from '../support/sigv4';
import { AwsJsonClient, AwsServiceError, amzDate, isRetryable, signV4, standardBackoff, type AwsCredentials } from '../../lambdas/aws/aws-json';

const CREDS: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const AT = new Date('2026-12-01T11:22:33.456Z');

const SCOPE = { credentials: CREDS, region: 'eu-west-1', service: 'dynamodb' };

describe('signV4', () => {
  const headers = {
    host: 'dynamodb.eu-west-1.amazonaws.com',
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.GetItem',
  };
  const body = JSON.stringify({ TableName: 'numbers', Key: { number: { S: '+15550100001' } } });

  it('signs exactly as the SDK does, with long-term credentials', async () => {
    const ours = signV4({ method: 'POST', path: '/', headers, body }, CREDS, 'eu-west-1', 'dynamodb', AT);
    expect(ours['x-amz-date']).toBe('20261201T112233Z');
    expect(ours.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261201\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(ours.authorization).toBe(await sdkAuthorization(headers, body, AT, SCOPE));
  });

  it('signs the session token of temporary credentials (what Lambda gives a function), as the SDK does', async () => {
    const temporary = { ...CREDS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token=' };
    const ours = signV4({ method: 'POST', path: '/', headers, body }, temporary, 'eu-west-1', 'dynamodb', AT);
    expect(ours['x-amz-security-token']).toBe(temporary.sessionToken);
    expect(ours.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,');
    expect(ours.authorization).toBe(await sdkAuthorization(headers, body, AT, { ...SCOPE, credentials: temporary }));
  });

  it('a different body, region, service, day or secret gives a different signature', () => {
    const sign = (over: Partial<{ body: string; region: string; service: string; at: Date; secret: string }> = {}) =>
      signV4({ method: 'POST', path: '/', headers, body: over.body ?? body }, { ...CREDS, secretAccessKey: over.secret ?? CREDS.secretAccessKey }, over.region ?? 'eu-west-1', over.service ?? 'dynamodb', over.at ?? AT).authorization;
    const base = sign();
    for (const other of [sign({ body: '{}' }), sign({ region: 'us-east-1' }), sign({ service: 'secretsmanager' }), sign({ at: new Date('2026-12-02T11:22:33Z') }), sign({ secret: 'other' })]) {
      expect(other).not.toBe(base);
    }
    expect(amzDate(new Date('2027-01-02T03:04:05.678Z'))).toBe('20270102T030405Z');
  });
});

describe('isRetryable and the backoff (the SDK standard strategy)', () => {
  const meta = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1 });
  it('retries throttling, timeouts, connection failures and 500/502/503/504; nothing a request got wrong', () => {
    for (const name of ['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TimeoutError', 'TransactionInProgressException']) expect(isRetryable(new AwsServiceError(name, 'x', meta(400)))).toBe(true);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE']) expect(isRetryable(Object.assign(new Error('x'), { code }))).toBe(true);
    for (const status of [500, 502, 503, 504]) expect(isRetryable(new AwsServiceError('Whatever', 'x', meta(status)))).toBe(true);
    for (const name of ['ConditionalCheckFailedException', 'ValidationException', 'TransactionCanceledException', 'ResourceNotFoundException', 'TransactionConflictException', 'IdempotentParameterMismatchException']) {
      expect(isRetryable(new AwsServiceError(name, 'x', meta(400)))).toBe(false);
    }
    expect(isRetryable(new AwsServiceError('NotImplemented', 'x', meta(501)))).toBe(false);
  });
  it('waits up to 100 ms x 2^(attempt-1), 500 ms when throttled, never more than 20 s', () => {
    for (let i = 0; i < 200; i++) {
      expect(standardBackoff(1, false)).toBeLessThan(100);
      expect(standardBackoff(3, false)).toBeLessThan(400);
      expect(standardBackoff(2, true)).toBeLessThan(1_000);
      expect(standardBackoff(30, true)).toBeLessThanOrEqual(20_000);
    }
  });
});

describe('AwsJsonClient over a loopback server', () => {
  let server: Server;
  let endpoint: string;
  let answer: (req: IncomingMessage, body: string, res: ServerResponse) => void;
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ headers: req.headers, body });
        answer(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
  });

  const client = (over: Partial<ConstructorParameters<typeof AwsJsonClient>[0]> = {}) =>
    new AwsJsonClient({
      service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB',
      endpoint, region: 'eu-west-1', credentials: CREDS, backoff: () => 1, ...over,
    });
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ1', ...headers });
    res.end(JSON.stringify(body));
  };

  it('POSTs the operation as X-Amz-Target with a signature the SDK signer agrees with, and returns the answer with its metadata', async () => {
    answer = (_req, _body, res) => json(res, 200, { Item: { number: { S: '+15550100001' } } });
    const c = client();
    const out = await c.call('GetItem', { TableName: 'numbers', Key: { number: { S: '+15550100001' } } });
    c.destroy();
    expect(out).toEqual({ Item: { number: { S: '+15550100001' } }, $metadata: { httpStatusCode: 200, requestId: 'REQ1', attempts: 1 } });
    const [{ headers, body }] = seen;
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(body)).toEqual({ TableName: 'numbers', Key: { number: { S: '+15550100001' } } });
    const signedNames = ['content-length', 'content-type', 'host', 'x-amz-date', 'x-amz-target'];
    expect(headers.authorization).toBe(await sdkAuthorizationOf({ headers, body }, SCOPE, signedNames));
  });

  it('raises the service error as the SDK would: its type as the name, the message, the status, the extra fields; no retry', async () => {
    answer = (_req, _body, res) =>
      json(res, 400, { __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', Message: 'Transaction cancelled', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] });
    const err = (await client().call('TransactWriteItems', {}).catch((e: unknown) => e)) as AwsServiceError;
    expect(err).toBeInstanceOf(AwsServiceError);
    expect(err).toMatchObject({ name: 'TransactionCanceledException', message: 'Transaction cancelled', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'REQ1', attempts: 1 } });
    expect(err.CancellationReasons).toEqual([{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }]);
    expect(seen).toHaveLength(1);
  });

  it('retries throttling and 5xx up to maxAttempts, then raises the last error; a success on the way ends it', async () => {
    let n = 0;
    answer = (_req, _body, res) => (++n < 3 ? json(res, 400, { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' }) : json(res, 200, {}));
    expect((await client({ maxAttempts: 3 }).call('PutItem', {})).$metadata.attempts).toBe(3);
    expect(seen).toHaveLength(3);

    seen.length = 0;
    answer = (_req, _body, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>Service Unavailable</html>');
    };
    const err = (await client({ maxAttempts: 2 }).call('PutItem', {}).catch((e: unknown) => e)) as AwsServiceError;
    expect(err).toMatchObject({ name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 2 } });
    expect(seen).toHaveLength(2);
  });

  it('a connection refused is retried, then raised with its code (what isStoreUnavailable reads)', async () => {
    const err = (await client({ endpoint: 'http://127.0.0.1:9', maxAttempts: 2 }).call('GetItem', {}).catch((e: unknown) => e)) as NodeJS.ErrnoException & { $metadata: { attempts: number } };
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.$metadata.attempts).toBe(2);
  });

  it('a server that accepts and never answers fails each attempt after requestTimeout with a TimeoutError', async () => {
    const sockets: Socket[] = [];
    const hung = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    const c = client({ endpoint: `http://127.0.0.1:${(hung.address() as { port: number }).port}`, maxAttempts: 2, requestTimeout: 150 });
    const started = Date.now();
    const err = (await c.call('GetItem', {}).catch((e: unknown) => e)) as Error & { $metadata: { attempts: number } };
    const took = Date.now() - started;
    c.destroy();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hung.close(() => r()));
    expect(err.name).toBe('TimeoutError');
    expect(err.message).toContain('within 150 ms');
    expect(err.$metadata.attempts).toBe(2);
    expect(sockets).toHaveLength(2); // each attempt gave up on its connection and opened a new one
    expect(took).toBeGreaterThanOrEqual(300);
  });

  it('reuses one keep-alive connection for consecutive calls', async () => {
    const ports = new Set<number>();
    answer = (req, _body, res) => {
      ports.add(req.socket.remotePort!);
      json(res, 200, {});
    };
    const c = client();
    for (let i = 0; i < 5; i++) await c.call('GetItem', {});
    c.destroy();
    expect(ports.size).toBe(1);
  });

  it('reads credentials from the environment as Lambda sets them, asks a provider once while they are fresh, and names what is missing', async () => {
    answer = (_req, _body, res) => json(res, 200, {});
    const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'tok', AWS_ENDPOINT_URL_DYNAMODB: endpoint };
    await new AwsJsonClient({ service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB', env }).call('GetItem', {});
    expect(seen[0].headers.authorization).toContain('Credential=AKIDENV/');
    expect(seen[0].headers['x-amz-security-token']).toBe('tok');

    let asked = 0;
    const provider = async () => {
      asked++;
      return { ...CREDS, expiration: new Date(Date.now() + 3_600_000) };
    };
    const c = client({ credentials: provider });
    await c.call('GetItem', {});
    await c.call('GetItem', {});
    expect(asked).toBe(1);

    const none = new AwsJsonClient({ service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB', env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: endpoint } });
    await expect(none.call('GetItem', {})).rejects.toThrow('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
    expect(() => new AwsJsonClient({ service: 'dynamodb', targetPrefix: 'x', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB', env: {} })).toThrow('set AWS_REGION');
  });

  it('sends binary values as base64, Buffers included (whose toJSON would make them { type, data })', async () => {
    answer = (_req, _body, res) => json(res, 200, {});
    const c = client();
    await c.call('PutItem', { Item: { a: { B: Buffer.from([1, 2, 255]) }, b: { B: new Uint8Array([0, 9]) }, c: { BS: [Buffer.from('hi')] } } });
    c.destroy();
    expect(JSON.parse(seen[0].body)).toEqual({ Item: { a: { B: 'AQL/' }, b: { B: 'AAk=' }, c: { BS: ['aGk='] } } });
  });

  it('an HTTP 429 is throttling: retried', async () => {
    let n = 0;
    answer = (_req, _body, res) => (++n === 1 ? json(res, 429, { __type: 'TooManyRequests', message: 'slow down' }) : json(res, 200, {}));
    expect((await client().call('GetItem', {})).$metadata.attempts).toBe(2);
  });

  it('in Lambda, passes the invocation\'s X-Ray trace header on, unsigned (as the SDK does), read per request', async () => {
    answer = (_req, _body, res) => json(res, 200, {});
    const saved = { name: process.env.AWS_LAMBDA_FUNCTION_NAME, trace: process.env._X_AMZN_TRACE_ID };
    const c = client();
    try {
      await c.call('GetItem', {});
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'voice';
      for (const trace of ['Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1', 'Root=1-67891233-abcdef012345678912345678;Sampled=0']) {
        process.env._X_AMZN_TRACE_ID = trace;
        await c.call('GetItem', {});
      }
    } finally {
      c.destroy();
      for (const [k, v] of [['AWS_LAMBDA_FUNCTION_NAME', saved.name], ['_X_AMZN_TRACE_ID', saved.trace]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(seen.map((r) => r.headers['x-amzn-trace-id'])).toEqual([undefined, expect.stringContaining('Root=1-5759e988'), expect.stringContaining('Root=1-67891233')]);
    expect(seen[1].headers.authorization).not.toContain('x-amzn-trace-id');
  });

  it('a request waiting for one of the 50 sockets is bounded by the connection timeout, not queued for ever', async () => {
    const sockets: Socket[] = [];
    const hung = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    const c = client({ endpoint: `http://127.0.0.1:${(hung.address() as { port: number }).port}`, maxAttempts: 1, connectionTimeout: 200, requestTimeout: 3_000 });
    const settled: string[] = [];
    const calls = Array.from({ length: 51 }, (_, i) => c.call('GetItem', {}).catch((e: Error) => settled.push(`${i}:${e.message}`)));
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      // The 51st had no socket: it gave up after its connection timeout; the 50 connected ones still wait for their answers.
      expect(settled).toEqual([expect.stringMatching(/^50:dynamodb timed out: no connection to 127\.0\.0\.1:\d+ within 200 ms$/)]);
      expect(sockets).toHaveLength(50);
    } finally {
      c.destroy();
      for (const s of sockets) s.destroy();
      await Promise.all(calls);
      await new Promise<void>((r) => hung.close(() => r()));
    }
  });

  it('names the endpoint settings it does not implement instead of ignoring them, and honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const make = (env: NodeJS.ProcessEnv) => new AwsJsonClient({ service: 'dynamodb', targetPrefix: 'x', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB', env });
    expect(() => make({ AWS_REGION: 'us-east-1', AWS_USE_FIPS_ENDPOINT: 'true' })).toThrow('AWS_USE_FIPS_ENDPOINT is not supported here; set AWS_ENDPOINT_URL_DYNAMODB');
    expect(() => make({ AWS_REGION: 'us-east-1', AWS_USE_DUALSTACK_ENDPOINT: 'true' })).toThrow('AWS_USE_DUALSTACK_ENDPOINT');
    expect(() => make({ AWS_REGION: 'us-isob-east-1' })).toThrow('the endpoints of us-isob-east-1 are not known here; set AWS_ENDPOINT_URL_DYNAMODB');
    expect(make({ AWS_REGION: 'us-gov-west-1' }).endpoint).toBe('https://dynamodb.us-gov-west-1.amazonaws.com');
    expect(make({ AWS_REGION: 'eu-west-1', AWS_USE_FIPS_ENDPOINT: 'true', AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamodb-fips.eu-west-1.amazonaws.com' }).endpoint).toBe('https://dynamodb-fips.eu-west-1.amazonaws.com');
    expect(make({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).endpoint).toBe('https://dynamodb.eu-west-1.amazonaws.com');
    expect(make({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).endpoint).toBe('http://127.0.0.1:4566');
  });

  it('without an endpoint, talks to the region\'s own: https://dynamodb.<region>.amazonaws.com', () => {
    const env = { AWS_REGION: 'eu-west-1' };
    expect(new AwsJsonClient({ service: 'dynamodb', targetPrefix: 'x', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB', env }).endpoint).toBe('https://dynamodb.eu-west-1.amazonaws.com');
    expect(new AwsJsonClient({ service: 'secretsmanager', targetPrefix: 'x', jsonVersion: '1.1', endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER', env: { AWS_REGION: 'cn-north-1' } }).endpoint).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn');
  });
});

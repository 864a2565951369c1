// A small client for AWS's JSON protocol (DynamoDB, Secrets Manager): one signed POST per operation over
// a keep-alive connection, with bounded timeouts and the SDK's standard retry rules. It exists for the
// webhooks' cold start: the SDK's DynamoDB client costs a fresh Node process ~58 ms to load, this file
// and node:https about 3 ms (docs/performance.md). It speaks only what the handlers use: region and
// endpoint from the environment as the SDK reads them, credentials from the environment (as Lambda
// provides them) or from a provider, SigV4 over node:crypto, the errors the SDK would raise (same
// `name`, `$metadata`, `$fault` and service fields), so the stores' error handling did not change.
import { createHash, createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; a provider is asked again five minutes before. */
  expiration?: Date;
}

/** Fixed credentials, or a provider (for instance the SDK's `defaultProvider()` in a local tool). */
export type CredentialSource = AwsCredentials | (() => Promise<AwsCredentials>);

export interface AwsJsonTimeouts {
  /** Attempts per operation, the first included (the SDK's default is 3). */
  maxAttempts: number;
  /** Milliseconds to open a connection. */
  connectionTimeout: number;
  /** Milliseconds from a connected socket to the whole answer. */
  requestTimeout: number;
}

export interface AwsJsonClientConfig extends Partial<AwsJsonTimeouts> {
  /** The SigV4 signing name and the endpoint's host prefix: `dynamodb`, `secretsmanager`. */
  service: string;
  /** The X-Amz-Target prefix: `DynamoDB_20120810`, `secretsmanager`. */
  targetPrefix: string;
  /** application/x-amz-json-1.0 (DynamoDB) or -1.1 (Secrets Manager). */
  jsonVersion: '1.0' | '1.1';
  /** The service-specific endpoint variable the SDK reads, e.g. AWS_ENDPOINT_URL_DYNAMODB. */
  endpointEnv: string;
  endpoint?: string;
  region?: string;
  credentials?: CredentialSource;
  env?: NodeJS.ProcessEnv;
  /** Waits between attempts (tests pass a fast one); `attempt` counts from 1, `throttled` when the service said slow down. */
  backoff?: (attempt: number, throttled: boolean) => number;
}

export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts: number;
}

/** What the service refused or failed, shaped as the SDK shapes it: `name` is the service's error type. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: ResponseMetadata;
  [field: string]: unknown;

  constructor(name: string, message: string, metadata: ResponseMetadata, fields: Record<string, unknown> = {}) {
    super(message);
    Object.assign(this, fields);
    this.name = name;
    this.$metadata = metadata;
    this.$fault = (metadata.httpStatusCode ?? 500) >= 500 ? 'server' : 'client';
  }
}

/** Error types the SDK's standard retry strategy treats as throttling (retried, with a longer backoff). */
const THROTTLING = new Set([
  'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled',
  'RequestThrottledException', 'TooManyRequestsException', 'ThrottledException', 'SlowDown', 'BandwidthLimitExceeded',
  'PriorRequestNotComplete', 'EC2ThrottledException', 'Throttling', 'LimitExceededException', 'TransactionInProgressException',
]);
/** Transient errors the SDK retries: timeouts and connection failures. */
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** Node's codes for a connection that could not be made or was lost (also what isStoreUnavailable reads). */
export const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

export const isThrottling = (err: unknown) => {
  const e = err as { name?: string; $metadata?: ResponseMetadata } | undefined;
  return THROTTLING.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
};

/** Whether trying the same request again may succeed (the SDK's standard rules). */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: ResponseMetadata } | undefined;
  if (!e) return false;
  if (isThrottling(e) || TRANSIENT_NAMES.has(e.name ?? '') || CONNECTION_ERROR_CODES.has(e.code ?? '')) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 500 || status === 502 || status === 503 || status === 504;
}

/** The SDK's standard backoff: full jitter, 100 ms base (500 ms when throttled), doubling, at most 20 s. */
export const standardBackoff = (attempt: number, throttled: boolean) => Math.random() * Math.min(20_000, (throttled ? 500 : 100) * 2 ** (attempt - 1));

// ---- SigV4 ----------------------------------------------------------------------------------------

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20261201T112233Z` */
export const amzDate = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}|${day}|${region}|${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
    if (signingKeys.size > 16) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

export interface SignableRequest {
  method: string;
  /** The path, already URI-encoded; `/` for the JSON protocol. */
  path: string;
  /** Every header to send and sign, `host` included (names in any case). */
  headers: Record<string, string>;
  body: string;
}

/**
 * AWS Signature Version 4 for a request without a query string: the headers to send, `authorization`,
 * `x-amz-date` and (with temporary credentials) `x-amz-security-token` added, every header signed.
 * test/unit/aws-json.test.ts checks it against the SDK's own signer.
 */
export function signV4(req: SignableRequest, credentials: AwsCredentials, region: string, service: string, at: Date): Record<string, string> {
  const date = amzDate(at);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  headers['x-amz-date'] = date;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [req.method, req.path, '', canonicalHeaders, signedHeaders, sha256Hex(req.body)].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, region, service)).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

// ---- the client -----------------------------------------------------------------------------------

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const timeoutError = (message: string) => Object.assign(new Error(message), { name: 'TimeoutError' });

export class AwsJsonClient {
  private readonly agent: HttpAgent;
  private readonly url: URL;
  private readonly region: string;
  private readonly timeouts: AwsJsonTimeouts;
  private cached?: AwsCredentials;

  constructor(private readonly config: AwsJsonClientConfig) {
    const env = config.env ?? process.env;
    const region = config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    const configured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ? undefined : (env[config.endpointEnv] ?? env.AWS_ENDPOINT_URL);
    const endpoint = config.endpoint ?? configured;
    if (!region && !endpoint) throw new Error(`${config.service}: no region (set AWS_REGION) and no endpoint (${config.endpointEnv})`);
    this.region = region ?? 'us-east-1';
    this.url = new URL(endpoint ?? regionalEndpoint(config.service, this.region, env, config.endpointEnv));
    this.timeouts = { maxAttempts: config.maxAttempts ?? 3, connectionTimeout: config.connectionTimeout ?? 5_000, requestTimeout: config.requestTimeout ?? 10_000 };
    const Agent = this.url.protocol === 'http:' ? HttpAgent : HttpsAgent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 50 });
  }

  /** The endpoint requests go to. */
  get endpoint(): string {
    return this.url.origin;
  }

  /** Runs `operation` with `input` (a JSON-serialisable object) and returns the parsed answer. */
  async call<T = Record<string, unknown>>(operation: string, input: unknown): Promise<T & { $metadata: ResponseMetadata }> {
    const body = JSON.stringify(input, blobsAsBase64);
    const backoff = this.config.backoff ?? standardBackoff;
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const res = await this.post(operation, body);
        const metadata: ResponseMetadata = { httpStatusCode: res.status, requestId: header(res, 'x-amzn-requestid'), attempts: attempt };
        if (res.status >= 200 && res.status < 300) return { ...(res.body ? (JSON.parse(res.body) as T) : ({} as T)), $metadata: metadata };
        failure = serviceError(res, metadata);
      } catch (err) {
        failure = err;
        if (err && typeof err === 'object' && !('$metadata' in err)) Object.assign(err, { $metadata: { attempts: attempt } });
      }
      if (attempt >= this.timeouts.maxAttempts || !isRetryable(failure)) throw failure;
      await new Promise((r) => setTimeout(r, backoff(attempt, isThrottling(failure))));
    }
  }

  /** Closes the idle keep-alive connections (tests and local tools call it before they exit). */
  destroy(): void {
    this.agent.destroy();
  }

  private async credentials(): Promise<AwsCredentials> {
    const source = this.config.credentials;
    if (source && typeof source !== 'function') return source;
    if (source) {
      const fresh = this.cached && (!this.cached.expiration || this.cached.expiration.getTime() - Date.now() > 300_000);
      if (!fresh) this.cached = await source();
      return this.cached!;
    }
    const env = this.config.env ?? process.env;
    const [accessKeyId, secretAccessKey] = [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY];
    if (!accessKeyId || !secretAccessKey) throw new Error(`${this.config.service}: no AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)`);
    return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  }

  private async post(operation: string, body: string): Promise<RawResponse> {
    const signed = signV4(
      {
        method: 'POST',
        path: '/',
        headers: {
          host: this.url.host,
          'content-type': `application/x-amz-json-${this.config.jsonVersion}`,
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-target': `${this.config.targetPrefix}.${operation}`,
        },
        body,
      },
      await this.credentials(),
      this.region,
      this.config.service,
      new Date(),
    );
    // As the SDK's recursion-detection middleware does in Lambda: the invocation's X-Ray trace header,
    // unsigned, so a spilled message keeps its AWSTraceHeader and the drain's trace links to the webhook's.
    const traceId = process.env.AWS_LAMBDA_FUNCTION_NAME ? process.env._X_AMZN_TRACE_ID : undefined;
    const headers = traceId ? { ...signed, 'x-amzn-trace-id': traceId } : signed;
    const send = this.url.protocol === 'http:' ? httpRequest : httpsRequest;
    const { connectionTimeout, requestTimeout } = this.timeouts;
    return new Promise<RawResponse>((resolve, reject) => {
      const req: ClientRequest = send({ hostname: this.url.hostname, port: this.url.port || undefined, path: '/', method: 'POST', headers, agent: this.agent });
      // Rejects at once: Node raises a destroyed request's error only once it has a socket, and a queued one has none.
      const giveUp = (message: string) => {
        const err = timeoutError(message);
        req.destroy(err);
        reject(err);
      };
      // From now, not from when a socket is free: a request queued behind the agent's 50 sockets is bounded too.
      let timer: NodeJS.Timeout | undefined = setTimeout(
        () => giveUp(`${this.config.service} timed out: no connection to ${this.url.host} within ${connectionTimeout} ms`),
        connectionTimeout,
      );
      const answerWithin = () => {
        clearTimeout(timer);
        timer = setTimeout(() => giveUp(`${this.config.service} timed out: no answer to ${operation} within ${requestTimeout} ms`), requestTimeout);
      };
      req.on('socket', (socket) => {
        if (!socket.connecting) answerWithin();
        else socket.once('connect', answerWithin);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }
}

/** The JSON protocols send blobs (DynamoDB's B and BS) as base64 text. */
function blobsAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // The value before toJSON: a Buffer's toJSON would otherwise turn it into { type: 'Buffer', data: [...] }.
  const original = this[key];
  return ArrayBuffer.isView(original) ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') : value;
}

/** Partitions whose endpoints follow `<service>.<region>.<suffix>`; the others need AWS_ENDPOINT_URL_<SERVICE>. */
const PARTITION_SUFFIX: [RegExp, string][] = [[/^cn-/, 'amazonaws.com.cn'], [/^(us-iso|eu-isoe|eusc-)/, ''], [/^/, 'amazonaws.com']];

/** The region's public endpoint, as the SDK would pick it; a setting we do not implement is named, not ignored. */
function regionalEndpoint(service: string, region: string, env: NodeJS.ProcessEnv, endpointEnv: string): string {
  for (const setting of ['AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT']) {
    if (env[setting] === 'true') throw new Error(`${service}: ${setting} is not supported here; set ${endpointEnv} to the endpoint to use`);
  }
  const suffix = PARTITION_SUFFIX.find(([pattern]) => pattern.test(region))![1];
  if (!suffix) throw new Error(`${service}: the endpoints of ${region} are not known here; set ${endpointEnv}`);
  return `https://${service}.${region}.${suffix}`;
}

const header = (res: RawResponse, name: string) => {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The service's JSON error (`__type` "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", `message`) as the SDK raises it. */
function serviceError(res: RawResponse, metadata: ResponseMetadata): AwsServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
  } catch {
    // A proxy's HTML page, say: named by the status below.
  }
  const type = String(parsed.__type ?? header(res, 'x-amzn-errortype') ?? '').split(':')[0];
  const name = type.slice(type.lastIndexOf('#') + 1) || (res.status >= 500 ? 'InternalServerError' : `HttpError${res.status}`);
  const { __type: _type, message, Message, ...fields } = parsed;
  return new AwsServiceError(name, String(message ?? Message ?? `${name} (HTTP ${res.status})`), metadata, fields);
}

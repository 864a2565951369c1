// `npm run dashboard -- --api <ApiUrl>`: the dashboard for a deployed stack. A server on loopback serves
// the same built app and forwards /api/* to the HTTP API, signing each request with SigV4 (service
// execute-api) with the user's own AWS credentials, found by the SDK's default chain: no key ever
// reaches the page. Because anything the proxy forwards is signed as the user, it only forwards what its
// own page sends: the Host must be its own (DNS rebinding) and a write's Origin, when present, too (CSRF).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, HttpRequest } from '@smithy/types';
import { staticFiles } from './static-files';

export interface DashboardProxyOptions {
  /** The HTTP API's base URL (the stack's ApiUrl output), e.g. https://abc.execute-api.eu-west-1.amazonaws.com */
  apiUrl: string;
  /** Defaults to the region in an execute-api host name. */
  region?: string;
  port?: number;
  host?: string;
  webDir: string;
  credentials?: AwsCredentialIdentityProvider;
}

export interface DashboardProxy {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** `abc123.execute-api.eu-west-1.amazonaws.com` → `eu-west-1`. */
export function regionOf(apiUrl: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(apiUrl).hostname)?.[1];
}

/** Headers the admin API reads; everything else the browser sends (cookies, origin...) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'if-match', 'accept'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'etag', 'retry-after'];
const MAX_BODY_BYTES = 512 * 1024;

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const api = new URL(options.apiUrl);
  if (api.protocol !== 'https:' && api.protocol !== 'http:') throw new Error(`--api must be an http(s) URL, not ${options.apiUrl}`);
  const region = options.region ?? regionOf(options.apiUrl);
  if (!region) throw new Error(`cannot tell the AWS region from ${api.hostname}: pass --region`);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: options.credentials ?? defaultProvider(), sha256: Hash.bind(null, 'sha256') });
  const basePath = api.pathname.replace(/\/+$/, '');
  const serveFile = staticFiles(options.webDir);
  let ownHosts: string[] = [];

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://proxy.invalid');
      if (!url.pathname.startsWith('/api/')) {
        if (!(await serveFile(req, res))) sendError(res, 404, 'not_found', `no file ${url.pathname}`);
        return;
      }
      if (!ownHosts.includes(req.headers.host ?? '')) return sendError(res, 403, 'forbidden', 'the dashboard proxy only answers requests addressed to itself');
      const origin = req.headers.origin;
      if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !ownHosts.some((h) => origin === `http://${h}`)) {
        return sendError(res, 403, 'forbidden', `writes are only accepted from the dashboard itself, not from ${origin}`);
      }
      const body = await readBody(req);
      // One canonical encoding on the wire (each segment encoded once); the signer encodes it again, as execute-api expects.
      const path = basePath + url.pathname.split('/').map((s) => enc(decodeURIComponent(s))).join('/');
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const headers: Record<string, string> = { host: api.host };
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        protocol: api.protocol,
        hostname: api.hostname,
        port: api.port ? Number(api.port) : undefined,
        path,
        query,
        headers,
        body: body.length ? body.toString('utf8') : undefined,
      };
      let signed: HttpRequest;
      try {
        signed = (await signer.sign(request)) as HttpRequest;
      } catch (err) {
        return sendError(res, 401, 'no_credentials', `no AWS credentials for the admin API (${(err as Error).message}); set AWS_PROFILE or run aws sso login`);
      }
      const search = Object.entries(query).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
      const { host: _host, ...sendHeaders } = signed.headers;
      let upstream: Response;
      try {
        upstream = await fetch(`${api.protocol}//${api.host}${path}${search ? `?${search}` : ''}`, {
          method: request.method,
          headers: sendHeaders,
          body: request.body,
          redirect: 'manual',
        });
      } catch (err) {
        return sendError(res, 502, 'upstream_unreachable', `the admin API at ${api.origin} did not answer: ${(err as Error).message}`);
      }
      const out: Record<string, string> = {};
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = upstream.headers.get(name);
        if (value !== null) out[name] = value;
      }
      const answer = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, out).end(answer);
    } catch (err) {
      if (!res.headersSent) sendError(res, 500, 'proxy_error', (err as Error).message);
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ownHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// `npm run dashboard -- --api <ApiUrl>`: the dashboard for a deployed stack. A server on loopback serves
// the same built app and forwards /api/* to the HTTP API's /cli/api/* (the IAM routes), signing each request with SigV4 (service
// execute-api) with the user's own AWS credentials, found by the SDK's default chain: no key ever
// reaches the page. Because anything the proxy forwards is signed as the user, it only forwards what its
// own page sends: the Host must be its own (DNS rebinding, 421, on every path: local/http-guards.ts), a
// request a browser marks as sent by another site (`Sec-Fetch-Site: cross-site` or `same-site`: an <img>
// or a form on another page) is refused whatever its method (403), and a write's Origin, when present,
// must be its own (CSRF). All before anything is signed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, HttpRequest } from '@smithy/types';
import { continueOnlyWhen, declaredOver, isAddressedTo, ownHosts, readCappedBody, refuseMisdirected, refuseOtherSites, sendJsonError, unreadBody } from './http-guards';
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

export async function startDashboardProxy(options: DashboardProxyOptions): Promise<DashboardProxy> {
  const api = new URL(options.apiUrl);
  if (api.protocol !== 'https:' && api.protocol !== 'http:') throw new Error(`--api must be an http(s) URL, not ${options.apiUrl}`);
  const region = options.region ?? regionOf(options.apiUrl);
  if (!region) throw new Error(`cannot tell the AWS region from ${api.hostname}: pass --region`);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: options.credentials ?? defaultProvider(), sha256: Hash.bind(null, 'sha256') });
  const basePath = api.pathname.replace(/\/+$/, '');
  const serveFile = staticFiles(options.webDir);
  let port = 0;
  let hosts: string[] = [];

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://proxy.invalid');
      if (refuseMisdirected(req, res, hosts, port)) return;
      if (url.pathname === '/config.json') {
        // The page signs in nowhere here: the proxy signs its requests with the user's AWS credentials.
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' }).end(JSON.stringify({ auth: null }));
        return;
      }
      if (!url.pathname.startsWith('/api/')) {
        if (!(await serveFile(req, res))) sendJsonError(res, 404, 'not_found', `no file ${url.pathname}`);
        return;
      }
      if (refuseOtherSites(req, res, 'the dashboard proxy')) return;
      const origin = req.headers.origin;
      if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) {
        return sendJsonError(res, 403, 'forbidden', `writes are only accepted from the dashboard itself, not from ${origin}`, unreadBody(req));
      }
      const body = await readCappedBody(req, MAX_BODY_BYTES);
      if (!body) return sendJsonError(res, 413, 'payload_too_large', `the body is larger than the proxy's ${MAX_BODY_BYTES / 1024} KB limit`, unreadBody(req));
      // One canonical encoding on the wire (each segment encoded once); the signer encodes it again, as execute-api expects.
      // The page's /api/* goes to the HTTP API's IAM routes, /cli/api/* (its /api/* wants a Cognito token).
      const path = `${basePath}/cli${url.pathname.split('/').map((s) => enc(decodeURIComponent(s))).join('/')}`;
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
        return sendJsonError(res, 401, 'no_credentials', `no AWS credentials for the admin API (${(err as Error).message}); set AWS_PROFILE or run aws sso login`);
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
        return sendJsonError(res, 502, 'upstream_unreachable', `the admin API at ${api.origin} did not answer: ${(err as Error).message}`);
      }
      const out: Record<string, string> = {};
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = upstream.headers.get(name);
        if (value !== null) out[name] = value;
      }
      const answer = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, out).end(answer);
    } catch (err) {
      if (!res.headersSent) sendJsonError(res, 500, 'proxy_error', (err as Error).message);
      else res.destroy();
    }
  });
  continueOnlyWhen(server, (req) => isAddressedTo(req, hosts) && !declaredOver(req, MAX_BODY_BYTES));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4000, options.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  hosts = ownHosts(port, options.host);
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

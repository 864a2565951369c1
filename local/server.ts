// Serves the Lambda handlers over plain HTTP, turning each request into the API Gateway HTTP API
// (payload v2) event the Lambdas get in AWS, so local mode runs exactly the deployed code paths.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { payloadTooLarge } from '../lambdas/admin/http';
import { functionFor, routeFor, type FunctionKey } from '../lambdas/config/routes';
import type { JwtCheck } from './jwt-authorizer';
import { MAX_DOCUMENT_BYTES } from '../lambdas/flows/schema';
import { MAX_WEBHOOK_BODY_BYTES, WEBHOOK_TOO_LARGE } from '../lambdas/twilio/limits';
import { plain } from '../lambdas/webhooks/answers';
import { continueOnlyWhen, declaredOver, hostsOfUrl, isAddressedTo, ownHosts, readCappedBody, refuseMisdirected, refuseOtherSites, sendJsonError, unreadBody } from './http-guards';
import type { StaticHandler } from './static-files';

export type LambdaHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined>;

export type Routes = Record<FunctionKey, LambdaHandler>;

/** Which Lambda serves a path: the route table the CDK gives API Gateway (lambdas/config/routes.ts). */
export function lambdaFor(path: string, routes: Routes): LambdaHandler | undefined {
  const fn = functionFor(path);
  return fn && routes[fn];
}

export function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  // API Gateway base64-encodes bodies that are not text/JSON (form posts included): do the same here.
  const isJson = (headers['content-type'] ?? '').includes('json');
  const rawQueryString = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: body.length ? (isJson ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isJson,
  };
}

export interface LocalServerOptions {
  /** Serves the dashboard's files for paths no Lambda route takes (local/static-files.ts). */
  static?: StaticHandler;
  /** The address it listens on (`--host`): requests addressed to that address are answered too. */
  listenHost?: string;
  /**
   * PUBLIC_URL, read per request: requests addressed to its host are answered for the webhooks
   * (`/twilio/*`) only, as a tunnel forwards the carrier's requests with it; never the admin API or the dashboard.
   */
  publicUrl?: () => string | undefined;
  /** Handler invocations running at once; the rest wait their turn, in order. @default LOCAL_CONCURRENCY */
  concurrency?: number;
  /** Sign-in (`npm start -- --auth`): the local OpenID provider, and the authorizers API Gateway runs in AWS. */
  auth?: LocalAuth;
}

/**
 * What the local server does in place of Cognito and API Gateway's authorizers (DESIGN.md section 16):
 * `/api/*` needs a token the JWT authorizer accepts (401 otherwise, before the function runs, as in AWS);
 * `/cli/api/*` stands for the IAM routes: it takes requests from programs on this machine (the
 * command-line tools), never from a browser page.
 */
export interface LocalAuth {
  /** Answers the provider's own routes and its sign-in page: true when it did. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The JWT authorizer's verdict on an `Authorization` header (local/jwt-authorizer.ts). */
  checkToken(authorization: string | undefined): Promise<JwtCheck>;
}

/** A browser says where a request comes from; the command-line tools send neither header. */
const fromBrowser = (req: IncomingMessage) => req.headers['sec-fetch-site'] !== undefined || req.headers.origin !== undefined;

/**
 * The authorizer's word on the event, as API Gateway puts it there; or the refusal (API Gateway answers
 * `{"message":"Unauthorized"}`; here the admin API's own error format says why).
 */
async function authorize(auth: LocalAuth, req: IncomingMessage, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const kind = routeFor(event.rawPath)?.authorizer;
  if (!kind) return undefined;
  const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) => ({
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ error: { code, message } }),
  });
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & { authorizer?: unknown };
  if (kind === 'iam') {
    if (fromBrowser(req)) return refuse(403, 'forbidden_site', '/cli/api/* is for the command-line tools; the dashboard signs in and uses /api/*');
    context.authorizer = { iam: { accessKey: 'local', accountId: 'local', callerId: 'local', cognitoIdentity: null, principalOrgId: null, userArn: 'local:cli', userId: 'local' } };
    return undefined;
  }
  const check = await auth.checkToken(event.headers.authorization);
  if (!check.ok) return refuse(401, 'unauthorized', `sign in first: ${check.reason}`, { 'www-authenticate': 'Bearer' });
  context.authorizer = { jwt: { claims: check.claims, scopes: null } };
  return undefined;
}

/**
 * How many handler invocations the local server runs at once, as that many Lambda environments would
 * (each serves one request at a time). One process serves every request here: started all at once, 300
 * calls shared one CPU and each one's answer deadline ran out while the others ran (issue 18). A request
 * waiting its turn has not started its handler (nor its deadline), as a Lambda invocation waiting for an
 * environment has not. With at most a few DynamoDB requests in flight per invocation, this many never
 * queue for the SDK clients' sockets (lambdas/config/request-budget.ts SOCKETS_PER_CLIENT).
 */
export const LOCAL_CONCURRENCY = 16;

/** A first-come, first-served line of at most `size` running at once. */
function turns(size: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running < size) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the turn is handed over, running unchanged
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** How much of a body each kind of route reads: a webhook's 64 KB, else the admin API's document limit. */
function bodyLimit(webhook: boolean): { maxBytes: number; refusal: APIGatewayProxyStructuredResultV2 } {
  return webhook ? { maxBytes: MAX_WEBHOOK_BODY_BYTES, refusal: plain(413, WEBHOOK_TOO_LARGE) } : { maxBytes: MAX_DOCUMENT_BYTES, refusal: payloadTooLarge() };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2, extraHeaders: Record<string, string> = {}): void {
  const body = result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body)) : Buffer.alloc(0);
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), ...extraHeaders }).end(body);
}

/**
 * `routes()` is undefined while the stack is still starting: requests get 503 until it is ready.
 * Before any work: the Host must be this server's (421 otherwise, local/http-guards.ts), the admin API
 * is not for other sites' pages (403 on Sec-Fetch-Site cross-site or same-site), and the body is read only
 * up to its route's limit (413 past it, the rest unread).
 */
export function createLocalServer(routes: () => Routes | undefined, options: LocalServerOptions = {}): Server {
  const inTurn = turns(options.concurrency ?? LOCAL_CONCURRENCY);
  /** What a request may be, from its head alone: the Host values answered for its path, and how much body is read. */
  const admission = (req: IncomingMessage) => {
    const port = (server.address() as AddressInfo).port;
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const webhook = path.startsWith('/twilio/');
    const allowed = [...ownHosts(port, options.listenHost), ...(webhook ? hostsOfUrl(options.publicUrl?.()) : [])];
    return { port, webhook, admin: path.startsWith('/api/') || path.startsWith('/cli/api/'), allowed, ...bodyLimit(webhook) };
  };
  const server = createServer(async (req, res) => {
    try {
      const { port, webhook, admin, allowed, maxBytes, refusal } = admission(req);
      if (refuseMisdirected(req, res, allowed, port)) return;
      // The OpenID provider reads its own requests (token requests are form posts of its own format).
      if (options.auth && (await options.auth.handle(req, res))) return;
      // The admin API has no authentication here: a page of another site may not use it, not even to read.
      if (admin && refuseOtherSites(req, res, 'the local admin API')) return;
      const body = await readCappedBody(req, maxBytes);
      if (!body) return send(res, refusal, unreadBody(req));
      const event = toEvent(req, body);
      if (options.static && !admin && !webhook && (await options.static(req, res))) return;
      const ready = routes();
      if (!ready) {
        sendJsonError(res, 503, 'starting', 'the local stack is still starting', { 'retry-after': '1' });
        return;
      }
      const lambda = lambdaFor(event.rawPath, ready);
      if (!lambda) {
        sendJsonError(res, 404, 'not_found', `no route for ${event.rawPath}`);
        return;
      }
      const refused = options.auth ? await authorize(options.auth, req, event) : undefined;
      if (refused) return send(res, refused);
      const result = await inTurn(() => lambda(event));
      send(res, typeof result === 'object' && result ? result : { statusCode: 200, body: result ?? '' });
    } catch (err) {
      // In AWS an unhandled Lambda error is a 500 from API Gateway; the same here, with the cause on stderr.
      console.error(err);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Internal Server Error' }));
    }
  });
  continueOnlyWhen(server, (req) => {
    const { allowed, maxBytes } = admission(req);
    return isAddressedTo(req, allowed) && !declaredOver(req, maxBytes);
  });
  return server;
}

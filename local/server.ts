// Serves the Lambda handlers over plain HTTP, turning each request into the API Gateway HTTP API
// (payload v2) event the Lambdas get in AWS, so local mode runs exactly the deployed code paths.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { functionFor, type FunctionKey } from '../lambdas/config/routes';
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
  /** Handler invocations running at once; the rest wait their turn, in order. @default LOCAL_CONCURRENCY */
  concurrency?: number;
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

/** `routes()` is undefined while the stack is still starting: requests get 503 until it is ready. */
export function createLocalServer(routes: () => Routes | undefined, options: LocalServerOptions = {}): Server {
  const inTurn = turns(options.concurrency ?? LOCAL_CONCURRENCY);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const event = toEvent(req, Buffer.concat(chunks));
      if (options.static && !event.rawPath.startsWith('/api/') && !event.rawPath.startsWith('/twilio/') && (await options.static(req, res))) return;
      const ready = routes();
      if (!ready) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { code: 'starting', message: 'the local stack is still starting' } }));
        return;
      }
      const lambda = lambdaFor(event.rawPath, ready);
      if (!lambda) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: `no route for ${event.rawPath}` } }));
        return;
      }
      try {
        const result = await inTurn(() => lambda(event));
        const r = typeof result === 'object' && result ? result : { statusCode: 200, body: result ?? '' };
        const body = r.body ? (r.isBase64Encoded ? Buffer.from(r.body, 'base64') : Buffer.from(r.body)) : Buffer.alloc(0);
        res.writeHead(r.statusCode ?? 200, { ...(r.headers as Record<string, string>) }).end(body);
      } catch (err) {
        // In AWS an unhandled Lambda error is a 500 from API Gateway; the same here, with the cause on stderr.
        console.error(err);
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Internal Server Error' }));
      }
    });
  });
}

// The admin API's router: a table of method + path patterns (routes.ts, carrier-routes.ts), matched
// segment by segment. A known path asked with another method is 405; anything else unknown is 404.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError } from '../errors';
import { apiPath } from './access';
import type { AdminDeps } from './flows';
import type { Response } from './http';

export type Params = Record<string, string>;

export interface Route {
  method: string;
  path: string[];
  run(deps: AdminDeps, event: APIGatewayProxyEventV2, params: Params): Promise<Response>;
}

export async function dispatch(routes: readonly Route[], deps: AdminDeps, event: APIGatewayProxyEventV2): Promise<Response> {
  const method = event.requestContext.http.method.toUpperCase();
  // /api/* for the browser (tokens), /cli/api/* for the command-line tools (AWS credentials): one table.
  const path = apiPath(event.rawPath);
  if (!path) throw new NotFoundError(`route ${method} ${event.rawPath}`);
  let pathMatched = false;
  for (const r of routes) {
    const params = match(r.path, path);
    if (!params) continue;
    pathMatched = true;
    if (r.method === method) return r.run(deps, event, params);
  }
  if (pathMatched) throw new MethodNotAllowedError(method, event.rawPath);
  throw new NotFoundError(`route ${method} ${event.rawPath}`);
}

function match(pattern: string[], path: string[]): Params | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = path[i];
    else if (pattern[i] !== path[i]) return undefined;
  }
  return params;
}

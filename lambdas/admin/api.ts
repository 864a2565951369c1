// The admin API as one middy pipeline: Powertools logger, error mapping, who may (access.ts), JSON-only writes, then the
// router. The router is the project's own (router.ts, the table in routes.ts): method + path patterns,
// and a 405 for a known path with another method; @middy/http-router would add a dependency and
// regular expressions per route and answer 405/404 in its own format, not DESIGN.md section 6's.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '../observability/logger';
import type { AdminDeps } from './flows';
import type { Response } from './http';
import { access } from './access';
import { adminErrors, jsonRequests, type AdminEvent } from './middleware';
import { route } from './routes';

export type AdminHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<Response>;

export interface AdminApiOptions {
  /** Refuse writes whose Origin is another site (local mode). */
  checkOrigin?: boolean;
  /**
   * Local mode without sign-in: a request that no authorizer vouched for is an admin's. Otherwise such a
   * request is 401, and roles are enforced route by route (access.ts).
   */
  open?: boolean;
}

export function adminApi(deps: AdminDeps, options: AdminApiOptions = {}): AdminHandler {
  const pipeline = middy<AdminEvent, Response>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(adminErrors())
    // Who is calling and whether their role may, before the body is even parsed.
    .use(access(deps, { open: options.open ?? false }))
    .use(jsonRequests({ checkOrigin: options.checkOrigin ?? false }))
    .handler((event) => route(deps, event));
  return (event, context) => pipeline(event, context ?? ({} as Context));
}

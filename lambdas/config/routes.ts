// The HTTP API's routes and which function serves each, stated once: the CDK (lib/) adds exactly these
// routes to API Gateway, and the local server (local/server.ts) dispatches with the same table.
export type FunctionKey = 'admin' | 'voice' | 'sms' | 'fallback';

export interface RouteSpec {
  /** API Gateway route path; `{proxy+}` is one or more further segments. */
  readonly path: string;
  readonly method: 'POST' | 'ANY';
  readonly function: FunctionKey;
  /**
   * Who vouches for the caller before the function runs (DESIGN.md section 16): the JWT authorizer (a
   * Cognito token: the browser) or IAM (AWS credentials: the command-line tools). None: the webhooks,
   * which check the carrier's signature themselves.
   */
  readonly authorizer?: 'jwt' | 'iam';
}

export const HTTP_ROUTES: readonly RouteSpec[] = [
  // The same admin function on two routes: nothing under /api/ or /cli/api/ answers without a token or AWS credentials.
  { path: '/api/{proxy+}', method: 'ANY', function: 'admin', authorizer: 'jwt' },
  { path: '/cli/api/{proxy+}', method: 'ANY', function: 'admin', authorizer: 'iam' },
  { path: '/twilio/voice', method: 'POST', function: 'voice' },
  // Twilio's fallback URL for both voice and messaging: its own function (no DynamoDB: it spills), which
  // tells them apart by MessageSid; the voice function may be what failed.
  { path: '/twilio/fallback', method: 'POST', function: 'fallback' },
  // Continuation steps and callbacks: the project writes these URLs into its own TwiML.
  { path: '/twilio/voice/{proxy+}', method: 'POST', function: 'voice' },
  { path: '/twilio/sms', method: 'POST', function: 'sms' },
  // The StatusCallback of every text the sender sends (DESIGN.md section 17): a small update, served by
  // the sms function (it has the messaging side's table grants), signed like every webhook.
  { path: '/twilio/message-status', method: 'POST', function: 'sms' },
];

/** The route API Gateway would take for `path` (any method: the handlers answer for their own). */
export function routeFor(path: string): RouteSpec | undefined {
  for (const route of HTTP_ROUTES) {
    if (route.path.endsWith('/{proxy+}')) {
      const prefix = route.path.slice(0, -'{proxy+}'.length);
      if (path.startsWith(prefix) && path.length > prefix.length) return route;
    } else if (path === route.path) return route;
  }
  return undefined;
}

/** The function API Gateway would invoke for `path`. */
export const functionFor = (path: string): FunctionKey | undefined => routeFor(path)?.function;

export const routesOf = (fn: FunctionKey): RouteSpec[] => HTTP_ROUTES.filter((r) => r.function === fn);

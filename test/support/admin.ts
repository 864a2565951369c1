// Drives the admin API in-process with API Gateway v2 events, against the tables of one test file.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { adminApi } from '../../lambdas/admin/api';
import type { AdminDeps } from '../../lambdas/admin/flows';
import { createStores } from '../../lambdas/store/stores';
import type { AccountDirectory } from '../../lambdas/accounts/accounts';
import { createTestTables, type TestTables } from './dynamo';

export interface ApiAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the admin API's JSON answer, read by path by the tests
  headers: Record<string, string>;
}

export function apiEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const [rawPath, rawQueryString = ''] = path.split('?');
  const query = Object.fromEntries(new URLSearchParams(rawQueryString));
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath,
    rawQueryString,
    headers: { 'content-type': 'application/json', ...headers },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'test', apiId: 'test', domainName: 'api.test', domainPrefix: 'api', requestId: 'r', routeKey: 'ANY /api/{proxy+}',
      stage: '$default', time: '', timeEpoch: 0,
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/**
 * Who a request comes from, as API Gateway's authorizers say it: a token's claims (the JWT authorizer hands
 * `cognito:groups` over as one string, `[admin editor]`), or AWS credentials (the IAM authorizer).
 */
export type As = { email?: string; groups?: string[]; claims?: Record<string, string> } | 'iam';

export function withCaller(event: APIGatewayProxyEventV2, as: As): APIGatewayProxyEventV2 {
  const authorizer =
    as === 'iam'
      ? { iam: { accessKey: 'AKIAEXAMPLE', accountId: '123456789012', callerId: 'AIDAEXAMPLE', userArn: 'arn:aws:iam::123456789012:user/ops', userId: 'AIDAEXAMPLE', cognitoIdentity: null, principalOrgId: null } }
      : {
          jwt: {
            claims: {
              sub: 'sub-1',
              iss: 'https://issuer.test',
              ...(as.email && { email: as.email }),
              ...(as.groups && { 'cognito:groups': `[${as.groups.join(' ')}]` }),
              ...as.claims,
            },
            scopes: null,
          },
        };
  return { ...event, requestContext: { ...event.requestContext, authorizer } } as APIGatewayProxyEventV2;
}

export interface AdminHarness {
  tables: TestTables;
  deps: AdminDeps;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>, as?: As): Promise<ApiAnswer>;
}

/**
 * `open` (the default): local mode without sign-in, every request an admin's. `open: false`: as in AWS, a
 * request needs an authorizer's word (`as`), else 401.
 */
export async function adminHarness(now: () => Date = () => new Date(), options: { open?: boolean; accounts?: AccountDirectory } = {}): Promise<AdminHarness> {
  const tables = await createTestTables();
  const deps = { ...createStores(tables.doc, tables.names), now, ...(options.accounts && { accounts: options.accounts }) };
  const handler = adminApi(deps, { open: options.open ?? true });
  return {
    tables,
    deps,
    api: async (method, path, body, headers, as) => {
      const event = apiEvent(method, path, body, headers);
      const r = await handler(as ? withCaller(event, as) : event);
      // Binary answers (a recording's audio) come base64-encoded, as API Gateway takes them: their bytes.
      if (r.isBase64Encoded) return { status: r.statusCode, body: Buffer.from(r.body ?? '', 'base64'), headers: r.headers };
      return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined, headers: r.headers };
    },
  };
}

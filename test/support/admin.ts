// Drives the admin API in-process with API Gateway v2 events, against the tables of one test file.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { adminApi } from '../../lambdas/admin/api';
import type { AdminDeps } from '../../lambdas/admin/flows';
import { createStores } from '../../lambdas/store/stores';
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

export interface AdminHarness {
  tables: TestTables;
  deps: AdminDeps;
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
}

export async function adminHarness(now: () => Date = () => new Date()): Promise<AdminHarness> {
  const tables = await createTestTables();
  const deps = { ...createStores(tables.doc, tables.names), now };
  const handler = adminApi(deps);
  return {
    tables,
    deps,
    api: async (method, path, body, headers) => {
      const r = await handler(apiEvent(method, path, body, headers));
      return { status: r.statusCode, body: r.body ? JSON.parse(r.body) : undefined, headers: r.headers };
    },
  };
}

// The admin API's HTTP conventions in one place: JSON in and out, the error format of DESIGN.md
// section 6 (the mapping of named errors to status codes is the adminErrors middleware, middleware.ts).
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../errors';
import { E164, MAX_DOCUMENT_BYTES } from '../flows/schema';

export type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Response {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: statusCode === 204 ? '' : JSON.stringify(body),
  };
}

/**
 * A body over the document limit (256 KB): refused before it is parsed, by the jsonRequests middleware
 * and, locally, by the server while it reads the body (local/server.ts).
 */
export const payloadTooLarge = (): Response =>
  json(413, {
    error: {
      code: 'payload_too_large',
      message: `the body is larger than the ${MAX_DOCUMENT_BYTES / 1024} KB limit of the admin API`,
      details: [{ path: '', message: `at most ${MAX_DOCUMENT_BYTES / 1024} KB` }],
    },
  });

/**
 * zod issues → one FieldIssue per bad field, with its dotted path (unknown keys named one by one; a bad
 * record key, such as an applet id, says what is wrong with it rather than zod's "Invalid key in record").
 */
export function fieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  const join = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.');
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }));
    const message = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
    return [{ path: join(issue.path), message }];
  });
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(fieldIssues(result.error, prefix));
  return result.data;
}

/** The request's JSON body, parsed once by the jsonRequests middleware (middleware.ts). */
export function jsonBody(event: APIGatewayProxyEventV2 & { json?: unknown }): unknown {
  if (event.json === undefined) throw new ValidationError([{ path: '', message: 'a JSON body is required' }]);
  return event.json;
}

/** `If-Match: 2`, `"2"` or `W/"2"` → 2; absent → undefined. `what` it names: a flow's revision, a schedule's version. */
export function ifMatch(event: APIGatewayProxyEventV2, what = 'revision'): number | undefined {
  const raw = event.headers?.['if-match'];
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(raw);
  if (!match) throw new ValidationError([{ path: 'If-Match', message: `must be a ${what} number like 2 or "2"` }]);
  return Number(match[1]);
}

export const etag = (revision: number) => ({ etag: `"${revision}"` });

/** A phone number from a path segment: `+15550100001` or `%2B15550100001`. */
export function phoneParam(raw: string, path = 'number'): string {
  const number = raw.trim();
  if (!E164.test(number)) throw new ValidationError([{ path, message: `must be an E.164 number like +15550100001 (got "${raw}")` }]);
  return number;
}

export function revisionParam(raw: string): number {
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new ValidationError([{ path: 'revision', message: 'must be a positive integer' }]);
  return Number(raw);
}

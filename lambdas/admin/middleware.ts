// The admin API's HTTP conventions as middy middlewares around the router (routes.ts):
//   jsonRequests  a write's body must be JSON (415 otherwise) and, in local mode, come from this
//                 origin (403): no other web page can write to a developer's stack (DESIGN.md section 12);
//                 a body over the document limit (256 KB) is refused unparsed (413); the body is parsed once, here.
//   adminErrors   the one map from errors to statuses: a named domain error (lambdas/errors.ts, the
//                 carrier's included) becomes its status and the error format of DESIGN.md section 6; a
//                 store that does not answer becomes 503; anything else is logged and answered 500.
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { DomainError, type DomainErrorCode } from '../errors';
import { MAX_DOCUMENT_BYTES } from '../flows/schema';
import { errorField, logger } from '../observability/logger';
import { isStoreUnavailable } from '../store/unavailable';
import { json, payloadTooLarge, type Response } from './http';

/** The parsed JSON body travels on the event; `jsonBody()` (http.ts) reads it. */
export type AdminEvent = APIGatewayProxyEventV2 & { json?: unknown };

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isJson = (contentType: string | undefined) => /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType?.trim() ?? '');

const refuse = (statusCode: number, code: string, message: string, details?: unknown[]): Response =>
  json(statusCode, { error: { code, message, ...(details && { details }) } });

/** `Origin` is same-site when it names the host the request was sent to (the dashboard is served from there). */
function foreignOrigin(event: APIGatewayProxyEventV2): string | undefined {
  const origin = event.headers?.origin;
  if (!origin || origin === 'null') return origin === 'null' ? origin : undefined;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return origin;
  }
  return host === event.headers?.host ? undefined : origin;
}

export function jsonRequests(options: { checkOrigin: boolean }): MiddlewareObj<AdminEvent, Response, Error, Context> {
  return {
    name: 'jsonRequests',
    before: (request) => {
      const event = request.event;
      const method = event.requestContext.http.method.toUpperCase();
      const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
      const contentType = event.headers?.['content-type'];
      if (WRITES.has(method)) {
        const origin = options.checkOrigin ? foreignOrigin(event) : undefined;
        if (origin !== undefined) {
          return refuse(403, 'forbidden_origin', `writes are accepted only from this site's own pages, not from ${origin}`, [{ path: 'Origin', message: 'must be this server' }]);
        }
        // A bodiless DELETE or restore may come without a content type; anything that sends one must send JSON.
        if ((text !== '' || contentType) && !isJson(contentType)) {
          return refuse(415, 'unsupported_media_type', `the body must be JSON (content-type: application/json), not ${contentType ?? 'untyped'}`, [
            { path: 'content-type', message: 'must be application/json' },
          ]);
        }
      }
      if (text === '') return undefined;
      if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) return payloadTooLarge();
      try {
        event.json = JSON.parse(text);
      } catch (err) {
        const message = `the body is not valid JSON: ${(err as Error).message}`;
        return refuse(400, 'validation', `invalid request: (body): ${message}`, [{ path: '', message }]);
      }
      return undefined;
    },
  };
}

const STATUS: Record<DomainErrorCode, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  flow_invalid: 422,
  /** The carrier (Twilio) refused or did not answer: its status and error number are in the details. */
  carrier_error: 502,
  /** What to set is in the message. */
  carrier_not_configured: 503,
};

export function errorResponse(err: unknown): Response | undefined {
  if (err instanceof DomainError) {
    // RFC 6750: a 401 says which scheme it wants.
    const headers: Record<string, string> = err.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
    return json(STATUS[err.code], { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }, headers);
  }
  if (isStoreUnavailable(err)) {
    return json(503, { error: { code: 'unavailable', message: 'the data store is not answering right now; nothing was changed by this request, try again shortly' } }, { 'retry-after': '5' });
  }
  return undefined;
}

export function adminErrors(): MiddlewareObj<AdminEvent, Response, Error, Context> {
  return {
    name: 'adminErrors',
    onError: (request) => {
      const err = request.error;
      const route = `${request.event.requestContext?.http?.method} ${request.event.rawPath}`;
      const mapped = errorResponse(err);
      // A domain error is the answer, not a fault (the carrier's 502 and 503 included): nothing to log.
      if (!mapped) logger.error('admin request failed', { route, error: errorField(err) });
      else if (!(err instanceof DomainError)) logger.error('admin request: the store is unavailable', { route, error: errorField(err) });
      request.response = mapped ?? json(500, { error: { code: 'internal', message: 'internal error' } });
      return request.response;
    },
  };
}

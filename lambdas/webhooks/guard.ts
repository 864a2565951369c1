// The Twilio guard, one middy middleware for both webhooks, and the pipeline they share:
//   size (413: a body over 64 KB or over 200 parameters is not Twilio's, and is not parsed) ->
//   auth token -> X-Twilio-Signature over the exact public URL and every posted parameter (403) ->
//   required parameters (400) -> the route's work within the answer deadline -> on any error or
//   past the deadline, the route's safe answer (200; DESIGN.md section 5).
// Anything but 200 only for an oversized request (413), a bad signature (403) or a malformed one (400).
import middy, { type MiddlewareObj } from '@middy/core';
import { cleanupMiddlewares } from '@aws-lambda-powertools/commons';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { errorField, logger } from '../observability/logger';
import { count, countBy, METRIC, metrics } from '../observability/metrics';
import { oversizedWebhook, WEBHOOK_TOO_LARGE } from '../twilio/limits';
import { publicRequestUrl, singleParam, type TwilioParams, type WebhookEvent } from '../twilio/request';
import { verifyTwilioRequest } from '../twilio/signature';
import { plain, type Response } from './answers';
import { AnswerDeadlineError, ANSWER_DEADLINE_MS, within } from '../runtime/deadline';

/** One verified carrier request: what the routes work from. */
export interface TwilioRequest {
  /** The path after `/twilio/`: `voice`, `voice/step`, `sms`, `fallback`... */
  route: string;
  /** Every posted parameter; a repeated name keeps all its values. */
  params: TwilioParams;
  /** The query string of the URL Twilio called (our own signed state). */
  query: TwilioParams;
  /** The public URL up to (not including) `/twilio/`: where our action URLs start. */
  base: string;
  /** The request's clock: the carrier simulator's `x-switchboard-at` in local mode only. */
  now: Date;
}

export type WebhookContext = Context & { twilio?: TwilioRequest };
export type WebhookHandler = (event: WebhookEvent, context?: Context) => Promise<Response>;

export interface GuardOptions {
  authToken(): Promise<string>;
  publicUrl?: string;
  /** Local mode only (the clock header is not signed): honour `x-switchboard-at`. */
  allowSimulatedTime?: boolean;
  now(): Date;
  /** The required parameters this request lacks (absent, not empty: a withheld caller may post `From=`). */
  missing(route: string, params: TwilioParams): string[];
  /** The answer when the token cannot be read: nothing can be verified, so nothing is stored. */
  unverified(event: WebhookEvent, base: string): Response;
  /** The route's safe answer after an error or past the deadline (it may store, best effort). */
  safeAnswer(request: TwilioRequest, reason: 'error' | 'timeout'): Promise<Response>;
}

/** The URL the carrier called, up to (not including) `/twilio/`. */
export function baseUrlOf(event: Pick<WebhookEvent, 'rawPath' | 'rawQueryString' | 'requestContext'>, publicUrl?: string): string {
  const url = publicRequestUrl(event, publicUrl);
  const at = url.indexOf('/twilio/');
  return at >= 0 ? url.slice(0, at) : url.replace(/\?.*$/, '');
}

export const routeOf = (rawPath: string): string => rawPath.slice(rawPath.lastIndexOf('/twilio/') + '/twilio/'.length);

function requestTime(options: Pick<GuardOptions, 'allowSimulatedTime' | 'now'>, event: WebhookEvent): Date {
  const simulated = options.allowSimulatedTime ? event.headers?.['x-switchboard-at'] : undefined;
  return simulated && !Number.isNaN(Date.parse(simulated)) ? new Date(simulated) : options.now();
}

/** The sid that names this call or text in every log line of the request. */
const sidOf = (params: TwilioParams) => singleParam(params, 'CallSid') ?? singleParam(params, 'MessageSid') ?? singleParam(params, 'SmsSid');

/** An answer before the handler runs: Powertools' middlewares still flush their metrics and reset their keys. */
async function early(request: Parameters<typeof cleanupMiddlewares>[0], response: Response): Promise<Response> {
  await cleanupMiddlewares(request);
  return response;
}

export function twilioGuard(options: GuardOptions): MiddlewareObj<WebhookEvent, Response, Error, WebhookContext> {
  return {
    name: 'twilioGuard',
    before: async (request) => {
      const { event } = request;
      const route = routeOf(event.rawPath);
      // Before the token and the signature: hashing megabytes of parameters costs seconds of CPU.
      const oversized = oversizedWebhook(event);
      if (oversized) {
        logger.warn('oversized webhook refused unread', { route, reason: oversized });
        countBy(METRIC.webhookRejections, 'reason', oversized);
        return early(request, plain(413, WEBHOOK_TOO_LARGE));
      }
      let token: string;
      try {
        token = await options.authToken();
      } catch (err) {
        logger.error('cannot read the Twilio auth token: answering safely, storing nothing', { route, error: errorField(err) });
        countBy(METRIC.safeAnswers, 'reason', 'no_auth_token');
        count(METRIC.webhookAnswers);
        return early(request, options.unverified(event, baseUrlOf(event, options.publicUrl)));
      }
      const verified = verifyTwilioRequest(event, token, options.publicUrl);
      if (!verified.ok) {
        logger.warn('Twilio signature rejected', { route, reason: verified.reason });
        countBy(METRIC.webhookRejections, 'reason', verified.reason);
        return early(request, plain(403, 'invalid Twilio signature'));
      }
      const sid = sidOf(verified.params);
      if (sid) logger.setCorrelationId(sid);
      const missing = options.missing(route, verified.params);
      if (missing.length) {
        logger.warn('malformed Twilio request', { route, missing });
        countBy(METRIC.webhookRejections, 'reason', 'malformed');
        return early(request, plain(400, `missing ${missing.join(', ')}`));
      }
      request.context.twilio = { route, params: verified.params, query: verified.query, base: baseUrlOf(event, options.publicUrl), now: requestTime(options, event) };
      return undefined;
    },
    onError: async (request) => {
      const twilio = request.context.twilio;
      const timeout = request.error instanceof AnswerDeadlineError;
      if (!twilio) return undefined; // failed before verification: nothing here can answer for it
      if (timeout) logger.error('webhook too slow: answering safely', { route: twilio.route, deadlineMs: ANSWER_DEADLINE_MS });
      else logger.error('webhook failed: answering safely', { route: twilio.route, error: errorField(request.error) });
      request.response = await options.safeAnswer(twilio, timeout ? 'timeout' : 'error');
      count(METRIC.webhookAnswers);
      return request.response;
    },
  };
}

/**
 * A webhook as a middy pipeline: Powertools logger (Lambda context, per-request keys reset) and
 * metrics (flushed as EMF at the end), the guard, then `dispatch` bounded by the answer deadline.
 */
export function twilioWebhook(options: GuardOptions, dispatch: (request: TwilioRequest) => Promise<Response>): WebhookHandler {
  const pipeline = middy<WebhookEvent, Response, Error, WebhookContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(twilioGuard(options))
    .handler(async (_event, context) => {
      const response = await within(dispatch(context.twilio!), ANSWER_DEADLINE_MS);
      count(METRIC.webhookAnswers);
      return response;
    });
  return (event, context) => pipeline(event, (context ?? {}) as WebhookContext);
}

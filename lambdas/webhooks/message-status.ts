// POST /twilio/message-status (DESIGN.md section 17): Twilio's StatusCallback for every text the sender
// sent, signed like every webhook (the guard checked it). Our record's id travels in the callback URL's
// query string (outbound-sender.ts statusCallbackUrl), which the signature covers; Twilio posts MessageSid,
// MessageStatus and, for a text that did not arrive, ErrorCode. The record only moves forward
// (flows/delivery.ts): a late `sent` after `delivered`, or a retried callback, changes nothing. Nobody waits
// on the answer: it is always an empty 200.
import { deliveryErrorWords, deliveryStatusOf, notDelivered } from '../flows/delivery';
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import { BOOKKEEPING_MS, withDeadline } from '../runtime/deadline';
import type { OutboundRecord } from '../store/outbound-store';
import { singleParam, type TwilioParams } from '../twilio/request';
import { emptyMessagingTwiml } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import type { WebhookDeps } from './deps';
import type { TwilioRequest } from './guard';

export const MESSAGE_STATUS = 'message-status';

/** What a status callback must carry (absent, not empty): the message and its status. */
export const missingStatusParams = (params: TwilioParams) => ['MessageSid', 'MessageStatus'].filter((k) => singleParam(params, k) === undefined);

export const emptyStatusAnswer = (): Response => twiml(emptyMessagingTwiml());

export async function messageStatus(deps: Pick<WebhookDeps, 'outbound'>, request: TwilioRequest): Promise<Response> {
  const id = singleParam(request.query, 'id');
  const sid = singleParam(request.params, 'MessageSid');
  const carrierStatus = singleParam(request.params, 'MessageStatus');
  const status = deliveryStatusOf(carrierStatus);
  const code = Number(singleParam(request.params, 'ErrorCode'));
  const errorCode = Number.isInteger(code) && code > 0 ? code : undefined;
  if (!id || !status || !deps.outbound) {
    // A callback of a text that is not ours to track (sent before records, or by something else), or a status that says nothing of delivery.
    logger.info('message status not recorded', { messageSid: sid, messageStatus: carrierStatus, hasId: Boolean(id) });
    return emptyStatusAnswer();
  }
  const change = deps.outbound.advance(id, { status, sid, errorCode, errorMessage: deliveryErrorWords(errorCode), at: request.now });
  const changed = await withDeadline(change, BOOKKEEPING_MS, () => Promise.reject(new Error(`the record was not updated within ${BOOKKEEPING_MS} ms`))).catch((err: unknown): OutboundRecord | undefined => {
    logger.error('a message status could not be recorded', { id, messageSid: sid, status, error: errorField(err) });
    return undefined;
  });
  if (!changed) return emptyStatusAnswer();
  if (notDelivered(status)) {
    // Counted once per text: only the callback that moved the record to this outcome gets here.
    countBy(METRIC.textsNotDelivered, 'status', status);
    logger.warn('a text was not delivered', { id, messageSid: sid, status, errorCode, reason: changed.reason, to: changed.to, from: changed.from });
  } else logger.info('message status recorded', { id, messageSid: sid, status });
  return emptyStatusAnswer();
}

// POST /twilio/message-status (DESIGN.md section 17): Twilio's StatusCallback for every text the sender
// sent, signed like every webhook (the guard checked it). Our record's id travels in the callback URL's
// query string (outbound-sender.ts statusCallbackUrl), which the signature covers; Twilio posts MessageSid,
// MessageStatus and, for a text that did not arrive, ErrorCode. The record only moves forward
// (flows/delivery.ts): a late `sent` after `delivered`, or a retried callback, changes nothing. Twilio does
// not retry a callback, so when DynamoDB fails the status goes to the spill (DESIGN.md section 11) and the
// drain applies it. Nobody waits on the answer: it is always an empty 200.
import { applyDeliveryReceipt } from '../carrier/delivery-receipts';
import { deliveryStatusOf } from '../flows/delivery';
import { logger } from '../observability/logger';
import { BOOKKEEPING_MS } from '../runtime/deadline';
import { storeOrSpill } from '../spill/store-or-spill';
import { singleParam, type TwilioParams } from '../twilio/request';
import { emptyMessagingTwiml } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import type { WebhookDeps } from './deps';
import type { TwilioRequest } from './guard';

export const MESSAGE_STATUS = 'message-status';

/** What a status callback must carry (absent, not empty): the message and its status. */
export const missingStatusParams = (params: TwilioParams) => ['MessageSid', 'MessageStatus'].filter((k) => singleParam(params, k) === undefined);

export const emptyStatusAnswer = (): Response => twiml(emptyMessagingTwiml());

/** Our ids only (queued-text.ts): anything else in `id` is no record of ours and is never written or spilled. */
const OUR_ID = /^txt_[0-9a-f]{32}$/;

export async function messageStatus(deps: Pick<WebhookDeps, 'outbound' | 'spill'>, request: TwilioRequest): Promise<Response> {
  const id = singleParam(request.query, 'id');
  const messageSid = singleParam(request.params, 'MessageSid');
  const carrierStatus = singleParam(request.params, 'MessageStatus');
  const status = deliveryStatusOf(carrierStatus);
  const code = Number(singleParam(request.params, 'ErrorCode'));
  const errorCode = Number.isInteger(code) && code > 0 ? code : undefined;
  if (!id || !OUR_ID.test(id) || !status || !deps.outbound) {
    // A callback of a text that is not ours to track (sent before records, or by something else), or a status that says nothing of delivery.
    logger.info('message status not recorded', { messageSid, messageStatus: carrierStatus, hasId: Boolean(id) });
    return emptyStatusAnswer();
  }
  const outbound = deps.outbound;
  const receipt = { id, status, messageSid, errorCode, at: request.now };
  await storeOrSpill(
    deps.spill,
    { kind: 'delivery', id, status, ...(messageSid && { messageSid }), ...(errorCode !== undefined && { errorCode }), at: request.now.toISOString() },
    () => applyDeliveryReceipt(outbound, receipt),
    BOOKKEEPING_MS,
  );
  return emptyStatusAnswer();
}

// The sender function's work (DESIGN.md section 17): one queued text sent with the twilio library's REST
// client, off the webhook path, with a StatusCallback to POST /twilio/message-status so its delivery is
// known. Opted-out recipients are not texted (and a 21610 refusal records the opt-out). What Twilio
// certainly did not take (429 after the library's retries, no connection) is thrown as RetryLater for the
// queue to deliver again; everything else is final, so a text is never sent twice by us (a 5xx or a
// timeout may have been taken), and a carrier link without credentials fails each text as it comes
// (logged and counted, as before there was a queue) rather than holding texts that would go out stale.
import { errorField, logger } from '../observability/logger';
import type { OptOutStore } from '../store/state-store';
import type { CarrierApi } from './carrier-link';
import { queuedTextKey, type QueuedText } from './queued-text';
import { OPTED_OUT_CODE, powertoolsSendMetrics, recordRefusals, withoutOptedOut, type SendMetrics } from './text-sender';
import type { TwilioApiError } from './twilio-client';

/** The route Twilio posts a message's status changes to (signed like every webhook). */
export const MESSAGE_STATUS_ROUTE = '/twilio/message-status';

/** The StatusCallback of one queued text: our id travels in the query string, which the signature covers. */
export const statusCallbackUrl = (publicUrl: string, id: string) => `${publicUrl.replace(/\/+$/, '')}${MESSAGE_STATUS_ROUTE}?id=${encodeURIComponent(id)}`;

export interface OutboundSenderDeps {
  /** The twilio library's REST client (carrier-link.ts); rejects with CarrierNotConfiguredError until it can be built. */
  carrier(): Promise<Pick<CarrierApi, 'createMessage'>>;
  /** PUBLIC_URL: where Twilio posts the status callbacks. Without it a text is sent without one (logged). */
  publicUrl(): string | undefined;
  /** Read before sending; a 21610 refusal is recorded there. Absent: the carrier's refusal is all there is. */
  optOuts?: Pick<OptOutStore, 'optedOut' | 'setOptOut'>;
  metrics?: SendMetrics;
}

/** What became of a queued text: handed to Twilio, not sent (opted out), or refused by Twilio for good. */
export type SendOutcome = { outcome: 'sent'; sid: string; status: string } | { outcome: 'opted_out' } | { outcome: 'refused'; status: number; code?: number; message: string };

/** Twilio certainly did not take the text: the queue should deliver it again later. */
export class RetryLater extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLater';
  }
}

export async function sendQueuedText(text: QueuedText, deps: OutboundSenderDeps): Promise<SendOutcome> {
  const about = { reason: text.reason, sid: text.cause };
  const [kept] = await withoutOptedOut(deps.optOuts, [text], about);
  if (!kept) return { outcome: 'opted_out' };
  const publicUrl = deps.publicUrl();
  if (!publicUrl) logger.warn('PUBLIC_URL is not set: sending without a status callback', { key: queuedTextKey(text) });
  let answer: { sid: string; status: string };
  try {
    const api = await deps.carrier();
    answer = await api.createMessage({
      to: text.to,
      from: text.from,
      body: text.body,
      ...(text.media?.length && { mediaUrl: text.media }),
      ...(publicUrl && { statusCallback: statusCallbackUrl(publicUrl, text.id) }),
    });
  } catch (err) {
    return refusedOrRetry(err, text, deps);
  }
  logger.info('text handed to the carrier', { key: queuedTextKey(text), reason: text.reason, messageSid: answer.sid, status: answer.status });
  return { outcome: 'sent', sid: answer.sid, status: answer.status };
}

async function refusedOrRetry(err: unknown, text: QueuedText, deps: OutboundSenderDeps): Promise<SendOutcome> {
  const error = err as Partial<TwilioApiError> & Error;
  // The logger masks the numbers (observability/logger.ts).
  const facts = { key: queuedTextKey(text), reason: text.reason, sid: text.cause, to: text.to, from: text.from, status: error.status, code: error.carrierCode };
  const status = error.status ?? 0;
  if (status === 429 || (status === 0 && error.maybeDelivered === false)) {
    logger.warn('the carrier did not take the text; the queue tries again', { ...facts, error: errorField(err) });
    throw new RetryLater(error.message, { cause: err });
  }
  logger.error('a text could not be sent', { ...facts, ...(error.maybeDelivered && { maybeDelivered: true }), error: String(error.message ?? err) });
  (deps.metrics ?? powertoolsSendMetrics).sendFailures(1, text.reason);
  // The carrier knows of an opt-out we did not (a STOP we never saw, or one from before): recorded, so
  // nothing is sent to that recipient from that number again until they text START.
  if (error.carrierCode === OPTED_OUT_CODE) await recordRefusals(deps.optOuts, [text]);
  return { outcome: 'refused', status, ...(error.carrierCode !== undefined && { code: error.carrierCode }), message: String(error.message ?? err) };
}

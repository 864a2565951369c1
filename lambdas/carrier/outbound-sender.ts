// The sender function's work (DESIGN.md section 17): one queued text sent with the twilio library's REST
// client, off the webhook path, with a StatusCallback to POST /twilio/message-status so its delivery is
// known, and a delivery record (store/outbound-store.ts) written queued before the send, given Twilio's Sid,
// or failed with the refusal. Opted-out recipients are not texted (and a 21610 refusal records the opt-out). What Twilio
// certainly did not take (429 after the library's retries, no connection) is thrown as RetryLater for the
// queue to deliver again; everything else is final, so a text is never sent twice by us (a 5xx or a
// timeout may have been taken), and a carrier link without credentials fails each text as it comes
// (logged and counted, as before there was a queue) rather than holding texts that would go out stale.
import { deliveryErrorWords, deliveryStatusOf, notDelivered, type DeliveryStatus } from '../flows/delivery';
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import type { OutboundRecord, OutboundStore } from '../store/outbound-store';
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
  /** Each text's delivery record. Absent (tests of the sending alone): nothing is recorded. */
  records?: Pick<OutboundStore, 'begin' | 'accepted' | 'advance'>;
  metrics?: SendMetrics;
  now?: () => Date;
}

/**
 * What became of a queued text: handed to Twilio, not sent (opted out), refused by Twilio for good, or
 * handled before (the queue delivered it again: its record says Twilio has it, or it was refused).
 */
export type SendOutcome =
  | { outcome: 'sent'; sid: string; status: string }
  | { outcome: 'opted_out' }
  | { outcome: 'refused'; status: number; code?: number; message: string }
  | { outcome: 'duplicate'; record: OutboundRecord };

/** Twilio certainly did not take the text: the queue should deliver it again later. */
export class RetryLater extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryLater';
  }
}

export async function sendQueuedText(text: QueuedText, deps: OutboundSenderDeps): Promise<SendOutcome> {
  const now = deps.now ?? (() => new Date());
  const about = { reason: text.reason, sid: text.cause };
  // Recorded before Twilio is asked (a store that does not answer throws: the queue tries again). A record
  // already there with a Sid or an outcome is this text delivered twice by the queue: not sent again. One
  // still queued without a Sid means the last try stopped before Twilio answered: sent (at least once).
  const begun = await deps.records?.begin(recordOf(text), now());
  if (begun && !begun.created && (begun.record.sid || begun.record.status !== 'queued')) {
    logger.info('queued text already handed over; not sent again', { key: queuedTextKey(text), status: begun.record.status });
    return { outcome: 'duplicate', record: begun.record };
  }
  const [kept] = await withoutOptedOut(deps.optOuts, [text], about);
  if (!kept) {
    await outcome(deps, text, 'failed', { errorCode: OPTED_OUT_CODE }, now());
    return { outcome: 'opted_out' };
  }
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
  await recordAccepted(deps, text, answer, now());
  return { outcome: 'sent', sid: answer.sid, status: answer.status };
}

const recordOf = (text: QueuedText) => ({ id: text.id, from: text.from, to: text.to, body: text.body, media: text.media, reason: text.reason, cause: text.cause, queuedAt: text.queuedAt });

/**
 * Twilio's Sid on the record, best effort: the text is out, and throwing now would make the queue send it
 * again. A status past `queued` in Twilio's answer (rare) is applied like a callback's.
 */
async function recordAccepted(deps: OutboundSenderDeps, text: QueuedText, answer: { sid: string; status: string }, at: Date): Promise<void> {
  if (!deps.records) return;
  try {
    await deps.records.accepted(text.id, answer.sid, at);
    const status = deliveryStatusOf(answer.status);
    if (status && status !== 'queued') await outcome(deps, text, status, { sid: answer.sid }, at);
  } catch (err) {
    logger.error('a sent text’s record could not be updated; its status callbacks will still move it', { key: queuedTextKey(text), error: errorField(err) });
  }
}

/**
 * Moves the record (when forward of where it is) and counts a text that did not reach its recipient,
 * once: only the change that made it so counts. An opt-out is no failure to alarm on.
 */
async function outcome(deps: OutboundSenderDeps, text: QueuedText, status: DeliveryStatus, facts: { sid?: string; errorCode?: number; errorMessage?: string }, at: Date): Promise<void> {
  const changed = deps.records
    ? await deps.records.advance(text.id, { status, ...facts, errorMessage: facts.errorMessage ?? deliveryErrorWords(facts.errorCode), at })
    : undefined;
  if ((changed || !deps.records) && notDelivered(status) && facts.errorCode !== OPTED_OUT_CODE) countBy(METRIC.textsNotDelivered, 'status', status);
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
  const message = String(error.message ?? err);
  await outcome(deps, text, 'failed', { errorCode: error.carrierCode, errorMessage: deliveryErrorWords(error.carrierCode) ?? message }, (deps.now ?? (() => new Date()))());
  return { outcome: 'refused', status, ...(error.carrierCode !== undefined && { code: error.carrierCode }), message };
}

// One delivery status applied to a text's record, as the status callback and the spill's replay of one
// both apply it (DESIGN.md section 17): forward only (the store's conditional update), with Twilio's error
// code in words, and a text that did not reach its recipient counted once: by the change that made it so.
import { deliveryErrorWords, notDelivered, type DeliveryStatus } from '../flows/delivery';
import { logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import type { OutboundRecord, OutboundStore } from '../store/outbound-store';

export interface DeliveryReceipt {
  /** Our record's id (the StatusCallback URL's `id`). */
  id: string;
  status: DeliveryStatus;
  messageSid?: string;
  errorCode?: number;
  at: Date;
}

/** The record as changed, or undefined when the status was not forward of it (or the record unknown). Throws when the store fails. */
export async function applyDeliveryReceipt(outbound: Pick<OutboundStore, 'advance'>, receipt: DeliveryReceipt): Promise<OutboundRecord | undefined> {
  const { id, status, messageSid, errorCode, at } = receipt;
  const changed = await outbound.advance(id, { status, sid: messageSid, errorCode, errorMessage: deliveryErrorWords(errorCode), at });
  if (!changed) return undefined;
  if (notDelivered(status)) {
    countBy(METRIC.textsNotDelivered, 'status', status);
    logger.warn('a text was not delivered', { id, messageSid, status, errorCode, reason: changed.reason, to: changed.to, from: changed.from });
  } else logger.info('message status recorded', { id, messageSid, status });
  return changed;
}

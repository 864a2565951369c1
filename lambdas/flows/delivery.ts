// Where an outbound text stands (DESIGN.md section 17): queued -> sent -> delivered | undelivered | failed.
// Twilio's status callbacks can arrive late and out of order (a `sent` after `delivered`), so a status only
// ever moves forward: the three outcomes are final, and none replaces another. Pure: no I/O, no clock.

export const DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'undelivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, undelivered: 2, failed: 2 };

/** How far along a status is: 0 queued, 1 sent, 2 an outcome (stored with the record, for its conditional update). */
export const statusRank = (status: DeliveryStatus): number => RANK[status];

/**
 * Twilio's MessageStatus in our five words, or undefined for one that says nothing about delivery
 * (`receiving`, `received`: inbound). `accepted`/`scheduled`/`sending` are still on their way (queued);
 * `read` (WhatsApp, RCS) was delivered; `canceled` (a scheduled message called off) never went.
 */
export function deliveryStatusOf(carrierStatus: string | undefined): DeliveryStatus | undefined {
  switch ((carrierStatus ?? '').trim().toLowerCase()) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return undefined;
  }
}

/** Whether `next` may replace `current`: only a later stage, never a second outcome or a step back. */
export function movesForward(current: DeliveryStatus | undefined, next: DeliveryStatus): boolean {
  return current === undefined || RANK[next] > RANK[current];
}

/** The outcomes that mean the recipient did not get the text. */
export const notDelivered = (status: DeliveryStatus): status is 'undelivered' | 'failed' => status === 'undelivered' || status === 'failed';

/**
 * What Twilio's error codes for texts mean, in words a person reads (Twilio's error catalogue; TWILIO.md
 * "Delivery and opt-out"). The status callback carries only the number.
 */
const ERROR_WORDS: Record<number, string> = {
  21211: 'the number it was sent to is not a valid phone number',
  21408: 'texts to that country or region are not enabled on the account',
  21606: 'the number it was sent from cannot send texts (not an SMS-capable number of this account)',
  21610: 'the recipient opted out of texts from this number (they replied STOP)',
  21614: 'the number it was sent to is not a mobile number',
  21617: 'the text is longer than 1,600 characters',
  30003: 'the phone is unreachable (switched off or out of coverage)',
  30004: 'the recipient blocks texts from this number',
  30005: 'the number does not exist or is no longer in service',
  30006: 'the number is a landline, or its carrier cannot take texts',
  30007: 'the carrier filtered the text as spam',
  30008: 'the carrier did not say why (unknown error)',
};

/** Words for a Twilio error code, or undefined when we have none for it. */
export const deliveryErrorWords = (code: number | undefined): string | undefined => (code === undefined ? undefined : ERROR_WORDS[code]);

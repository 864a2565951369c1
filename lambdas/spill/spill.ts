// The durable spill (DESIGN.md section 11): where a voicemail, a transcript, a text or an unrouted event
// goes when DynamoDB cannot take it, so nothing the carrier sent is lost. Each item is keyed by the
// carrier's Sid and replayed later with the same idempotent writes the webhooks use (replay.ts).
// Two adapters: an SQS queue in AWS (sqs-spill.ts), an fsynced file spool in local mode (file-spill.ts).
// Types only here (no zod): this module is in every webhook bundle; reading items back is item-schema.ts.
import type { DeliveryStatus } from '../flows/delivery';
import type { MailboxKey, Voicemail } from '../store/message-store';
import type { UnroutedEvent } from '../store/state-store';

/**
 * Set on a text or voicemail that arrived while its number's flow could not be read (an outage, a bug):
 * its `mailbox` is `unrouted`, and the replay routes it by the number's flow as it stood at this time
 * (ISO), the arrival of the text or call (late-route.ts, DESIGN.md section 11).
 */
export interface RouteLater {
  routeAt?: string;
}

/** A recording, for the mailbox it was meant for (the flow's voicemail box, or `unrouted`). */
export type SpilledVoicemail = { kind: 'voicemail' } & Voicemail & RouteLater;

/** A transcription callback's text, for the recording of that Sid. */
export interface SpilledTranscript {
  kind: 'transcript';
  recordingSid: string;
  text: string;
}

/** A text, for the mailbox it was meant for (the flow's inbox, or `unrouted`). */
export interface SpilledText extends RouteLater {
  kind: 'text';
  messageSid: string;
  mailbox: MailboxKey;
  from: string;
  to: string;
  body: string;
  media?: Array<{ url: string; contentType?: string }>;
  receivedAt: string;
}

/** A call or text that reached a number unrouted: what the report counts. */
export type SpilledUnrouted = { kind: 'unrouted' } & UnroutedEvent;

/** A status callback of one of our texts (DESIGN.md section 17), for its delivery record. */
export interface SpilledDelivery {
  kind: 'delivery';
  /** Our record's id. */
  id: string;
  status: DeliveryStatus;
  messageSid?: string;
  errorCode?: number;
  /** ISO time the callback came. */
  at: string;
}

export type SpillItem = SpilledVoicemail | SpilledTranscript | SpilledText | SpilledUnrouted | SpilledDelivery;

/** Where items go when the store does not answer. `put` resolves only once the item is durable. */
export interface Spill {
  put(item: SpillItem): Promise<void>;
}

/** The item's identity: the same key means the same carrier event, however often it is spilled. */
export function spillKey(item: SpillItem): string {
  switch (item.kind) {
    case 'voicemail':
    case 'transcript':
      return `${item.kind}#${item.recordingSid}`;
    case 'text':
      return `text#${item.messageSid}`;
    case 'unrouted':
      return `unrouted#${item.channel}#${item.sid}`;
    case 'delivery':
      return `delivery#${item.id}#${item.status}`;
  }
}

// Writes a spilled item where it was meant to go, with the webhooks' own Sid-keyed writes: a replay of
// an item already stored (by the webhook itself, or by an earlier replay) stores nothing twice.
// Order does not matter: a transcript replayed before its voicemail is kept on the recording's item and
// the voicemail fills in the rest (storeVoicemail writes each field only if it is not there yet).
// A text or voicemail spilled with `routeAt` (its flow could not be read when it arrived) is routed by
// the number's flow as it stood then (late-route.ts), when the stores for it are given.
import { applyDeliveryReceipt } from '../carrier/delivery-receipts';
import type { MessageStore } from '../store/message-store';
import type { OutboundStore } from '../store/outbound-store';
import type { StateStore } from '../store/state-store';
import { routeLateText, routeLateVoicemail, type RoutingPorts } from './late-route';
import type { SpillItem } from './spill';

export interface ReplayStores extends Partial<RoutingPorts> {
  messages: Pick<MessageStore, 'storeVoicemail' | 'attachTranscript' | 'storeText'>;
  state: Pick<StateStore, 'recordUnrouted'>;
  /** The outbound texts' records, for a status callback kept during an outage. */
  outbound?: Pick<OutboundStore, 'advance'>;
}

/** The routing ports, when every one a late item needs is there (both drains and the webhooks give them). */
const routing = (stores: ReplayStores): RoutingPorts | undefined =>
  stores.numbers && stores.flows && stores.directory && stores.schedules
    ? { numbers: stores.numbers, flows: stores.flows, directory: stores.directory, schedules: stores.schedules, texts: stores.texts, optOuts: stores.optOuts }
    : undefined;

/** True when this replay stored the item, false when it was already there. Throws when the store fails. */
export async function replay(item: SpillItem, stores: ReplayStores): Promise<boolean> {
  switch (item.kind) {
    case 'voicemail': {
      const ports = item.routeAt ? routing(stores) : undefined;
      if (ports) return routeLateVoicemail(item, stores.messages, ports);
      const { kind: _kind, routeAt: _routeAt, ...voicemail } = item;
      return stores.messages.storeVoicemail(voicemail);
    }
    case 'transcript':
      await stores.messages.attachTranscript(item.recordingSid, item.text);
      return true;
    case 'text': {
      const ports = item.routeAt ? routing(stores) : undefined;
      if (ports) return routeLateText(item, stores.messages, ports);
      const { kind: _kind, messageSid, mailbox, media, routeAt: _routeAt, ...rest } = item;
      return stores.messages.storeText(mailbox, { id: messageSid, ...rest, ...(media?.length && { media }) });
    }
    case 'unrouted': {
      const { kind: _kind, ...event } = item;
      return stores.state.recordUnrouted(event);
    }
    case 'delivery': {
      // A drain without the Outbound table cannot place it: failing keeps it (SQS, the spool) for one that can.
      if (!stores.outbound) throw new Error('a delivery status to replay, and no outbound store');
      const { id, status, messageSid, errorCode, at } = item;
      return (await applyDeliveryReceipt(stores.outbound, { id, status, messageSid, errorCode, at: new Date(at) })) !== undefined;
    }
  }
}

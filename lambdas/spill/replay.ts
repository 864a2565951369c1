// Writes a spilled item where it was meant to go, with the webhooks' own Sid-keyed writes: a replay of
// an item already stored (by the webhook itself, or by an earlier replay) stores nothing twice.
// Order does not matter: a transcript replayed before its voicemail is kept on the recording's item and
// the voicemail fills in the rest (storeVoicemail writes each field only if it is not there yet).
import type { MessageStore } from '../store/message-store';
import type { StateStore } from '../store/state-store';
import type { SpillItem } from './spill';

export interface ReplayStores {
  messages: Pick<MessageStore, 'storeVoicemail' | 'attachTranscript' | 'storeText'>;
  state: Pick<StateStore, 'recordUnrouted'>;
}

/** True when this replay stored the item, false when it was already there. Throws when the store fails. */
export async function replay(item: SpillItem, stores: ReplayStores): Promise<boolean> {
  switch (item.kind) {
    case 'voicemail': {
      const { kind: _kind, ...voicemail } = item;
      return stores.messages.storeVoicemail(voicemail);
    }
    case 'transcript':
      await stores.messages.attachTranscript(item.recordingSid, item.text);
      return true;
    case 'text': {
      const { kind: _kind, messageSid, mailbox, media, ...rest } = item;
      return stores.messages.storeText(mailbox, { id: messageSid, ...rest, ...(media?.length && { media }) });
    }
    case 'unrouted': {
      const { kind: _kind, ...event } = item;
      return stores.state.recordUnrouted(event);
    }
  }
}

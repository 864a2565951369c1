// Local mode's outbound sender (DESIGN.md section 17): the texts the webhooks queued in the outbox spool
// are sent in-process, as the sender function sends them from SQS in AWS (lambdas/outbox/send-batch.ts),
// through the same use case (lambdas/carrier/outbound-sender.ts) and the twilio library's REST client
// pointed at TWILIO_API_URL. A text Twilio certainly did not take (429, no connection, no credentials yet)
// waits, with every text behind it, for the next round; one that can never be sent (not a queued text,
// or a bug) is set aside in the rejected file, as the dead-letter queue keeps it in AWS.
import { carrierLinkFromEnv, trimUrl, type CarrierLink } from '../lambdas/carrier/carrier-link';
import { RetryLater, sendQueuedText, type OutboundSenderDeps } from '../lambdas/carrier/outbound-sender';
import { queuedTextKey, type QueuedText } from '../lambdas/carrier/queued-text';
import { parseQueuedText } from '../lambdas/carrier/queued-text-schema';
import { ENV } from '../lambdas/config/env';
import type { FileOutbox } from '../lambdas/outbox/file-outbox';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import { DynamoOutboundStore } from '../lambdas/store/outbound-store';
import { DynamoStateStore } from '../lambdas/store/state-store';
import type { TableNames } from '../lambdas/store/tables';
import { isStoreUnavailable } from '../lambdas/store/unavailable';
import { SpoolLoop } from './spool-drain';

/**
 * The sender's dependencies in local mode, read from the environment when a text is sent: the local
 * server sets the carrier's URL and PUBLIC_URL after this is built.
 */
export function localSenderDeps(endpoint: string, tables: Pick<TableNames, 'state' | 'outbound'>): OutboundSenderDeps & { destroy(): void } {
  const doc = createDynamoDb({ endpoint, maxAttempts: 2, connectionTimeout: 1_000, requestTimeout: 2_000 });
  let link: CarrierLink | undefined;
  return {
    carrier: () => (link ??= carrierLinkFromEnv(process.env)).api(),
    publicUrl: () => trimUrl(process.env[ENV.publicUrl]),
    optOuts: new DynamoStateStore(doc, tables.state),
    records: new DynamoOutboundStore(doc, tables.outbound),
    destroy: () => doc.destroy(),
  };
}

/** How often the outbox is looked at: a text-back should reach the caller within a moment. */
export const OUTBOX_INTERVAL_MS = 200;

export class OutboxSender extends SpoolLoop<QueuedText> {
  constructor(outbox: FileOutbox, deps: OutboundSenderDeps, intervalMs = OUTBOX_INTERVAL_MS) {
    super(
      outbox.spool,
      {
        parse: parseQueuedText,
        run: async (text) => void (await sendQueuedText(text, deps)),
        refusedForGood: (err) => !(err instanceof RetryLater) && !isStoreUnavailable(err),
        key: queuedTextKey,
        kind: () => 'outbound_text',
        messages: {
          unreadable: 'outbox line is not a queued text; set aside',
          refused: 'a queued text cannot be sent; set aside',
          waiting: 'the carrier does not take texts yet; the outbox waits',
          done: 'outbox sent',
        },
      },
      intervalMs,
    );
  }
}

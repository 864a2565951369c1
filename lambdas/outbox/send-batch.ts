// The sender function's work on one SQS batch: each message is one queued text, sent on its own
// (outbound-sender.ts). The ones to try again (RetryLater: Twilio certainly did not take them; the store
// away) are named as batch item failures, so SQS delivers only those again and, after maxReceiveCount
// tries, moves them to the dead-letter queue, which alarms. A message that is not a queued text fails too:
// it reaches the dead-letter queue for a person to look at instead of vanishing.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sendQueuedText, type OutboundSenderDeps } from '../carrier/outbound-sender';
import { queuedTextKey } from '../carrier/queued-text';
import { parseQueuedText } from '../carrier/queued-text-schema';
import { errorField, logger } from '../observability/logger';

export async function sendQueueBatch(event: SQSEvent, deps: OutboundSenderDeps): Promise<SQSBatchResponse> {
  // Texts of one batch are independent; the library's client keeps its own connections.
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const text = parseQueuedText(record.body);
      if (!text) {
        logger.error('outbound message is not a queued text; leaving it for the dead-letter queue', { messageId: record.messageId });
        return record.messageId;
      }
      try {
        await sendQueuedText(text, deps);
        return undefined;
      } catch (err) {
        logger.warn('sending a queued text failed; SQS will deliver it again', { key: queuedTextKey(text), receiveCount: record.attributes?.ApproximateReceiveCount, error: errorField(err) });
        return record.messageId;
      }
    }),
  );
  return { batchItemFailures: outcomes.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}

// The spill-drain Lambda's work: replay each SQS message of a batch into DynamoDB and name the ones that
// failed, so SQS redelivers only those (ReportBatchItemFailures) and, after maxReceiveCount tries, moves
// them to the dead-letter queue, which alarms. A message that is not a spill item is failed too: it
// reaches the dead-letter queue for a person to look at instead of vanishing.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseSpillItem } from './item-schema';
import { replay, type ReplayStores } from './replay';
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import { spillKey } from './spill';

export async function drainQueueBatch(event: SQSEvent, stores: ReplayStores): Promise<SQSBatchResponse> {
  // Items of one batch are independent (a transcript and its voicemail may come in either order).
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      const item = parseSpillItem(record.body);
      if (!item) {
        logger.error('spill message is not a spill item; leaving it for the dead-letter queue', { messageId: record.messageId });
        return record.messageId;
      }
      try {
        const stored = await replay(item, stores);
        countBy(METRIC.itemsReplayed, 'kind', item.kind);
        logger.info(stored ? 'spilled item replayed' : 'spilled item was already stored', { key: spillKey(item), receiveCount: record.attributes?.ApproximateReceiveCount });
        return undefined;
      } catch (err) {
        logger.warn('replaying a spilled item failed; SQS will redeliver it', { key: spillKey(item), receiveCount: record.attributes?.ApproximateReceiveCount, error: errorField(err) });
        return record.messageId;
      }
    }),
  );
  return { batchItemFailures: outcomes.filter((id): id is string => id !== undefined).map((itemIdentifier) => ({ itemIdentifier })) };
}

// Spill-drain Lambda (SQS event source, ReportBatchItemFailures): writes what the webhooks spilled into
// DynamoDB with their own idempotent writes. Granted write access to the messages and state tables only.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { drainQueueBatch } from '../spill/drain-queue';
import { documentClient } from '../store/dynamo';
import { DynamoMessageStore } from '../store/message-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';

const tables = tableNamesFromEnv(process.env, ['messages', 'state']);
const doc = documentClient();
const stores = { messages: new DynamoMessageStore(doc, tables.messages), state: new DynamoStateStore(doc, tables.state) };

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => drainQueueBatch(event, stores);

// The spill in AWS: one SQS message per item, drained into DynamoDB by the spill-drain Lambda. The SDK's
// SQS client is created when the function starts (spillFromEnv runs at init), not when the first item
// spills: a spill happens only when DynamoDB already failed, with the carrier waiting, and that is no
// moment to load a client. The SDK checks the MD5 of what SQS received (a message that did not arrive
// intact is not spilled, and the caller falls back further).
import { SendMessageCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { sdkClientConfig, type RequestBudget } from '../config/request-budget';
import { spillKey, type Spill, type SpillItem } from './spill';

/**
 * The spill is what a webhook reaches for when DynamoDB already failed it, with the carrier waiting:
 * a hung SQS connection is cut short as well (one retry). With the 1.5 s store budget before it, a
 * callback still answers within the webhooks' 3 s deadline.
 */
export const spillSqsClientConfig: RequestBudget = { maxAttempts: 2, connectionTimeout: 300, requestTimeout: 700 };

/**
 * The spill's SQS client; `where` (endpoint, region, credentials) for tests, the SDK's own chain otherwise.
 * The queue is the stack's own, in the function's region, so the client's endpoint (the region's, or
 * AWS_ENDPOINT_URL_SQS) is where it lives: without useQueueUrlAsEndpoint: false the SDK would send to the
 * queue URL's host instead, ignoring AWS_ENDPOINT_URL_SQS.
 */
export const sqsClient = (where: Pick<SQSClientConfig, 'endpoint' | 'region' | 'credentials'> = {}) =>
  new SQSClient({ ...where, useQueueUrlAsEndpoint: false, ...sdkClientConfig(spillSqsClientConfig) });

export class SqsSpill implements Spill {
  constructor(
    private readonly queueUrl: string,
    private readonly client: SQSClient = sqsClient(),
  ) {}

  async put(item: SpillItem): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(item),
        // For the logs and the dead-letter queue: which carrier event a message is, without reading its body.
        MessageAttributes: { key: { DataType: 'String', StringValue: spillKey(item) } },
      }),
    );
  }
}

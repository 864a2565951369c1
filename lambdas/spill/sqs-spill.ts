// The spill in AWS: one SQS message per item, drained into DynamoDB by the spill-drain Lambda.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spillKey, type Spill, type SpillItem } from './spill';

/**
 * The spill is what a webhook reaches for when DynamoDB already failed it, with the carrier waiting:
 * a hung SQS connection is cut short as well (one retry), never the SDK's indefinite default. With the
 * 1.5 s store budget before it, a callback still answers within the webhooks' 3 s deadline.
 */
export const spillSqsClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 300, requestTimeout: 700, throwOnRequestTimeout: true },
};

export interface MessageSender {
  send(command: SendMessageCommand): Promise<unknown>;
}

export class SqsSpill implements Spill {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: MessageSender = new SQSClient(spillSqsClientConfig),
  ) {}

  async put(item: SpillItem): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(item),
        // For the logs and the dead-letter queue: which carrier event a message is, without reading its body.
        MessageAttributes: { key: { DataType: 'String', StringValue: spillKey(item) } },
      }),
    );
  }
}

// The spill in AWS: one SQS message per item, drained into DynamoDB by the spill-drain Lambda.
import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import { spillKey, type Spill, type SpillItem } from './spill';

/**
 * The SQS client is loaded when the first item is spilled, not at cold start: a spill happens only when
 * DynamoDB already failed, and loading the client at init made every cold start pay for it.
 */
let sqsModule: Promise<typeof import('@aws-sdk/client-sqs')> | undefined;
const loadSqs = () => (sqsModule ??= import('@aws-sdk/client-sqs'));

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
  private client?: MessageSender;

  constructor(
    private readonly queueUrl: string,
    sqs?: MessageSender,
  ) {
    this.client = sqs;
  }

  async put(item: SpillItem): Promise<void> {
    const { SQSClient, SendMessageCommand } = await loadSqs();
    this.client ??= new SQSClient(spillSqsClientConfig);
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

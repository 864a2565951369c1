// The outbound queue in AWS (DESIGN.md section 17): one SQS message per text, sent by the sender function
// (handlers/outbound-sender.ts). Made with the spill's SQS client settings (spill/sqs-spill.ts): short
// timeouts, because a webhook puts texts there while the carrier waits, and created at cold start.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queuedTextKey, type Outbox, type QueuedText } from '../carrier/queued-text';
import { sqsClient } from '../spill/sqs-spill';

export class SqsOutbox implements Outbox {
  constructor(
    private readonly queueUrl: string,
    private readonly client: SQSClient = sqsClient(),
  ) {}

  async put(texts: readonly QueuedText[]): Promise<void> {
    await Promise.all(
      texts.map((text) =>
        this.client.send(
          new SendMessageCommand({
            QueueUrl: this.queueUrl,
            MessageBody: JSON.stringify(text),
            // For the logs and the dead-letter queue: which text a message is, without reading its body.
            MessageAttributes: { key: { DataType: 'String', StringValue: queuedTextKey(text) } },
          }),
        ),
      ),
    );
  }
}

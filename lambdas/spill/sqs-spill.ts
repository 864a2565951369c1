// The spill in AWS: one SQS message per item, drained into DynamoDB by the spill-drain Lambda. SQS speaks
// AWS's JSON protocol (AmazonSQS.SendMessage), so the spill goes through the same small client as the
// stores (../aws/aws-json.ts): nothing to load when DynamoDB has just failed and the carrier is waiting
// (the SDK's SQS client took ~50 ms to load, on the one path that can least afford it).
import { createHash } from 'node:crypto';
import { AwsJsonClient, AwsServiceError, type AwsJsonTimeouts, type CredentialSource } from '../aws/aws-json';
import { spillKey, type Spill, type SpillItem } from './spill';

/**
 * The spill is what a webhook reaches for when DynamoDB already failed it, with the carrier waiting:
 * a hung SQS connection is cut short as well (one retry). With the 1.5 s store budget before it, a
 * callback still answers within the webhooks' 3 s deadline.
 */
export const spillSqsClientConfig = { maxAttempts: 2, connectionTimeout: 300, requestTimeout: 700 };

export interface SqsClientConfig extends Partial<AwsJsonTimeouts> {
  /** Default: AWS_ENDPOINT_URL_SQS, then AWS_ENDPOINT_URL, then the region's endpoint. */
  endpoint?: string;
  region?: string;
  credentials?: CredentialSource;
  env?: NodeJS.ProcessEnv;
}

export const sqsClient = (config: SqsClientConfig = spillSqsClientConfig) =>
  new AwsJsonClient({ ...config, service: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_SQS' });

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export class SqsSpill implements Spill {
  private client?: AwsJsonClient;

  constructor(
    private readonly queueUrl: string,
    sqs?: AwsJsonClient,
  ) {
    this.client = sqs;
  }

  async put(item: SpillItem): Promise<void> {
    this.client ??= sqsClient();
    const MessageBody = JSON.stringify(item);
    const out = await this.client.call<{ MessageId?: string; MD5OfMessageBody?: string }>('SendMessage', {
      QueueUrl: this.queueUrl,
      MessageBody,
      // For the logs and the dead-letter queue: which carrier event a message is, without reading its body.
      MessageAttributes: { key: { DataType: 'String', StringValue: spillKey(item) } },
    });
    // As the SDK does: a message SQS did not receive intact is not spilled (the caller falls back further).
    if (out.MD5OfMessageBody !== md5(MessageBody)) {
      throw new AwsServiceError('InvalidChecksum', `SQS answered MD5 ${out.MD5OfMessageBody ?? 'none'} for the spilled message, not its own`, out.$metadata);
    }
  }
}

// The stores' DynamoDB client: the AWS SDK v3 document client (@aws-sdk/lib-dynamodb over
// @aws-sdk/client-dynamodb), one per process and per budget. The SDK brings what the people who deploy
// this expect of it: the credential chain, the standard retry mode with its retry quota, clock-skew
// correction, account-based and FIPS endpoints, AWS_ENDPOINT_URL_DYNAMODB (how local mode and the tests
// reach DynamoDB Local), and its exception classes, which the stores' error handling relies on.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientConfig, type RequestBudget } from '../config/request-budget';

export type DynamoDb = DynamoDBDocumentClient;

/** A request budget (each part optional: the SDK's default where absent), and where and as whom to connect. */
export interface DynamoDbOptions extends Partial<RequestBudget>, Pick<DynamoDBClientConfig, 'endpoint' | 'region' | 'credentials'> {}

/** A document client: native JavaScript values in and out, undefined attributes dropped (as every store expects). */
export function createDynamoDb({ maxAttempts, connectionTimeout, requestTimeout, ...where }: DynamoDbOptions = {}): DynamoDb {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...where, ...sdkClientConfig({ maxAttempts, connectionTimeout, requestTimeout }) }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

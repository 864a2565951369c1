// The stores' DynamoDB client: the AWS SDK v3 document client (@aws-sdk/lib-dynamodb over
// @aws-sdk/client-dynamodb), one per process and per budget. The SDK brings what the people who deploy
// this expect of it: the credential chain, the standard retry mode with its retry quota, clock-skew
// correction, account-based and FIPS endpoints, AWS_ENDPOINT_URL_DYNAMODB (how local mode and the tests
// reach DynamoDB Local), and its exception classes, which the stores' error handling relies on.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClientConfig, worstCaseMs, type RequestBudget } from '../config/request-budget';

export type DynamoDb = DynamoDBDocumentClient;

/** A request budget (each part optional: the SDK's default where absent), and where and as whom to connect. */
export interface DynamoDbOptions extends Partial<RequestBudget>, Pick<DynamoDBClientConfig, 'endpoint' | 'region' | 'credentials'> {}

/**
 * A document client: native JavaScript values in and out, undefined attributes dropped (as every store
 * expects). Its requests share SOCKETS_PER_CLIENT kept-alive sockets; waiting for one is bounded by the
 * budget's socketWait, not by its connection timeout (request-budget.ts).
 */
export function createDynamoDb({ maxAttempts, connectionTimeout, requestTimeout, socketWait, ...where }: DynamoDbOptions = {}): DynamoDb {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...where, ...sdkClientConfig({ maxAttempts, connectionTimeout, requestTimeout, socketWait }) }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

let shared: DynamoDb | undefined;

/**
 * The admin API's (and the report's) DynamoDB client: a developer waits for the answer, so a hung or
 * unreachable store must fail in seconds, not never. Each attempt
 * gets 1 s to connect and 3 s to answer, after at most 1 s waiting for a free socket (only a burst on
 * the local server queues: a Lambda serves one request at a time); 3 attempts, so the worst case
 * (ADMIN_DYNAMO_BUDGET_MS) stays under 16 s, well inside API Gateway's 30 s and the function's 29 s. The webhooks have a tighter budget of their own
 * (webhooks/deps.ts webhookDynamoClientConfig: the carrier waits even less).
 */
export const adminDynamoClientConfig: RequestBudget = { maxAttempts: 3, connectionTimeout: 1_000, requestTimeout: 3_000, socketWait: 1_000 };

/** The longest an admin request to DynamoDB can take before it fails. */
export const ADMIN_DYNAMO_BUDGET_MS = worstCaseMs(adminDynamoClientConfig);

/** The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how local mode and the tests reach DynamoDB Local. */
export function dynamoDb(): DynamoDb {
  shared ??= createDynamoDb(adminDynamoClientConfig);
  return shared;
}

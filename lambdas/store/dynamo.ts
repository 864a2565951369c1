// One DynamoDB document client per process, and the transaction plumbing every store shares.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, QueryCommand, ScanCommand, TransactWriteCommand,
  type QueryCommandInput, type ScanCommandInput, type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../flows/errors';

let shared: DynamoDBDocumentClient | undefined;

/**
 * The admin API's (and the report's) DynamoDB client: a developer waits for the answer, so a hung or
 * unreachable store must fail in seconds, not never (the SDK's defaults wait indefinitely). Each attempt
 * gets 1 s to connect and 3 s to answer; 3 attempts, so the worst case (ADMIN_DYNAMO_BUDGET_MS) stays
 * under 15 s, well inside API Gateway's 30 s and the function's 29 s. The webhooks have a tighter budget of their own
 * (webhooks/deps.ts webhookDynamoClientConfig: the carrier waits even less).
 */
export const adminDynamoClientConfig = {
  maxAttempts: 3,
  // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
};

/** The longest a request can take before it fails: every attempt timing out, plus the SDK's backoff between them (under 1 s for 3 attempts). */
export const ADMIN_DYNAMO_BUDGET_MS =
  adminDynamoClientConfig.maxAttempts * (adminDynamoClientConfig.requestHandler.connectionTimeout + adminDynamoClientConfig.requestHandler.requestTimeout) + 1_000;

/** The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how local mode and the tests reach DynamoDB Local. */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= DynamoDBDocumentClient.from(new DynamoDBClient(adminDynamoClientConfig), { marshallOptions: { removeUndefinedValues: true } });
  return shared;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why each item of a cancelled transaction failed ('None' when it did not). */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (err instanceof TransactionCanceledException || (err as { name?: string })?.name === 'TransactionCanceledException') {
    return ((err as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  }
  return undefined;
}

export const isConditionFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * "What I read went stale: read again and retry" (a transaction whose condition on a value read earlier
 * failed). withRetries catches it; one that escapes (a store method called outside withRetries) is still
 * a ConflictError, so the caller gets 409 conflict, never a 500 (DESIGN.md invariant 3).
 */
export class Retry extends ConflictError {
  constructor(what = 'the write') {
    super(`${what} lost a race with a concurrent write; try again`);
  }
}

/** Errors that only mean "a concurrent writer got there first": trying again is the answer. */
const LOST_RACES = new Set(['TransactionConflictException', 'TransactionInProgressException']);

/**
 * Runs `attempt` until it succeeds, retrying races: a transaction that lost to a concurrent one
 * (TransactionConflict), a plain write to an item a transaction is writing (TransactionConflictException),
 * or an optimistic read that went stale (attempt throws Retry). After `tries` the caller gets 409
 * conflict, never a 5xx (DESIGN.md invariant 3).
 */
export async function withRetries<T>(what: string, attempt: () => Promise<T>, tries = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const reasons = cancellationReasons(err);
      const raced = err instanceof Retry || reasons?.includes('TransactionConflict') || LOST_RACES.has((err as { name?: string })?.name ?? '');
      if (!raced) throw err;
      if (i >= tries) throw new ConflictError(`${what} lost a race with concurrent writes; try again`);
      await new Promise((r) => setTimeout(r, Math.random() * 20 * i));
    }
  }
}

export async function transact(doc: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> {
  await doc.send(new TransactWriteCommand({ TransactItems: items }));
}

/** Every item of a Query or Scan, following LastEvaluatedKey page after page. */
export async function readAllPages<T>(doc: DynamoDBDocumentClient, input: { query: QueryCommandInput } | { scan: ScanCommandInput }): Promise<T[]> {
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      'query' in input ? new QueryCommand({ ...input.query, ExclusiveStartKey }) : new ScanCommand({ ...input.scan, ExclusiveStartKey }),
    );
    items.push(...((out.Items ?? []) as T[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

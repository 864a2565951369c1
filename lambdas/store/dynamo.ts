// One DynamoDB document client per process, and the transaction plumbing every store shares.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, QueryCommand, ScanCommand, TransactWriteCommand,
  type QueryCommandInput, type ScanCommandInput, type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../flows/errors';

let shared: DynamoDBDocumentClient | undefined;

/** The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how local mode and the tests reach DynamoDB Local. */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
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
 * Runs `attempt` until it succeeds, retrying races: a transaction that lost to a concurrent one
 * (TransactionConflict), a plain write to an item a transaction is writing (TransactionConflictException),
 * or an optimistic read that went stale (attempt throws Retry). After `tries` the caller gets 409
 * conflict, never a 5xx (DESIGN.md invariant 3).
 */
export class Retry extends Error {}

/** Errors that only mean "a concurrent writer got there first": trying again is the answer. */
const LOST_RACES = new Set(['TransactionConflictException', 'TransactionInProgressException']);

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

/** Network and service failures that mean "DynamoDB is not answering", not "this request is wrong". */
const UNAVAILABLE = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ProvisionedThroughputExceededException', 'ThrottlingException',
  'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN',
]);

export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (UNAVAILABLE.has(e.name ?? '') || UNAVAILABLE.has(e.code ?? '')) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  // The SDK's retry layer wraps network errors ("AWS SDK error wrapper for Error: connect ECONNREFUSED ...").
  if (/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b|socket hang up/.test((err as Error).message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isStoreUnavailable(e.cause);
}

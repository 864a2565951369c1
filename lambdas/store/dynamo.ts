// One DynamoDB document client per process, and the transaction plumbing every store shares.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { QueryCommandInput, ScanCommandInput, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../errors';
import { BatchGetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { worstCaseMs, type RequestBudget } from '../config/request-budget';
import { createDynamoDb, type DynamoDb } from './dynamo-client';

let shared: DynamoDb | undefined;

/**
 * The admin API's (and the report's) DynamoDB client: a developer waits for the answer, so a hung or
 * unreachable store must fail in seconds, not never. Each attempt
 * gets 1 s to connect and 3 s to answer; 3 attempts, so the worst case (ADMIN_DYNAMO_BUDGET_MS) stays
 * under 15 s, well inside API Gateway's 30 s and the function's 29 s. The webhooks have a tighter budget of their own
 * (webhooks/deps.ts webhookDynamoClientConfig: the carrier waits even less).
 */
export const adminDynamoClientConfig: RequestBudget = { maxAttempts: 3, connectionTimeout: 1_000, requestTimeout: 3_000 };

/** The longest an admin request to DynamoDB can take before it fails. */
export const ADMIN_DYNAMO_BUDGET_MS = worstCaseMs(adminDynamoClientConfig);

/** The SDK reads AWS_ENDPOINT_URL_DYNAMODB itself, which is how local mode and the tests reach DynamoDB Local. */
export function dynamoDb(): DynamoDb {
  shared ??= createDynamoDb(adminDynamoClientConfig);
  return shared;
}

/**
 * The longest id the stores look up. Ids of flows, users and groups are the server's own (`usr_` and 12
 * hex digits), and the carrier's Sids are 34 characters: anything far longer names nothing. The bound is
 * far under DynamoDB's key limits (2,048 bytes for a partition key, 1,024 for a sort key) even inside the
 * composite keys built from ids (`rr#flow:applet:group`), so no lookup reaches DynamoDB with a key it refuses.
 */
export const MAX_ID_LENGTH = 128;

/** Whether `id` could name a stored item: non-empty, at most MAX_ID_LENGTH, no control characters, no lone surrogates. */
export const isKeyableId = (id: string): boolean => id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\p{Cc}\p{Cs}]/u.test(id);

/**
 * An id from a request that cannot be a key names nothing: not found (404), before DynamoDB would refuse
 * it (a 500). The message quotes only the start of a long id.
 */
export function assertKeyableId(kind: string, id: string): void {
  if (!isKeyableId(id)) throw new NotFoundError(`${kind} ${JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)}`);
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why each item of a cancelled transaction failed ('None' when it did not). */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (err instanceof TransactionCanceledException) return (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return undefined;
}

export const isConditionFailure = (err: unknown): err is ConditionalCheckFailedException => err instanceof ConditionalCheckFailedException;

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

export async function transact(doc: DynamoDb, items: TransactItem[]): Promise<void> {
  await doc.send(new TransactWriteCommand({ TransactItems: items }));
}

/** Every item of a Query or Scan, following LastEvaluatedKey page after page. */
export async function readAllPages<T>(doc: DynamoDb, input: { query: QueryCommandInput } | { scan: ScanCommandInput }): Promise<T[]> {
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

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_MAX = 100;
/** How often keys DynamoDB left unprocessed (throttling, the 16 MB answer limit) are asked for again. */
export const BATCH_GET_TRIES = 6;

export interface BatchGetOptions {
  projection?: string;
  names?: Record<string, string>;
  /** Wait before asking again for unprocessed keys: `attempt` counts from 1. Exponential with jitter by default. */
  backoff?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number) => Math.random() * 25 * 2 ** attempt;

/**
 * The items of `keys` in one table, whatever their number (100 per request, the requests together), asking
 * again with backoff for the keys DynamoDB left unprocessed; keys without an item are simply absent from
 * the answer. Duplicate keys are asked for once (BatchGetItem refuses duplicates).
 */
export async function batchGetAll<T>(doc: DynamoDb, table: string, keys: Record<string, unknown>[], options: BatchGetOptions = {}): Promise<T[]> {
  const unique = [...new Map(keys.map((k) => [JSON.stringify(Object.entries(k).sort()), k])).values()];
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX) chunks.push(unique.slice(i, i + BATCH_GET_MAX));
  const pages = await Promise.all(chunks.map((chunk) => batchGetChunk<T>(doc, table, chunk, options)));
  return pages.flat();
}

async function batchGetChunk<T>(doc: DynamoDb, table: string, keys: Record<string, unknown>[], options: BatchGetOptions): Promise<T[]> {
  const items: T[] = [];
  let pending = keys;
  for (let attempt = 1; ; attempt++) {
    const out = await doc.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: { Keys: pending, ...(options.projection ? { ProjectionExpression: options.projection } : {}), ...(options.names ? { ExpressionAttributeNames: options.names } : {}) },
        },
      }),
    );
    items.push(...((out.Responses?.[table] ?? []) as T[]));
    pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
    if (!pending.length) return items;
    if (attempt >= BATCH_GET_TRIES) throw new Error(`DynamoDB left ${pending.length} key(s) of ${table} unprocessed after ${attempt} tries`);
    await new Promise((r) => setTimeout(r, (options.backoff ?? defaultBackoff)(attempt)));
  }
}

/** Node's codes for a connection that could not be made or was lost. */
const CONNECTION_ERROR_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND'];

/** Service failures that mean "DynamoDB is not answering", not "this request is wrong". */
const UNAVAILABLE = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ProvisionedThroughputExceededException', 'ThrottlingException',
  'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable', ...CONNECTION_ERROR_CODES,
]);
/** A wrapped network error (the SDK's retry layer says "AWS SDK error wrapper for Error: connect ECONNREFUSED ..."). */
const WRAPPED_CONNECTION_ERROR = new RegExp(`\\b(${CONNECTION_ERROR_CODES.join('|')})\\b|socket hang up`);

export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (UNAVAILABLE.has(e.name ?? '') || UNAVAILABLE.has(e.code ?? '')) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (WRAPPED_CONNECTION_ERROR.test((err as Error).message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isStoreUnavailable(e.cause);
}

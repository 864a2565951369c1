// Reads of many items: every page of a Query or Scan, and BatchGetItem for any number of keys.
import { BatchGetCommand, QueryCommand, ScanCommand, type QueryCommandInput, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from './dynamo-client';

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

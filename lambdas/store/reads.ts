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
  const unique = uniqueKeys(keys);
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX) chunks.push(unique.slice(i, i + BATCH_GET_MAX));
  const pages = await Promise.all(chunks.map((chunk) => batchGetChunk(doc, { [table]: { keys: chunk, ...options } }, options.backoff)));
  return pages.flatMap((page) => (page[table] ?? []) as T[]);
}

/** What one table contributes to a BatchGetItem across tables. */
export interface TableKeys extends Omit<BatchGetOptions, 'backoff'> {
  keys: Record<string, unknown>[];
}

/**
 * Items of several tables in one BatchGetItem (unprocessed keys asked again as batchGetAll does): one
 * round trip for what belongs together but is stored apart, such as a schedule and its override. At most
 * 100 keys in all; the answer has every table of `tables`, with an empty list when nothing was found.
 */
export async function batchGetTables(doc: DynamoDb, tables: Record<string, TableKeys>, backoff?: (attempt: number) => number): Promise<Record<string, Record<string, unknown>[]>> {
  const asked: Record<string, TableKeys> = {};
  for (const [table, t] of Object.entries(tables)) if (t.keys.length) asked[table] = { ...t, keys: uniqueKeys(t.keys) };
  const total = Object.values(asked).reduce((n, t) => n + t.keys.length, 0);
  if (total > BATCH_GET_MAX) throw new Error(`batchGetTables takes at most ${BATCH_GET_MAX} keys, not ${total}`);
  const found = total ? await batchGetChunk(doc, asked, backoff) : {};
  return Object.fromEntries(Object.keys(tables).map((table) => [table, found[table] ?? []]));
}

const uniqueKeys = (keys: Record<string, unknown>[]) => [...new Map(keys.map((k) => [JSON.stringify(Object.entries(k).sort()), k])).values()];

async function batchGetChunk(doc: DynamoDb, tables: Record<string, TableKeys>, backoff = defaultBackoff): Promise<Record<string, Record<string, unknown>[]>> {
  const items: Record<string, Record<string, unknown>[]> = {};
  let pending: Record<string, TableKeys> = tables;
  for (let attempt = 1; ; attempt++) {
    const out = await doc.send(
      new BatchGetCommand({
        RequestItems: Object.fromEntries(
          Object.entries(pending).map(([table, t]) => [
            table,
            { Keys: t.keys, ...(t.projection ? { ProjectionExpression: t.projection } : {}), ...(t.names ? { ExpressionAttributeNames: t.names } : {}) },
          ]),
        ),
      }),
    );
    for (const [table, found] of Object.entries(out.Responses ?? {})) (items[table] ??= []).push(...(found as Record<string, unknown>[]));
    const left: Record<string, TableKeys> = {};
    for (const [table, t] of Object.entries(pending)) {
      const keys = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
      if (keys.length) left[table] = { ...t, keys };
    }
    pending = left;
    const count = Object.values(pending).reduce((n, t) => n + t.keys.length, 0);
    if (!count) return items;
    if (attempt >= BATCH_GET_TRIES) throw new Error(`DynamoDB left ${count} key(s) of ${Object.keys(pending).join(', ')} unprocessed after ${attempt} tries`);
    await new Promise((r) => setTimeout(r, backoff(attempt)));
  }
}

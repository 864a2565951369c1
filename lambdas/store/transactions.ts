// Writes that race: DynamoDB transactions, their cancellation reasons, failed conditions, and retrying a
// write that lost to a concurrent one (DESIGN.md invariant 3: the caller gets 409 at worst, never a 5xx).
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../errors';
import type { DynamoDb } from './dynamo-client';

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

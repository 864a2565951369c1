// Lost races are retried, never answered 5xx (DESIGN.md invariant 3), including a plain write that hits an
// item a transaction is writing: DynamoDB answers that with TransactionConflictException.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from '../../lambdas/store/dynamo-client';
import { ConflictError } from '../../lambdas/errors';
import { DynamoDirectoryStore } from '../../lambdas/store/directory-store';
import { errorResponse } from '../../lambdas/admin/middleware';
import { Retry, withRetries } from '../../lambdas/store/transactions';

const transactionConflict = () => Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' });

describe('withRetries', () => {
  it('retries a TransactionConflictException and returns what the next attempt returns', async () => {
    let calls = 0;
    const result = await withRetries('testing', async () => {
      calls++;
      if (calls < 3) throw transactionConflict();
      return 'done';
    });
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 });
  });

  it('answers conflict (409), not the raw exception, when every try loses', async () => {
    await expect(withRetries('testing', async () => { throw transactionConflict(); }, 2)).rejects.toBeInstanceOf(ConflictError);
  });

  it('retries a stale read (Retry) and answers conflict when every try is stale', async () => {
    let calls = 0;
    await expect(withRetries('testing', async () => { calls++; throw new Retry(); }, 3)).rejects.toThrow(/testing lost a race/);
    expect(calls).toBe(3);
  });

  it('does not retry a conflict that is an answer (in use, refused), only lost races', async () => {
    let calls = 0;
    const inUse = new ConflictError('user usr_1 is used by flows flw_1');
    await expect(withRetries('testing', async () => { calls++; throw inUse; })).rejects.toBe(inUse);
    expect(calls).toBe(1);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const boom = Object.assign(new Error('boom'), { name: 'InternalServerError' });
    await expect(withRetries('testing', async () => { calls++; throw boom; })).rejects.toBe(boom);
    expect(calls).toBe(1);
  });
});

describe('DynamoDirectoryStore.deleteUser', () => {
  it('retries a Delete that collided with a transaction on the same user', async () => {
    const sent: string[] = [];
    const doc = {
      send: async (command: object) => {
        sent.push(command.constructor.name);
        if (command instanceof DeleteCommand && sent.length === 1) throw transactionConflict();
        return {};
      },
    } as unknown as DynamoDb;
    await expect(new DynamoDirectoryStore(doc, 'directory').deleteUser('usr_1')).resolves.toBeUndefined();
    expect(sent).toEqual(['DeleteCommand', 'DeleteCommand']);
  });
});

describe('a Retry that escapes withRetries', () => {
  it('is a ConflictError: the admin API answers 409 conflict in its error format, never 500', () => {
    const escaped = new Retry('publishing the flow');
    expect(escaped).toBeInstanceOf(ConflictError);
    const res = errorResponse(escaped)!;
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body as string)).toEqual({
      error: { code: 'conflict', message: 'publishing the flow lost a race with a concurrent write; try again' },
    });
  });
});

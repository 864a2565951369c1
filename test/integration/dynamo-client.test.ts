// The stores' DynamoDB client (lambdas/store/dynamo-client.ts: the SDK's document client, configured once)
// against DynamoDB Local: every kind of value a store writes reads back as written, every command the stores
// and the seeders use answers as the stores expect, and the errors are the SDK's exception classes, which
// the stores' error handling relies on (cancellation reasons, failed conditions, "store unavailable").
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDynamoDb, type DynamoDb } from '../../lambdas/store/dynamo-client';
import { cancellationReasons, isConditionFailure } from '../../lambdas/store/transactions';
import { isStoreUnavailable } from '../../lambdas/store/unavailable';
import { createTestTables, dropTestTables, type TestTables } from '../support/dynamo';

let t: TestTables;
let ours: DynamoDb;
let table: string;

beforeAll(async () => {
  t = await createTestTables();
  ours = t.doc;
  table = t.names.state; // pk (S), sk (S)
});
afterAll(async () => {
  await dropTestTables(t);
});

/** Every kind of value a store writes: strings, numbers, booleans, null, lists, nested maps, string and number sets, binary, empty string. */
const rich = (pk: string) => ({
  pk,
  sk: 'item',
  text: 'héllo ✓ “quotes” \u{1F600}',
  empty: '',
  count: 42,
  ratio: 0.125,
  negative: -7,
  big: Number.MAX_SAFE_INTEGER,
  yes: true,
  no: false,
  nothing: null,
  gone: undefined,
  list: [1, 'two', { three: [3] }, null, false],
  nested: { a: { b: { c: 'deep', d: undefined } }, when: '2026-12-01T10:00:00.000Z' },
  names: new Set(['alice', 'bob']),
  numbers: new Set([1, 2, 3]),
  bytes: new Uint8Array([0, 1, 2, 254, 255]),
});

it('every kind of value a store writes reads back as written, undefined values left out', async () => {
  await ours.send(new PutCommand({ TableName: table, Item: rich('rich') }));
  const { Item } = await ours.send(new GetCommand({ TableName: table, Key: { pk: 'rich', sk: 'item' }, ConsistentRead: true }));
  // What comes back: everything but the undefined values, which were left out (removeUndefinedValues).
  const { gone: _gone, ...expected } = { ...rich('rich'), nested: { a: { b: { c: 'deep' } }, when: '2026-12-01T10:00:00.000Z' } };
  expect(Item).toEqual(expected);
  expect(Item?.names).toBeInstanceOf(Set);
  expect(Item?.bytes).toBeInstanceOf(Uint8Array);
  // A key with no item: no Item.
  expect((await ours.send(new GetCommand({ TableName: table, Key: { pk: 'absent', sk: 'item' } }))).Item).toBeUndefined();
});

it('UpdateItem with expressions, ADD to a set and a counter, and ReturnValues', async () => {
  const update = {
    TableName: table,
    Key: { pk: 'u1', sk: 'counter' },
    UpdateExpression: 'SET #n = :name, #l = list_append(if_not_exists(#l, :empty), :more) ADD calls :one, tags :tags REMOVE #gone',
    ExpressionAttributeNames: { '#n': 'name', '#l': 'log', '#gone': 'gone' },
    ExpressionAttributeValues: { ':name': 'Main line', ':empty': [], ':more': [{ at: 1, who: 'x' }], ':one': 1, ':tags': new Set(['a']) },
    ReturnValues: 'ALL_NEW' as const,
  };
  const a = await ours.send(new UpdateCommand(update));
  expect(a.Attributes).toEqual({ pk: 'u1', sk: 'counter', name: 'Main line', log: [{ at: 1, who: 'x' }], calls: 1, tags: new Set(['a']) });
  const again = await ours.send(new UpdateCommand(update));
  expect(again.Attributes?.calls).toBe(2);
  expect(again.Attributes?.log).toHaveLength(2);
});

it('Query and Scan page with LastEvaluatedKey, the key usable as ExclusiveStartKey', async () => {
  const writes = Array.from({ length: 30 }, (_, i) => ({ PutRequest: { Item: { pk: 'q', sk: `s${String(i).padStart(2, '0')}`, i } } }));
  for (let i = 0; i < writes.length; i += 25) {
    const out = await ours.send(new BatchWriteCommand({ RequestItems: { [table]: writes.slice(i, i + 25) } }));
    expect(out.UnprocessedItems?.[table] ?? []).toEqual([]);
  }
  const query = (start?: Record<string, unknown>) => ({
    TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)', ExpressionAttributeValues: { ':pk': 'q', ':s': 's' }, Limit: 7, ExclusiveStartKey: start,
  });
  const pages: Record<string, unknown>[][] = [];
  for (let start: Record<string, unknown> | undefined, first = true; first || start; first = false) {
    const page = await ours.send(new QueryCommand(query(start)));
    pages.push(page.Items ?? []);
    start = page.LastEvaluatedKey;
  }
  expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2, 0].slice(0, pages.length));
  expect(pages.flat().map((item) => item.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  const scan = await ours.send(new ScanCommand({ TableName: table, FilterExpression: 'pk = :pk AND i >= :min', ExpressionAttributeValues: { ':pk': 'q', ':min': 25 } }));
  expect(scan.Items?.map((item) => item.i).sort()).toEqual([25, 26, 27, 28, 29]);
});

it('BatchGetItem answers per table, with projections; keys without an item are absent', async () => {
  const request = { RequestItems: { [table]: { Keys: [{ pk: 'q', sk: 's01' }, { pk: 'q', sk: 's02' }, { pk: 'q', sk: 'nope' }], ProjectionExpression: '#i', ExpressionAttributeNames: { '#i': 'i' } } } };
  const a = await ours.send(new BatchGetCommand(request));
  const sorted = (items: Record<string, unknown>[] = []) => [...items].sort((x, y) => Number(x.i) - Number(y.i));
  expect(sorted(a.Responses?.[table])).toEqual([{ i: 1 }, { i: 2 }]);
  expect(a.UnprocessedKeys).toEqual({});
});

it('a failed condition is the SDK\'s ConditionalCheckFailedException, with the item as DynamoDB sent it when asked for', async () => {
  await ours.send(new PutCommand({ TableName: table, Item: { pk: 'cond', sk: 'x', n: 1, tags: new Set(['t']) } }));
  const put = { TableName: table, Item: { pk: 'cond', sk: 'x', n: 2 }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
  const a = (await ours.send(new PutCommand(put)).catch((e: unknown) => e)) as ConditionalCheckFailedException;
  expect(a).toBeInstanceOf(ConditionalCheckFailedException);
  expect(isConditionFailure(a)).toBe(true);
  expect(a.$metadata?.httpStatusCode).toBe(400);
  // The document client leaves an error's item marshalled (state-store.ts unmarshalls it).
  expect(unmarshall(a.Item as Record<string, AttributeValue>)).toEqual({ pk: 'cond', sk: 'x', n: 1, tags: new Set(['t']) });
  // Nothing was written.
  expect((await ours.send(new GetCommand({ TableName: table, Key: { pk: 'cond', sk: 'x' }, ConsistentRead: true }))).Item?.n).toBe(1);
});

it('a cancelled transaction names each item\'s reason; nothing of it is written', async () => {
  const items = [
    { Put: { TableName: table, Item: { pk: 'tx', sk: 'a', v: 1 } } },
    { Update: { TableName: table, Key: { pk: 'tx', sk: 'b' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 2 } } },
    { ConditionCheck: { TableName: table, Key: { pk: 'cond', sk: 'x' }, ConditionExpression: 'n = :two', ExpressionAttributeValues: { ':two': 2 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
  ];
  const a = (await ours.send(new TransactWriteCommand({ TransactItems: items })).catch((e: unknown) => e)) as TransactionCanceledException;
  expect(a).toBeInstanceOf(TransactionCanceledException);
  expect(cancellationReasons(a)).toEqual(['None', 'None', 'ConditionalCheckFailed']);
  expect(unmarshall(a.CancellationReasons?.[2].Item as Record<string, AttributeValue>)).toEqual({ pk: 'cond', sk: 'x', n: 1, tags: new Set(['t']) });
  expect((await ours.send(new GetCommand({ TableName: table, Key: { pk: 'tx', sk: 'a' }, ConsistentRead: true }))).Item).toBeUndefined();

  // The same transaction with a true condition commits every item; DeleteItem then removes one.
  items[2] = { ConditionCheck: { ...items[2].ConditionCheck!, ExpressionAttributeValues: { ':two': 1 } } };
  await ours.send(new TransactWriteCommand({ TransactItems: items }));
  expect((await ours.send(new GetCommand({ TableName: table, Key: { pk: 'tx', sk: 'b' }, ConsistentRead: true }))).Item).toEqual({ pk: 'tx', sk: 'b', v: 2 });
  const deleted = await ours.send(new DeleteCommand({ TableName: table, Key: { pk: 'tx', sk: 'b' }, ReturnValues: 'ALL_OLD' }));
  expect(deleted.Attributes).toEqual({ pk: 'tx', sk: 'b', v: 2 });
});

it('a request DynamoDB refuses is a ValidationException naming the problem, not retried; a missing table ResourceNotFoundException', async () => {
  const bad = (await ours.send(new GetCommand({ TableName: table, Key: { pk: 'only-half' } })).catch((e: unknown) => e)) as Error & { $metadata: { attempts: number } };
  expect(bad.name).toBe('ValidationException');
  expect(bad.message).toMatch(/key/i);
  expect(bad.$metadata.attempts).toBe(1);
  expect(isStoreUnavailable(bad)).toBe(false);
  const missing = (await ours.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e)) as Error;
  expect(missing.name).toBe('ResourceNotFoundException');
  expect(isStoreUnavailable(missing)).toBe(false);
});

it('an unreachable endpoint is "store unavailable" (the webhooks\' safe answer, the admin API\'s 503)', async () => {
  const down = createDynamoDb({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const err = await down.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
  expect(isStoreUnavailable(err)).toBe(true);
});

it('a transaction the SDK sends carries an idempotency token: the same transaction sent again with it is not applied twice', async () => {
  const tokens: unknown[] = [];
  const client = createDynamoDb({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  // What goes over the wire: the SDK's serializer fills the token in.
  client.middlewareStack.add((next) => async (args) => {
    tokens.push(JSON.parse(new TextDecoder().decode((args.request as { body: Uint8Array }).body)).ClientRequestToken);
    return next(args);
  }, { step: 'finalizeRequest', name: 'recordToken' });
  const put = { Put: { TableName: table, Item: { pk: 'idem', sk: 'a', v: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } };
  await client.send(new TransactWriteCommand({ TransactItems: [put] }));
  expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
  // Sent again with the same token (what a retry after a lost answer does): DynamoDB answers success, not a failed condition.
  await expect(client.send(new TransactWriteCommand({ TransactItems: [put], ClientRequestToken: tokens[0] as string }))).resolves.toBeDefined();
  // Without it, the same transaction is a new one, and its condition fails.
  await expect(client.send(new TransactWriteCommand({ TransactItems: [put] }))).rejects.toBeInstanceOf(TransactionCanceledException);
  client.destroy();
});

// The stores' DynamoDB client (lambdas/store/dynamo-client.ts) against DynamoDB Local, side by side with
// the SDK's document client it replaced: what one writes the other reads back identically, every command
// the stores and the seeders use answers as lib-dynamodb answers, and the errors carry the same names,
// reasons and (unmarshalled) items.
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as sdk from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand, BatchWriteCommand, DeleteCommand, DynamoDb, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand,
} from '../../lambdas/store/dynamo-client';
import { cancellationReasons, isConditionFailure, isStoreUnavailable } from '../../lambdas/store/dynamo';
import { createTestTables, dropTestTables, type TestTables } from '../support/dynamo';

let t: TestTables;
let theirs: sdk.DynamoDBDocumentClient;
let ours: DynamoDb;
let table: string;

beforeAll(async () => {
  t = await createTestTables();
  ours = t.doc;
  theirs = sdk.DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }), { marshallOptions: { removeUndefinedValues: true } });
  table = t.names.state; // pk (S), sk (S)
});
afterAll(async () => {
  theirs.destroy();
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

const strip = <T extends { $metadata?: unknown; ConsumedCapacity?: unknown }>(out: T) => {
  const { $metadata: _m, ConsumedCapacity: _c, ...rest } = out;
  return rest;
};

it('an item written by one client reads back identically through the other, both ways', async () => {
  await ours.send(new PutCommand({ TableName: table, Item: rich('ours') }));
  await theirs.send(new sdk.PutCommand({ TableName: table, Item: rich('theirs') }));
  const key = (pk: string) => ({ TableName: table, Key: { pk, sk: 'item' }, ConsistentRead: true });
  const [a, b] = [await theirs.send(new sdk.GetCommand(key('ours'))), await ours.send(new GetCommand(key('theirs')))];
  // What comes back: everything but the undefined values, which were left out (removeUndefinedValues).
  const { gone: _gone, ...expected } = { ...rich('x'), nested: { a: { b: { c: 'deep' } }, when: '2026-12-01T10:00:00.000Z' } };
  expect({ ...a.Item, pk: 'x' }).toEqual(expected);
  expect({ ...b.Item, pk: 'x' }).toEqual(expected);
  expect(b.Item?.names).toBeInstanceOf(Set);
  expect(b.Item?.bytes).toBeInstanceOf(Uint8Array);
  // The same item, read by each client, is the same value.
  expect(strip(await ours.send(new GetCommand(key('ours'))))).toEqual(strip(await theirs.send(new sdk.GetCommand(key('ours')))));
  // A key with no item: no Item, as with the SDK.
  expect(strip(await ours.send(new GetCommand(key('absent'))))).toEqual(strip(await theirs.send(new sdk.GetCommand(key('absent')))));
});

it('UpdateItem with expressions, ADD to a set and a counter, and ReturnValues, as lib-dynamodb answers', async () => {
  const update = (pk: string) => ({
    TableName: table,
    Key: { pk, sk: 'counter' },
    UpdateExpression: 'SET #n = :name, #l = list_append(if_not_exists(#l, :empty), :more) ADD calls :one, tags :tags REMOVE #gone',
    ExpressionAttributeNames: { '#n': 'name', '#l': 'log', '#gone': 'gone' },
    ExpressionAttributeValues: { ':name': 'Main line', ':empty': [], ':more': [{ at: 1, who: 'x' }], ':one': 1, ':tags': new Set(['a']) },
    ReturnValues: 'ALL_NEW' as const,
  });
  const a = await ours.send(new UpdateCommand(update('u1')));
  const b = await theirs.send(new sdk.UpdateCommand(update('u2')));
  expect({ ...a.Attributes, pk: '' }).toEqual({ ...b.Attributes, pk: '' });
  expect(a.Attributes).toEqual({ pk: 'u1', sk: 'counter', name: 'Main line', log: [{ at: 1, who: 'x' }], calls: 1, tags: new Set(['a']) });
  const again = await ours.send(new UpdateCommand(update('u1')));
  expect(again.Attributes?.calls).toBe(2);
  expect(again.Attributes?.log).toHaveLength(2);
});

it('Query and Scan page with LastEvaluatedKey as lib-dynamodb does, the key usable as ExclusiveStartKey', async () => {
  const writes = Array.from({ length: 30 }, (_, i) => ({ PutRequest: { Item: { pk: 'q', sk: `s${String(i).padStart(2, '0')}`, i } } }));
  for (let i = 0; i < writes.length; i += 25) {
    const out = await ours.send(new BatchWriteCommand({ RequestItems: { [table]: writes.slice(i, i + 25) } }));
    expect(out.UnprocessedItems?.[table] ?? []).toEqual([]);
  }
  const query = (start?: Record<string, unknown>) => ({
    TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)', ExpressionAttributeValues: { ':pk': 'q', ':s': 's' }, Limit: 7, ExclusiveStartKey: start,
  });
  const oursPages: unknown[][] = [];
  const theirPages: unknown[][] = [];
  for (let start: Record<string, unknown> | undefined, first = true; first || start; first = false) {
    const a = await ours.send(new QueryCommand(query(start)));
    const b = await theirs.send(new sdk.QueryCommand(query(start)));
    expect(strip(a)).toEqual(strip(b));
    oursPages.push(a.Items ?? []);
    theirPages.push(b.Items ?? []);
    start = a.LastEvaluatedKey;
  }
  expect(oursPages.flat()).toHaveLength(30);
  expect(oursPages).toEqual(theirPages);
  const scan = { TableName: table, FilterExpression: 'pk = :pk AND i >= :min', ExpressionAttributeValues: { ':pk': 'q', ':min': 25 } };
  const [a, b] = [await ours.send(new ScanCommand(scan)), await theirs.send(new sdk.ScanCommand(scan))];
  expect(a.Items).toHaveLength(5);
  expect(strip(a)).toEqual(strip(b));
});

it('BatchGetItem answers per table, with projections, as lib-dynamodb does', async () => {
  const request = { RequestItems: { [table]: { Keys: [{ pk: 'q', sk: 's01' }, { pk: 'q', sk: 's02' }, { pk: 'q', sk: 'nope' }], ProjectionExpression: '#i', ExpressionAttributeNames: { '#i': 'i' } } } };
  const a = await ours.send(new BatchGetCommand(request));
  const b = await theirs.send(new sdk.BatchGetCommand(request));
  const sorted = (items: Record<string, unknown>[] = []) => [...items].sort((x, y) => Number(x.i) - Number(y.i));
  expect(sorted(a.Responses?.[table])).toEqual([{ i: 1 }, { i: 2 }]);
  expect(sorted(a.Responses?.[table])).toEqual(sorted(b.Responses?.[table]));
  expect(a.UnprocessedKeys).toEqual(b.UnprocessedKeys);
});

it('a failed condition is ConditionalCheckFailedException, with the item (native values) when asked for', async () => {
  await ours.send(new PutCommand({ TableName: table, Item: { pk: 'cond', sk: 'x', n: 1, tags: new Set(['t']) } }));
  const put = { TableName: table, Item: { pk: 'cond', sk: 'x', n: 2 }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
  const a = (await ours.send(new PutCommand(put)).catch((e: unknown) => e)) as Error & { Item?: unknown; $metadata?: { httpStatusCode?: number } };
  const b = (await theirs.send(new sdk.PutCommand(put)).catch((e: unknown) => e)) as Error & { Item?: unknown };
  expect(a.name).toBe('ConditionalCheckFailedException');
  expect(a.name).toBe(b.name);
  expect(isConditionFailure(a)).toBe(true);
  expect(a.$metadata?.httpStatusCode).toBe(400);
  expect(a.Item).toEqual({ pk: 'cond', sk: 'x', n: 1, tags: new Set(['t']) });
  // lib-dynamodb leaves an error's item marshalled; ours reads as every other answer does.
  expect(a.Item).toEqual(unmarshall(b.Item as Record<string, AttributeValue>));
  // Nothing was written.
  expect((await ours.send(new GetCommand({ TableName: table, Key: { pk: 'cond', sk: 'x' }, ConsistentRead: true }))).Item?.n).toBe(1);
});

it('a cancelled transaction names each item\'s reason, the failed item unmarshalled; nothing of it is written', async () => {
  const items = [
    { Put: { TableName: table, Item: { pk: 'tx', sk: 'a', v: 1 } } },
    { Update: { TableName: table, Key: { pk: 'tx', sk: 'b' }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': 2 } } },
    { ConditionCheck: { TableName: table, Key: { pk: 'cond', sk: 'x' }, ConditionExpression: 'n = :two', ExpressionAttributeValues: { ':two': 2 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
  ];
  const a = (await ours.send(new TransactWriteCommand({ TransactItems: items })).catch((e: unknown) => e)) as Error & { CancellationReasons?: { Code?: string; Item?: unknown }[] };
  const b = (await theirs.send(new sdk.TransactWriteCommand({ TransactItems: items })).catch((e: unknown) => e)) as Error & { CancellationReasons?: { Code?: string; Item?: unknown }[] };
  expect(a.name).toBe('TransactionCanceledException');
  expect(cancellationReasons(a)).toEqual(['None', 'None', 'ConditionalCheckFailed']);
  expect(cancellationReasons(a)).toEqual(cancellationReasons(b));
  expect(a.CancellationReasons?.[2].Item).toEqual({ pk: 'cond', sk: 'x', n: 1, tags: new Set(['t']) });
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
});

it('an unreachable endpoint is "store unavailable" (the webhooks\' safe answer, the admin API\'s 503)', async () => {
  const down = new DynamoDb({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const err = await down.send(new GetCommand({ TableName: table, Key: { pk: 'a', sk: 'b' } })).catch((e: unknown) => e);
  expect(isStoreUnavailable(err)).toBe(true);
});

it('a transaction carries an idempotency token (as the SDK sends one): the same transaction sent again with it is not applied twice', async () => {
  const sent: Record<string, unknown>[] = [];
  const send = ours.send.bind(ours);
  // What goes over the wire: the client's own input, after marshalling.
  const call = (ours as unknown as { client: { call: (op: string, input: Record<string, unknown>) => Promise<unknown> } }).client;
  const original = call.call.bind(call);
  call.call = async (op, input) => {
    sent.push(input);
    return original(op, input);
  };
  try {
    const put = { Put: { TableName: table, Item: { pk: 'idem', sk: 'a', v: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } };
    await send(new TransactWriteCommand({ TransactItems: [put] }));
    expect(sent[0].ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    // Sent again with the same token (what a retry after a lost answer does): DynamoDB answers success, not a failed condition.
    await expect(send(new TransactWriteCommand({ TransactItems: [put], ClientRequestToken: sent[0].ClientRequestToken as string }))).resolves.toBeDefined();
    // Without it, the same transaction is a new one, and its condition fails.
    await expect(send(new TransactWriteCommand({ TransactItems: [put] }))).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  } finally {
    call.call = original;
  }
});

// The stores' DynamoDB client: the document client's commands and native JavaScript values (marshalled by
// the SDK's own @aws-sdk/util-dynamodb, with removeUndefinedValues as before), sent through the small
// JSON-protocol client (../aws/aws-json.ts) instead of @aws-sdk/client-dynamodb, which cost every webhook
// cold start ~58 ms to load (docs/performance.md). Call sites read as they did with @aws-sdk/lib-dynamodb:
// `await db.send(new GetCommand({ TableName, Key }))`, with the same input and output types.
import { randomUUID } from 'node:crypto';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type {
  BatchGetCommandInput, BatchGetCommandOutput, DeleteCommandInput, DeleteCommandOutput, GetCommandInput, GetCommandOutput,
  PutCommandInput, PutCommandOutput, QueryCommandInput, QueryCommandOutput, ScanCommandInput, ScanCommandOutput,
  TransactWriteCommandInput, TransactWriteCommandOutput, UpdateCommandInput, UpdateCommandOutput, BatchWriteCommandInput,
  BatchWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { AwsJsonClient, type AwsJsonTimeouts, type CredentialSource } from '../aws/aws-json';

/** One DynamoDB operation and its input; `Output` only carries the answer's type. */
export abstract class DynamoCommand<Input, Output> {
  abstract readonly operation: string;
  declare readonly output?: Output;
  constructor(readonly input: Input) {}
}

/** The command class for one operation, as lib-dynamodb names them: `new GetCommand({ TableName, Key })`. */
const command = <Input, Output>(operation: string) =>
  class extends DynamoCommand<Input, Output> {
    readonly operation = operation;
  };

export const GetCommand = command<GetCommandInput, GetCommandOutput>('GetItem');
export const PutCommand = command<PutCommandInput, PutCommandOutput>('PutItem');
export const UpdateCommand = command<UpdateCommandInput, UpdateCommandOutput>('UpdateItem');
export const DeleteCommand = command<DeleteCommandInput, DeleteCommandOutput>('DeleteItem');
export const QueryCommand = command<QueryCommandInput, QueryCommandOutput>('Query');
export const ScanCommand = command<ScanCommandInput, ScanCommandOutput>('Scan');
export const BatchGetCommand = command<BatchGetCommandInput, BatchGetCommandOutput>('BatchGetItem');
/** Bulk loading (the bench's and the tests' seeding): 25 writes per request, no conditions. */
export const BatchWriteCommand = command<BatchWriteCommandInput, BatchWriteCommandOutput>('BatchWriteItem');
export const TransactWriteCommand = command<TransactWriteCommandInput, TransactWriteCommandOutput>('TransactWriteItems');

export interface DynamoDbConfig extends Partial<AwsJsonTimeouts> {
  /** Default: AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL, then the region's endpoint. */
  endpoint?: string;
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION. */
  region?: string;
  /** Default: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (what Lambda sets). */
  credentials?: CredentialSource;
  env?: NodeJS.ProcessEnv;
  backoff?: (attempt: number, throttled: boolean) => number;
}

type Json = Record<string, unknown>;
const MARSHALL = { removeUndefinedValues: true } as const;

const toItem = (value: unknown) => marshall(value as Record<string, NativeAttributeValue>, MARSHALL);
const fromItem = (value: unknown) => unmarshall(withBlobs(value as Json) as Parameters<typeof unmarshall>[0]);

/** Binary values arrive as base64 text; unmarshall wants their bytes (a Uint8Array, as the SDK gives). */
function withBlobs(item: Json): Json {
  const out: Json = {};
  for (const [name, value] of Object.entries(item)) out[name] = blobs(value as Json);
  return out;
}
const bytes = (text: unknown) => new Uint8Array(Buffer.from(String(text), 'base64'));
function blobs(value: Json): Json {
  if ('B' in value) return { B: bytes(value.B) };
  if ('BS' in value) return { BS: (value.BS as unknown[]).map(bytes) };
  if ('M' in value) return { M: withBlobs(value.M as Json) };
  if ('L' in value) return { L: (value.L as Json[]).map(blobs) };
  return value;
}

/** Fields holding one item (or a map of values) in native form on the way in, attribute values on the way out. */
const ITEM_FIELDS = new Set(['Key', 'Item', 'ExclusiveStartKey', 'ExpressionAttributeValues', 'Attributes', 'LastEvaluatedKey']);
/** Fields holding a list of items. */
const ITEM_LIST_FIELDS = new Set(['Keys', 'Items']);
/** Fields holding a map from table name to the per-table request (BatchGet's keys, BatchWrite's writes). */
const PER_TABLE_FIELDS = new Set(['RequestItems', 'UnprocessedKeys', 'UnprocessedItems']);
/** BatchGet's answer: a map from table name to its items. */
const PER_TABLE_ITEMS = 'Responses';
/** Fields holding a list of structures (or one structure) that themselves hold items. */
const NESTED_FIELDS = new Set(['TransactItems', 'Put', 'Update', 'Delete', 'ConditionCheck', 'CancellationReasons', 'PutRequest', 'DeleteRequest']);

/**
 * Converts the item-bearing fields of a request or an answer, and only those (a name map or an
 * expression is never touched): what @aws-sdk/lib-dynamodb does for the same commands.
 */
function convert(shape: unknown, item: (value: unknown) => unknown): unknown {
  if (Array.isArray(shape)) return shape.map((s) => convert(s, item));
  if (!shape || typeof shape !== 'object') return shape;
  const out: Json = {};
  for (const [field, value] of Object.entries(shape as Json)) {
    if (value === undefined) continue;
    if (value === null) out[field] = value;
    else if (ITEM_FIELDS.has(field)) out[field] = item(value);
    else if (ITEM_LIST_FIELDS.has(field)) out[field] = (value as unknown[]).map(item);
    else if (PER_TABLE_FIELDS.has(field)) out[field] = Object.fromEntries(Object.entries(value as Json).map(([table, perTable]) => [table, convert(perTable, item)]));
    else if (field === PER_TABLE_ITEMS && !Array.isArray(value)) {
      out[field] = Object.fromEntries(Object.entries(value as Json).map(([table, items]) => [table, (items as unknown[]).map(item)]));
    } else if (NESTED_FIELDS.has(field)) out[field] = convert(value, item);
    else out[field] = value;
  }
  return out;
}

export class DynamoDb {
  private readonly client: AwsJsonClient;

  constructor(config: DynamoDbConfig = {}) {
    this.client = new AwsJsonClient({ ...config, service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB' });
  }

  get endpoint(): string {
    return this.client.endpoint;
  }

  async send<Input, Output>(command: DynamoCommand<Input, Output>): Promise<Output> {
    const input = convert(command.input, toItem) as Json;
    // As the SDK does: a transaction carries an idempotency token, the same on every retry of this send, so
    // a retry after an answer that was lost (a timeout, a reset, a 500 after the commit) is not applied twice
    // and does not fail its own conditions (which the stores would read as a race, and answer wrongly).
    if (command.operation === 'TransactWriteItems') input.ClientRequestToken ??= randomUUID();
    try {
      return convert(await this.client.call(command.operation, input), fromItem) as Output;
    } catch (err) {
      // A failed condition can carry the item (ReturnValuesOnConditionCheckFailure), a cancelled transaction each item's.
      if (err && typeof err === 'object' && ('Item' in err || 'CancellationReasons' in err)) Object.assign(err, convert({ Item: (err as Json).Item, CancellationReasons: (err as Json).CancellationReasons }, fromItem));
      throw err;
    }
  }

  /** Closes idle connections. */
  destroy(): void {
    this.client.destroy();
  }
}

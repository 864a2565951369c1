// Small runtime state in one table: round-robin counters, sticky members, unrouted events, the report mark.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, readAllPages } from './dynamo';

export const STICKY_DAYS = 30;
/** Unrouted events are kept long enough for any report interval (and a missed week of reports). */
export const UNROUTED_DAYS = 35;

export interface UnroutedEvent {
  number: string;
  sid: string;
  channel: 'call' | 'sms';
  at: string;
  reason: string;
}

export interface StateStore {
  nextRoundRobinStart(key: string, memberCount: number): Promise<number>;
  stickyMember(key: string): Promise<string | undefined>;
  rememberSticky(key: string, userId: string, now: Date): Promise<void>;
  /** Records that a call or text reached a number unrouted; a retry of the same Sid counts once. */
  recordUnrouted(event: UnroutedEvent): Promise<boolean>;
  unroutedSince(number: string, since: string | undefined): Promise<UnroutedEvent[]>;
  getValue<T>(pk: string): Promise<T | undefined>;
  putValue(pk: string, value: unknown): Promise<void>;
}

const epoch = (d: Date, days: number) => Math.floor(d.getTime() / 1000) + days * 86400;

export class DynamoStateStore implements StateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async nextRoundRobinStart(key: string, memberCount: number): Promise<number> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: `rr#${key}`, sk: '-' },
        UpdateExpression: 'ADD calls :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const calls = Number(out.Attributes?.calls ?? 1);
    return memberCount > 0 ? (calls - 1) % memberCount : 0;
  }

  async stickyMember(key: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `sticky#${key}`, sk: '-' } }));
    const item = out.Item;
    if (!item || (item.expiresAt && item.expiresAt * 1000 < Date.now())) return undefined;
    return item.userId as string;
  }

  async rememberSticky(key: string, userId: string, now: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { pk: `sticky#${key}`, sk: '-', userId, expiresAt: epoch(now, STICKY_DAYS) } }),
    );
  }

  async recordUnrouted(event: UnroutedEvent): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `unrouted#${event.number}`, sk: event.sid, ...event, expiresAt: epoch(new Date(event.at), UNROUTED_DAYS) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async unroutedSince(number: string, since: string | undefined): Promise<UnroutedEvent[]> {
    return readAllPages<UnroutedEvent>(this.doc, {
      query: {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ...(since ? { FilterExpression: '#at > :since', ExpressionAttributeNames: { '#at': 'at' } } : {}),
        ExpressionAttributeValues: { ':pk': `unrouted#${number}`, ...(since ? { ':since': since } : {}) },
      },
    });
  }

  async getValue<T>(pk: string): Promise<T | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk: '-' }, ConsistentRead: true }));
    return out.Item?.value as T | undefined;
  }

  async putValue(pk: string, value: unknown): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk, sk: '-', value } }));
  }
}

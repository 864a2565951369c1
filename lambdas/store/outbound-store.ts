// The delivery record of every outbound text (DESIGN.md section 17), in the Outbound table: written queued
// by the sender before it calls Twilio, given Twilio's Sid, then moved along by the status callbacks.
// A status only moves forward: each record carries its status's rank (flows/delivery.ts) and every change
// is a conditional UpdateItem on it, so a late or replayed callback changes nothing. Keys and access
// patterns: docs/data-model.md.
import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { statusRank, type DeliveryStatus } from '../flows/delivery';
import type { DynamoDb } from './dynamo-client';
import { isConditionFailure } from './transactions';

/** How long a record is kept, as traces are. */
export const OUTBOUND_DAYS = 30;

export interface OutboundRecord {
  id: string;
  /** Twilio's MessageSid, once Twilio took the text. */
  sid?: string;
  from: string;
  to: string;
  body: string;
  media?: string[];
  /** Why it was sent: text_applet, voicemail_notify, transcript_notify, inbox_notify, reply, forward. */
  reason: string;
  /** The CallSid or MessageSid that caused it. */
  cause?: string;
  status: DeliveryStatus;
  /** Twilio's error code for a text that was not delivered (30006: a landline...). */
  errorCode?: number;
  /** What the error means, in words. */
  errorMessage?: string;
  queuedAt: string;
  updatedAt: string;
}

/** What a text is recorded with before it is sent. */
export type NewOutboundRecord = Pick<OutboundRecord, 'id' | 'from' | 'to' | 'body' | 'media' | 'reason' | 'cause' | 'queuedAt'>;

export interface StatusChange {
  status: DeliveryStatus;
  sid?: string;
  errorCode?: number;
  errorMessage?: string;
  at: Date;
}

/** The key of the last record of a page: where the next page starts (the index's keys and the table's). */
export type OutboundPageKey = { id: string; queuedAt: string } & ({ status: DeliveryStatus } | { feed: '1' });

export interface OutboundPage {
  records: OutboundRecord[];
  next?: OutboundPageKey;
}

export interface OutboundStore {
  /**
   * Records a text as queued. `created: false` with the record already there when this text was recorded
   * before (the queue delivered it again): the sender then knows whether Twilio already has it.
   */
  begin(text: NewOutboundRecord, now: Date): Promise<{ created: true } | { created: false; record: OutboundRecord }>;
  /** Twilio took the text: its Sid, whatever status a callback may already have set. */
  accepted(id: string, sid: string, now: Date): Promise<void>;
  /** Moves the record to `change.status` when that is forward of where it is; the record as changed, or undefined. */
  advance(id: string, change: StatusChange): Promise<OutboundRecord | undefined>;
  /** One page, newest first: the texts with `status`, or all of them. */
  page(options: { status?: DeliveryStatus; limit: number; after?: OutboundPageKey }): Promise<OutboundPage>;
}

interface OutboundItem extends OutboundRecord {
  rank: number;
  feed: '1';
  expiresAt: number;
}

const toRecord = ({ rank: _rank, feed: _feed, expiresAt: _expiresAt, ...record }: OutboundItem): OutboundRecord => record;

export class DynamoOutboundStore implements OutboundStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  async begin(text: NewOutboundRecord, now: Date): Promise<{ created: true } | { created: false; record: OutboundRecord }> {
    const item: OutboundItem = {
      ...text,
      media: text.media?.length ? text.media : undefined,
      status: 'queued',
      rank: statusRank('queued'),
      feed: '1',
      updatedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + OUTBOUND_DAYS * 86_400,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // The document client leaves an error's item as DynamoDB sent it.
      const raw = (err as ConditionalCheckFailedException).Item;
      return { created: false, record: toRecord(unmarshall(raw ?? {}) as OutboundItem) };
    }
  }

  async accepted(id: string, sid: string, now: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: 'SET sid = :sid, updatedAt = :at',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':sid': sid, ':at': now.toISOString() },
      }),
    );
  }

  async advance(id: string, change: StatusChange): Promise<OutboundRecord | undefined> {
    const sets = ['#status = :status', '#rank = :rank', 'updatedAt = :at'];
    const values: Record<string, unknown> = { ':status': change.status, ':rank': statusRank(change.status), ':at': change.at.toISOString() };
    const optional = { sid: change.sid, errorCode: change.errorCode, errorMessage: change.errorMessage };
    for (const [name, value] of Object.entries(optional)) {
      if (value === undefined || value === '') continue;
      sets.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: `SET ${sets.join(', ')}`,
          // Only forward, and never a record made up by a callback for a text we do not know.
          ConditionExpression: 'attribute_exists(id) AND #rank < :rank',
          ExpressionAttributeNames: { '#status': 'status', '#rank': 'rank' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(out.Attributes as OutboundItem);
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  async page({ status, limit, after }: { status?: DeliveryStatus; limit: number; after?: OutboundPageKey }): Promise<OutboundPage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        ...(status
          ? { IndexName: 'byStatus', KeyConditionExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':status': status } }
          : { IndexName: 'recent', KeyConditionExpression: 'feed = :feed', ExpressionAttributeValues: { ':feed': '1' } }),
        ScanIndexForward: false,
        Limit: limit,
        ...(after && { ExclusiveStartKey: after }),
      }),
    );
    const next = out.LastEvaluatedKey as OutboundPageKey | undefined;
    return { records: ((out.Items ?? []) as OutboundItem[]).map(toRecord), ...(next && { next }) };
  }
}

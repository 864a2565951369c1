// Mailbox messages (voicemails and texts), keyed by the carrier's Sid so a retried callback stores
// nothing twice. Voicemail fields are written with if_not_exists, so the recording callback, the
// Record action and the transcription callback can arrive in any order and any number of times.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Message } from '../api-types';
import type { DynamoDb } from './dynamo-client';
import { isKeyableId } from './keys';
import { isConditionFailure } from './transactions';

export type MailboxKey = `user#${string}` | `group#${string}` | 'unrouted';

export const mailboxKey = (ref: { kind: 'user' | 'group'; id: string } | 'unrouted'): MailboxKey =>
  ref === 'unrouted' ? 'unrouted' : `${ref.kind}#${ref.id}`;

const MAILBOX_KEY = /^(unrouted|user#[\w-]{1,64}|group#[\w-]{1,64})$/;

/** A mailbox key that came back from outside (a URL we wrote, a spilled item): only a well-formed one. */
export const parseMailboxKey = (raw: string | undefined): MailboxKey | undefined => (raw && MAILBOX_KEY.test(raw) ? (raw as MailboxKey) : undefined);

export interface Voicemail {
  recordingSid: string;
  mailbox: MailboxKey;
  callSid: string;
  from?: string;
  to?: string;
  recordingUrl?: string;
  durationSeconds?: number;
  receivedAt: string;
}

export interface MessageStore {
  /** Returns false when this recording was already stored (a retry). */
  storeVoicemail(v: Voicemail): Promise<boolean>;
  /** Returns false when the recording already had a transcript (a retried callback). */
  attachTranscript(recordingSid: string, transcript: string): Promise<boolean>;
  /** Returns false when this MessageSid was already stored (a retry). */
  storeText(mailbox: MailboxKey, message: Omit<Message, 'kind'>): Promise<boolean>;
  list(mailbox: MailboxKey, limit?: number): Promise<Message[]>;
  /** One message by its Sid (RecordingSid or MessageSid), with its mailbox; undefined when there is none. */
  get(id: string): Promise<(Message & { mailbox: MailboxKey }) | undefined>;
  /** Marks a message read or unread; false when there is no such message. */
  setRead(id: string, read: boolean): Promise<boolean>;
  delete(id: string): Promise<void>;
}

export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  async storeVoicemail(v: Voicemail): Promise<boolean> {
    const fields: Record<string, unknown> = {
      kind: 'voicemail',
      mailbox: v.mailbox,
      callSid: v.callSid,
      from: v.from,
      to: v.to,
      recordingUrl: v.recordingUrl,
      durationSeconds: v.durationSeconds,
      receivedAt: v.receivedAt,
    };
    const present = Object.entries(fields).filter(([, value]) => value !== undefined);
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: v.recordingSid },
        UpdateExpression: `SET ${present.map(([k]) => `#${k} = if_not_exists(#${k}, :${k})`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(present.map(([k]) => [`#${k}`, k])),
        ExpressionAttributeValues: Object.fromEntries(present.map(([k, value]) => [`:${k}`, value])),
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    // UPDATED_OLD carries the attributes that existed before: none (or only a transcript) means first time.
    return !out.Attributes?.mailbox;
  }

  async attachTranscript(recordingSid: string, transcript: string): Promise<boolean> {
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: recordingSid },
        UpdateExpression: 'SET transcript = :t',
        ExpressionAttributeValues: { ':t': transcript },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return out.Attributes?.transcript === undefined;
  }

  async storeText(mailbox: MailboxKey, message: Omit<Message, 'kind'>): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...message, kind: 'sms', mailbox },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async list(mailbox: MailboxKey, limit = 100): Promise<Message[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byMailbox',
        KeyConditionExpression: 'mailbox = :m',
        ExpressionAttributeValues: { ':m': mailbox },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(({ mailbox: _m, ...m }) => m as Message);
  }

  async get(id: string): Promise<(Message & { mailbox: MailboxKey }) | undefined> {
    if (!isKeyableId(id)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    // A transcript that arrived for a recording never stored has no mailbox: not a message anyone can see.
    return out.Item?.mailbox ? (out.Item as Message & { mailbox: MailboxKey }) : undefined;
  }

  async setRead(id: string, read: boolean): Promise<boolean> {
    if (!isKeyableId(id)) return false;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: read ? 'SET #read = :t' : 'REMOVE #read',
          ConditionExpression: 'attribute_exists(mailbox)',
          ExpressionAttributeNames: { '#read': 'read' },
          ...(read ? { ExpressionAttributeValues: { ':t': true } } : {}),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    if (!isKeyableId(id)) return;
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { id } }));
  }
}

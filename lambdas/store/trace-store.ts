// Call and text traces: one item per step (one write per webhook request), kept 30 days.
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from './dynamo-client';
import { assertKeyableId } from './keys';
import { isConditionFailure } from './transactions';
import { readAllPages } from './reads';
import { NotFoundError } from '../errors';

export const TRACE_DAYS = 30;

export interface TraceHeader {
  sid: string;
  channel: 'call' | 'sms';
  from?: string;
  to?: string;
  flowId?: string;
  revision?: number;
}

export interface TraceStep {
  at: string;
  applet?: string;
  type: string;
  input?: Record<string, string>;
  twiml: string;
}

export interface Trace extends TraceHeader {
  steps: TraceStep[];
}

export interface TraceStore {
  /** The steps of one webhook request: one PutItem however many applets the request ran. */
  append(header: TraceHeader, steps: TraceStep[]): Promise<void>;
  /**
   * The steps of a request that happens once per Sid (an incoming text): written under `key` only if no
   * item has it yet. False when one had: the carrier replayed a request already handled.
   */
  appendOnce(header: TraceHeader, steps: TraceStep[], key: string): Promise<boolean>;
  get(sid: string): Promise<Trace>;
}

/**
 * When DynamoDB's TTL may delete a trace item: TRACE_DAYS after it was written, by the wall clock. Not after
 * the steps' `at`: in local mode that is the simulated clock, and a call simulated at a date more than
 * TRACE_DAYS ago would have its trace deleted as soon as it was written.
 */
const expiryOf = (writtenAt: string) => Math.floor(Date.parse(writtenAt) / 1000) + TRACE_DAYS * 86400;

export class DynamoTraceStore implements TraceStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  async append(header: TraceHeader, steps: TraceStep[]): Promise<void> {
    if (!steps.length) return;
    // The sort key orders the requests as they were written: the wall clock, not the steps' `at`, which
    // is the simulated clock in local mode (`--at`) and would then be the same for every request of a call.
    const written = new Date().toISOString();
    const expiresAt = expiryOf(written);
    // Each request's item carries the header fields, so no header item has to be kept in sync.
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...header, steps, step: `${written}#${randomBytes(3).toString('hex')}`, expiresAt },
      }),
    );
  }

  async appendOnce(header: TraceHeader, steps: TraceStep[], key: string): Promise<boolean> {
    const expiresAt = expiryOf(new Date().toISOString());
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          // The key sorts before the wall-clock keys of `append` ("2026-..."): a text's steps come first.
          Item: { ...header, steps, step: key, expiresAt },
          ConditionExpression: 'attribute_not_exists(sid)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async get(sid: string): Promise<Trace> {
    assertKeyableId('trace', sid);
    const items = await readAllPages<Record<string, unknown>>(this.doc, {
      query: { TableName: this.table, KeyConditionExpression: 'sid = :s', ExpressionAttributeValues: { ':s': sid } },
    });
    if (!items.length) throw new NotFoundError(`trace ${sid}`);
    // The header is the first step's, except that a redirect to another flow moves flowId/revision on: keep the latest.
    const last = items[items.length - 1] as unknown as TraceHeader;
    const first = items[0] as unknown as TraceHeader;
    return {
      sid,
      channel: first.channel,
      from: first.from,
      to: first.to,
      flowId: last.flowId,
      revision: last.revision,
      steps: items.flatMap((i) => i.steps as TraceStep[]),
    };
  }
}

// Small runtime state in one table: round-robin counters, sticky members, unrouted events, the report
// mark, opt-outs, who is on a call.
import type { Presence } from '../flows/engine';
import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDb } from './dynamo-client';
import { isConditionFailure } from './transactions';
import { batchGetAll, readAllPages } from './reads';

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

/**
 * How many of the latest CallSids a round-robin counter remembers (with the start each one got): a
 * replayed request or a client retry of one of them answers the same start instead of advancing again.
 * Past HIGH the oldest are forgotten down to LOW, in one extra request every HIGH - LOW calls.
 */
export const ROUND_ROBIN_REMEMBERS = { high: 50, low: 25 } as const;

export interface StateStore {
  /**
   * The member index this call starts at; advances the counter once per `callSid` (a replay of the same
   * CallSid, or the client retrying the update, gets the same start back). Without a CallSid every call advances.
   */
  nextRoundRobinStart(key: string, memberCount: number, callSid?: string): Promise<number>;
  /**
   * Gives back the advance `callSid` made, for a call that took a start and then could not dial (it got
   * the safe answer): the counter moves only for calls that ring someone. True when there was one to give
   * back; a second release of the same call, or one whose CallSid is no longer remembered, changes nothing.
   */
  releaseRoundRobinStart(key: string, callSid: string): Promise<boolean>;
  stickyMember(key: string): Promise<string | undefined>;
  rememberSticky(key: string, userId: string, now: Date): Promise<void>;
  /** Records that a call or text reached a number unrouted; a retry of the same Sid counts once. */
  recordUnrouted(event: UnroutedEvent): Promise<boolean>;
  unroutedSince(number: string, since: string | undefined): Promise<UnroutedEvent[]>;
  getValue<T>(pk: string): Promise<T | undefined>;
  putValue(pk: string, value: unknown): Promise<void>;
}

/** How an opt-out (or opt-in) became known: the sender's keyword, or the carrier refusing a send (21610). */
export type OptOutSource = 'keyword' | 'carrier_21610';

/**
 * Who opted out of texts from which of our numbers (DESIGN.md section 17): one small item per number and
 * recipient, `optout#<number>#<recipient>`, in the state table.
 */
export interface OptOutStore {
  /**
   * Records that `recipient` opted out of texts from `number` (`optedOut`), or back in, as of `at` (when
   * the keyword arrived): a change older than the one recorded is ignored, so a STOP routed late never
   * undoes a START that came after it.
   */
  setOptOut(number: string, recipient: string, optedOut: boolean, at: Date, source: OptOutSource): Promise<void>;
  /** Which of `recipients` are opted out of texts from `number` (one batch read). */
  optedOut(number: string, recipients: readonly string[]): Promise<Set<string>>;
}

const optOutKey = (number: string, recipient: string) => ({ pk: `optout#${number}#${recipient}`, sk: '-' });

/**
 * Who is on a call and since when their last call ended (DESIGN.md section 3: longest-idle; the queues),
 * from the status callbacks of the legs Switchboard rings: one item per user, `presence#<userId>`.
 */
export interface PresenceStore {
  /** A leg of the user's was answered: they are on a call until it ends. */
  legAnswered(userId: string, legSid: string, at: Date): Promise<void>;
  /**
   * A leg of the user's ended. `answered`: it was a conversation (CallStatus `completed`), so their idle
   * time starts now; a leg that was never answered (busy, no-answer, canceled) leaves it as it was.
   */
  legEnded(userId: string, legSid: string, answered: boolean, at: Date): Promise<void>;
  presence(userIds: readonly string[]): Promise<Map<string, Presence>>;
}

/**
 * A leg still marked answered after this long is forgotten: its `completed` callback was lost. Twilio ends
 * a dialled call after 4 hours unless told otherwise (<Dial timeLimit> defaults to 14,400 s).
 */
export const ON_CALL_LIMIT_MS = 4 * 3600_000;
const presenceKey = (userId: string) => ({ pk: `presence#${userId}`, sk: '-' });
/** The attribute of one answered leg: `leg_CA…` = when it was answered. */
const LEG_PREFIX = 'leg_';


/** Wrong override PINs of one user in the current window (DESIGN.md section 15): `until` the window ends. */
export interface PinFailures {
  count: number;
  until: Date;
}

/** Counts wrong PINs per user, so a text cannot guess one: `pinfail#<user id>`, gone with its window. */
export interface PinFailureStore {
  /** The failures of the window still open at `now`; undefined when there is none. */
  pinFailures(userId: string, now: Date): Promise<PinFailures | undefined>;
  /** Counts one more wrong PIN: in the open window, or in a new one of `windowMs` from `now`. */
  recordPinFailure(userId: string, now: Date, windowMs: number): Promise<PinFailures>;
}

const pinFailKey = (userId: string) => ({ pk: `pinfail#${userId}`, sk: '-' });

const epoch = (d: Date, days: number) => Math.floor(d.getTime() / 1000) + days * 86400;

export class DynamoStateStore implements StateStore, OptOutStore, PinFailureStore, PresenceStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  async nextRoundRobinStart(key: string, memberCount: number, callSid?: string): Promise<number> {
    const Key = { pk: `rr#${key}`, sk: '-' };
    const at = (start: number) => (memberCount > 0 ? start % memberCount : 0);
    if (!callSid) {
      const out = await this.doc.send(
        new UpdateCommand({ TableName: this.table, Key, UpdateExpression: 'ADD calls :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_NEW' }),
      );
      return at(Number(out.Attributes?.calls ?? 1) - 1);
    }
    // One conditional update: the start this call gets is the counter before it (`calls`), recorded under
    // its CallSid in the same write. A CallSid already there fails the condition, and the item returned
    // with the failure holds the start it got the first time: no second advance, no second request.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key,
            UpdateExpression: 'SET #recent.#sid = if_not_exists(calls, :zero), calls = if_not_exists(calls, :zero) + :one',
            ConditionExpression: 'attribute_exists(#recent) AND attribute_not_exists(#recent.#sid)',
            ExpressionAttributeNames: { '#recent': 'recent', '#sid': callSid },
            ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const recent = (out.Attributes?.recent ?? {}) as Record<string, number>;
        await this.forgetOldest(Key, recent);
        return at(Number(recent[callSid] ?? 0));
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // The item as it was, unmarshalled by the SDK's own util (the document client leaves an error's item
        // as DynamoDB sent it): { recent: { [sid]: start } }.
        const raw = (err as ConditionalCheckFailedException).Item;
        const old = raw && (unmarshall(raw) as { recent?: Record<string, number> });
        const seen = old?.recent?.[callSid];
        if (seen !== undefined) return at(Number(seen));
        if (old?.recent) continue; // forgotten between the two: the map is there, try again
        // A new counter (or one from before CallSids were remembered): give it its map, then advance.
        await this.doc
          .send(
            new UpdateCommand({
              TableName: this.table,
              Key,
              UpdateExpression: 'SET #recent = :empty',
              ConditionExpression: 'attribute_not_exists(#recent)',
              ExpressionAttributeNames: { '#recent': 'recent' },
              ExpressionAttributeValues: { ':empty': {} },
            }),
          )
          .catch((e) => {
            if (!isConditionFailure(e)) throw e; // a concurrent first call made it
          });
      }
    }
    throw new Error(`round-robin counter ${key} could not be advanced`);
  }

  async releaseRoundRobinStart(key: string, callSid: string): Promise<boolean> {
    // One conditional update: the CallSid leaves the map and the counter goes back by one, only while the
    // map still holds it (so a release is counted once, and never for an advance that did not happen).
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `rr#${key}`, sk: '-' },
          UpdateExpression: 'REMOVE #recent.#sid SET calls = calls - :one',
          ConditionExpression: 'attribute_exists(#recent.#sid) AND calls >= :one',
          ExpressionAttributeNames: { '#recent': 'recent', '#sid': callSid },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Keeps the counter item small: past the high mark, forgets the CallSids that got the lowest starts. */
  private async forgetOldest(Key: Record<string, string>, recent: Record<string, number>): Promise<void> {
    const sids = Object.keys(recent);
    if (sids.length <= ROUND_ROBIN_REMEMBERS.high) return;
    const oldest = sids.sort((a, b) => recent[a] - recent[b]).slice(0, sids.length - ROUND_ROBIN_REMEMBERS.low);
    const names = Object.fromEntries(oldest.map((sid, i) => [`#s${i}`, sid]));
    // Best effort: REMOVE of a key a concurrent trim removed already is a no-op, and a failed trim is
    // done by the next call past the mark.
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: `REMOVE ${Object.keys(names).map((n) => `#recent.${n}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(#recent)',
          ExpressionAttributeNames: { '#recent': 'recent', ...names },
        }),
      )
      .catch(() => undefined);
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

  async setOptOut(number: string, recipient: string, optedOut: boolean, at: Date, source: OptOutSource): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...optOutKey(number, recipient), optedOut, at: at.toISOString(), source },
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // a newer change is recorded: it stands
    }
  }

  async optedOut(number: string, recipients: readonly string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const items = await batchGetAll<{ pk: string; optedOut?: boolean }>(
      this.doc,
      this.table,
      recipients.map((r) => optOutKey(number, r)),
      { projection: 'pk, optedOut' },
    );
    const prefix = `optout#${number}#`;
    return new Set(items.filter((i) => i.optedOut === true).map((i) => i.pk.slice(prefix.length)));
  }

  async legAnswered(userId: string, legSid: string, at: Date): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: presenceKey(userId),
          UpdateExpression: 'SET #leg = :at',
          // A `completed` that overtook this `answered` has ended the leg already: it stays ended.
          ConditionExpression: 'attribute_not_exists(lastEndedSid) OR lastEndedSid <> :sid',
          ExpressionAttributeNames: { '#leg': `${LEG_PREFIX}${legSid}` },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':sid': legSid },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async legEnded(userId: string, legSid: string, answered: boolean, at: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: presenceKey(userId),
        UpdateExpression: answered ? 'REMOVE #leg SET lastCallEndedAt = :at, lastEndedSid = :sid' : 'REMOVE #leg SET lastEndedSid = :sid',
        ExpressionAttributeNames: { '#leg': `${LEG_PREFIX}${legSid}` },
        ExpressionAttributeValues: { ':sid': legSid, ...(answered && { ':at': at.toISOString() }) },
      }),
    );
  }

  async presence(userIds: readonly string[]): Promise<Map<string, Presence>> {
    if (userIds.length === 0) return new Map();
    const items = await batchGetAll<Record<string, unknown> & { pk: string }>(this.doc, this.table, userIds.map(presenceKey));
    const now = Date.now();
    return new Map(
      items.map((item) => {
        const legs = Object.entries(item).filter(([name, at]) => name.startsWith(LEG_PREFIX) && typeof at === 'string' && now - Date.parse(at) < ON_CALL_LIMIT_MS);
        const presence: Presence = { onCall: legs.length > 0, ...(typeof item.lastCallEndedAt === 'string' && { lastCallEndedAt: item.lastCallEndedAt }) };
        return [item.pk.slice('presence#'.length), presence];
      }),
    );
  }

  async pinFailures(userId: string, now: Date): Promise<PinFailures | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: pinFailKey(userId), ConsistentRead: true }));
    const item = out.Item as { failures?: number; windowEnds?: string } | undefined;
    // TTL removes an item hours after it expires, so the window's end is what counts.
    if (!item?.windowEnds || Date.parse(item.windowEnds) <= now.getTime()) return undefined;
    return { count: Number(item.failures ?? 0), until: new Date(item.windowEnds) };
  }

  async recordPinFailure(userId: string, now: Date, windowMs: number): Promise<PinFailures> {
    const ends = new Date(now.getTime() + windowMs);
    try {
      // One more in the open window (concurrent wrong PINs each count: ADD is atomic).
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: pinFailKey(userId),
          UpdateExpression: 'ADD failures :one',
          ConditionExpression: 'windowEnds > :now',
          ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { count: Number(out.Attributes?.failures), until: new Date(out.Attributes?.windowEnds as string) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // No window open: this failure starts one (two racing to start it count as one; the window still closes).
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        // The TTL by the wall clock, at the window's end at the earliest: `now` may be a simulated clock.
        Item: { ...pinFailKey(userId), failures: 1, windowEnds: ends.toISOString(), expiresAt: Math.ceil(Math.max(ends.getTime(), Date.now() + windowMs) / 1000) },
      }),
    );
    return { count: 1, until: ends };
  }

  async getValue<T>(pk: string): Promise<T | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk: '-' }, ConsistentRead: true }));
    return out.Item?.value as T | undefined;
  }

  async putValue(pk: string, value: unknown): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk, sk: '-', value } }));
  }
}

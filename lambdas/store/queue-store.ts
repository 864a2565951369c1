// The call queues' state (DESIGN.md section 3, `queue`): who waits in each queue and which members are
// being offered its head, in the state table, one partition per queue (`queue#<name>`):
//   w#<CallSid>      a caller: when they joined, who may take them, then `bridged` or `left`
//   o#<agent CallSid> an offer: the member, when it was placed, `ringing` → `answered` → `ended`
//   d#<userId>       when the member last let an offer of this queue ring out (or was busy)
// and the names of every queue ever joined in one item (`queues`), for the dashboard. Items change by
// UpdateItems of their own attributes and never go back (an `ended` offer is not answered again, a caller
// who left is not waiting again), so the carrier's callbacks may come in any order and be retried.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Offer, QueueTarget, WaitingCaller } from '../flows/queue';
import type { DynamoDb } from './dynamo-client';
import { readAllPages } from './reads';
import { cancellationReasons, isConditionFailure, transact } from './transactions';

/** A caller as the queue keeps them: also where their call stands in Switchboard. */
export interface QueuedCall extends WaitingCaller {
  flowId: string;
  revision: number;
  applet: string;
}

export interface QueueSnapshot {
  name: string;
  /** Callers still waiting, longest first. */
  waiting: QueuedCall[];
  /** Offers ringing or being connected, oldest first. */
  offers: Offer[];
  /** When each member last let an offer of this queue ring out (or was busy). */
  declined: Map<string, string>;
}

export interface QueueStore {
  /** Records the caller as waiting (a replay of the same CallSid changes nothing) and the queue's name. */
  join(queue: string, caller: QueuedCall, expiresAt: Date): Promise<void>;
  /** The caller is no longer waiting: taken by a member (`bridged`) or gone (`left`). */
  leave(queue: string, callSid: string, how: 'bridged' | 'left', at: Date): Promise<void>;
  /** An offer was placed (or, if its callbacks came first, is at least known). */
  offered(queue: string, offer: Omit<Offer, 'state'>): Promise<void>;
  /** The member picked the offer up: they are being connected (unless it already ended). */
  offerAnswered(queue: string, agentCallSid: string, userId: string, at: Date): Promise<void>;
  /** The offer's call ended; `declined`: it rang out or was busy, so the member is not offered again at once. */
  offerEnded(queue: string, agentCallSid: string, userId: string, declined: boolean, at: Date): Promise<void>;
  snapshot(queue: string): Promise<QueueSnapshot>;
  /** Every queue ever joined, by name. */
  names(): Promise<string[]>;
}

/** Offers, declines and finished callers are kept a day at most (TTL): enough for the dashboard and for late callbacks. */
const KEEP_SECONDS = 24 * 3600;
const REGISTRY = { pk: 'queues', sk: '-' };
const pk = (queue: string) => `queue#${queue}`;
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

type Item = Record<string, unknown> & { sk: string };

export class DynamoQueueStore implements QueueStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  async join(queue: string, caller: QueuedCall, expiresAt: Date): Promise<void> {
    try {
      // One request: the caller (once per CallSid) and the queue's name in the registry.
      await transact(this.doc, [
        {
          Put: {
            TableName: this.table,
            Item: { pk: pk(queue), sk: `w#${caller.callSid}`, ...caller, state: 'waiting', expiresAt: epoch(expiresAt) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.table,
            Key: REGISTRY,
            UpdateExpression: 'ADD #names :name',
            ExpressionAttributeNames: { '#names': 'names' },
            ExpressionAttributeValues: { ':name': new Set([queue]) },
          },
        },
      ]);
    } catch (err) {
      // The same call joining again (a replayed request): it waits since it first joined.
      if (!cancellationReasons(err)?.includes('ConditionalCheckFailed')) throw err;
    }
  }

  async leave(queue: string, callSid: string, how: 'bridged' | 'left', at: Date): Promise<void> {
    await this.update(queue, `w#${callSid}`, 'SET #state = :how, endedAt = :at, expiresAt = :ttl', { ':how': how, ':at': at.toISOString(), ':ttl': epoch(at) + KEEP_SECONDS, ':waiting': 'waiting' },
      // Only a waiting caller leaves (once): a late `left` never undoes `bridged`; an unknown one is not created.
      'attribute_exists(pk) AND #state = :waiting');
  }

  async offered(queue: string, offer: Omit<Offer, 'state'>): Promise<void> {
    // Its status callbacks may have come first (an agent who answers at once): they win.
    await this.update(queue, `o#${offer.agentCallSid}`,
      'SET userId = :user, #at = if_not_exists(#at, :at), #state = if_not_exists(#state, :ringing), expiresAt = :ttl',
      { ':user': offer.userId, ':at': offer.at, ':ringing': 'ringing', ':ttl': epoch(new Date(offer.at)) + KEEP_SECONDS });
  }

  async offerAnswered(queue: string, agentCallSid: string, userId: string, at: Date): Promise<void> {
    await this.update(queue, `o#${agentCallSid}`,
      'SET userId = :user, #at = if_not_exists(#at, :at), #state = :answered, expiresAt = :ttl',
      { ':user': userId, ':at': at.toISOString(), ':answered': 'answered', ':ttl': epoch(at) + KEEP_SECONDS, ':ended': 'ended' },
      'attribute_not_exists(#state) OR #state <> :ended');
  }

  async offerEnded(queue: string, agentCallSid: string, userId: string, declined: boolean, at: Date): Promise<void> {
    const ttl = epoch(at) + KEEP_SECONDS;
    await Promise.all([
      this.update(queue, `o#${agentCallSid}`, 'SET userId = :user, #at = if_not_exists(#at, :at), #state = :ended, expiresAt = :ttl',
        { ':user': userId, ':at': at.toISOString(), ':ended': 'ended', ':ttl': ttl }),
      declined ? this.update(queue, `d#${userId}`, 'SET #at = :at, expiresAt = :ttl', { ':at': at.toISOString(), ':ttl': ttl }) : undefined,
    ]);
  }

  async snapshot(queue: string): Promise<QueueSnapshot> {
    const items = await readAllPages<Item>(this.doc, {
      query: { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk(queue) }, ConsistentRead: true },
    });
    const waiting: QueuedCall[] = [];
    const offers: Offer[] = [];
    const declined = new Map<string, string>();
    for (const item of items) {
      if (item.sk.startsWith('w#') && item.state === 'waiting') {
        waiting.push({
          callSid: String(item.callSid), since: String(item.since), from: String(item.from ?? ''), to: String(item.to ?? ''),
          targets: (item.targets ?? []) as QueueTarget[], flowId: String(item.flowId), revision: Number(item.revision), applet: String(item.applet),
        });
      } else if (item.sk.startsWith('o#') && (item.state === 'ringing' || item.state === 'answered')) {
        offers.push({ agentCallSid: item.sk.slice(2), userId: String(item.userId), at: String(item.at), state: item.state });
      } else if (item.sk.startsWith('d#')) {
        declined.set(item.sk.slice(2), String(item.at));
      }
    }
    waiting.sort((a, b) => a.since.localeCompare(b.since));
    offers.sort((a, b) => a.at.localeCompare(b.at));
    return { name: queue, waiting, offers, declined };
  }

  async names(): Promise<string[]> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: REGISTRY, ConsistentRead: true }));
    const names = out.Item?.names as Set<string> | undefined;
    return names ? [...names].sort() : [];
  }

  private async update(queue: string, sk: string, expression: string, values: Record<string, unknown>, condition?: string): Promise<void> {
    // `state` and `at` are DynamoDB reserved words: named, and only where used (DynamoDB refuses unused names).
    const text = `${expression} ${condition ?? ''}`;
    const names = Object.fromEntries([['#state', 'state'], ['#at', 'at']].filter(([alias]) => text.includes(alias)));
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: pk(queue), sk },
          UpdateExpression: expression,
          ...(condition && { ConditionExpression: condition }),
          ...(Object.keys(names).length && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      // A transition that no longer applies (the offer ended, the caller already left): nothing to do.
      if (!isConditionFailure(err)) throw err;
    }
  }
}

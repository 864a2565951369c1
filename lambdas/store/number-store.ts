// Numbers carry a single flowId, so "one flow per number" holds by construction. Every change of a
// number's flow and of the flows' numberCount happens in one transaction, conditioned on what was read,
// so counts stay exact and no number points at a missing flow, whatever runs concurrently.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from './dynamo-client';
import { NotFoundError } from '../errors';
import { assertKeyableId } from './keys';
import { cancellationReasons, isConditionFailure, Retry, transact, withRetries, type TransactItem } from './transactions';
import { readAllPages } from './reads';

export interface NumberRecord {
  number: string;
  name: string;
  flowId?: string;
  /** When the number's flow assignment last changed (the report's "since" for no_flow). */
  since: string;
  /** Who made that change (DESIGN.md section 16), when it was made through the admin API by someone known. */
  assignedBy?: string;
  createdAt: string;
}

/** Where a page of numbers ends: the LastEvaluatedKey to go on from (`number`, and the index's partition key). */
export type NumberPageKey = { number: string; noFlow: '1' } | { number: string; listed: '1' };

export interface NumberPage {
  records: NumberRecord[];
  /** How many numbers the request looked at (before the search filter). */
  examined: number;
  /** Absent on the last page. */
  next?: NumberPageKey;
}

export interface NumberPageOptions {
  limit: number;
  after?: NumberPageKey;
  withoutFlow?: boolean;
  /** Only numbers whose search text (lower-case name, then the number's digits) contains this. */
  search?: string;
  descending?: boolean;
}

/** What `search` is matched against: the name in lower case and the number's digits, so "Front", "0100003" and "(555) 010" find it. */
export const searchText = (number: string, name: string) => `${name.toLowerCase()} ${number.replace(/\D/g, '')}`;

export interface NumberStore {
  find(number: string): Promise<NumberRecord | undefined>;
  get(number: string): Promise<NumberRecord>;
  /**
   * Looks at most `limit` numbers after `after`, in one request, in number order: every number (the listed
   * index), or with `withoutFlow` only those without a flow (the sparse noFlow index); `search` filters them.
   */
  page(options: NumberPageOptions): Promise<NumberPage>;
  /** Lists numbers written before the listed index existed; returns how many (a Scan: an upgrade's one-off). */
  backfillListing(): Promise<number>;
  listByFlow(flowId: string): Promise<NumberRecord[]>;
  listWithoutFlow(): Promise<NumberRecord[]>;
  /** Registers a number (with its flow, in the same transaction) or renames it; returns whether it was new. */
  register(number: string, name: string | undefined, flowId: string | undefined, now: Date, by?: string): Promise<{ created: boolean; record: NumberRecord }>;
  /** Registers the number without a flow unless it is known (a known one is left as it is); when it was registered. */
  registerIfAbsent(number: string, name: string, now: Date): Promise<{ created: boolean; createdAt: string }>;
  /** `by`: who assigns it, recorded as `assignedBy` (absent: nobody known, and any earlier name is cleared). */
  assign(number: string, flowId: string, now: Date, by?: string): Promise<NumberRecord>;
  /** Leaves the number without a flow; with `onlyFrom`, only while it still serves that flow. */
  unassign(number: string, now: Date, onlyFrom?: string, by?: string): Promise<NumberRecord>;
  delete(number: string): Promise<void>;
}

type NumberItem = NumberRecord & { noFlow?: '1'; updatedAt: string; listed?: '1'; search?: string };
const toRecord = ({ number, name, flowId, since, assignedBy, createdAt }: NumberItem): NumberRecord => ({ number, name, flowId, since, ...(assignedBy && { assignedBy }), createdAt });

export class DynamoNumberStore implements NumberStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
    private readonly flowsTable: string,
  ) {}

  async find(number: string): Promise<NumberRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { number }, ConsistentRead: true }));
    return out.Item ? toRecord(out.Item as NumberItem) : undefined;
  }

  async get(number: string): Promise<NumberRecord> {
    const found = await this.find(number);
    if (!found) throw new NotFoundError(`number ${number}`);
    return found;
  }

  async page({ limit, after, withoutFlow, search, descending }: NumberPageOptions): Promise<NumberPage> {
    const index = withoutFlow ? 'noFlow' : 'listed';
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: `${index} = :one`,
        ...(search ? { FilterExpression: 'contains(#search, :q)', ExpressionAttributeNames: { '#search': 'search' } } : {}),
        ExpressionAttributeValues: { ':one': '1', ...(search ? { ':q': search } : {}) },
        ScanIndexForward: !descending,
        Limit: limit,
        ExclusiveStartKey: after,
      }),
    );
    const next = out.LastEvaluatedKey as NumberPageKey | undefined;
    return { records: ((out.Items ?? []) as NumberItem[]).map(toRecord), examined: out.ScannedCount ?? out.Items?.length ?? 0, ...(next ? { next } : {}) };
  }

  async backfillListing(): Promise<number> {
    const unlisted = await readAllPages<{ number: string; name: string }>(this.doc, {
      scan: { TableName: this.table, FilterExpression: 'attribute_not_exists(listed)', ProjectionExpression: '#n, #name', ExpressionAttributeNames: { '#n': 'number', '#name': 'name' } },
    });
    for (const { number, name } of unlisted) {
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { number },
            UpdateExpression: 'SET listed = :l, #search = :s',
            ConditionExpression: 'attribute_exists(#n)',
            ExpressionAttributeNames: { '#n': 'number', '#search': 'search' },
            ExpressionAttributeValues: { ':l': '1', ':s': searchText(number, name) },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // deleted meanwhile
      }
    }
    return unlisted.length;
  }

  listByFlow(flowId: string): Promise<NumberRecord[]> {
    return this.readAll({
      query: { TableName: this.table, IndexName: 'byFlow', KeyConditionExpression: 'flowId = :f', ExpressionAttributeValues: { ':f': flowId } },
    });
  }

  listWithoutFlow(): Promise<NumberRecord[]> {
    return this.readAll({
      query: { TableName: this.table, IndexName: 'noFlow', KeyConditionExpression: 'noFlow = :one', ExpressionAttributeValues: { ':one': '1' } },
    });
  }

  private async readAll(input: Parameters<typeof readAllPages>[1]): Promise<NumberRecord[]> {
    const items = await readAllPages<NumberItem>(this.doc, input);
    return items.map(toRecord).sort((a, b) => a.number.localeCompare(b.number));
  }

  async register(number: string, name: string | undefined, flowId: string | undefined, now: Date, by?: string) {
    if (flowId !== undefined) assertKeyableId('flow', flowId);
    return withRetries(`registering ${number}`, async () => {
      let old = await this.find(number);
      const at = now.toISOString();
      if (!old) {
        const item: NumberItem = { number, name: name ?? number, since: at, createdAt: at, updatedAt: at, listed: '1', search: searchText(number, name ?? number), ...(flowId ? { flowId } : { noFlow: '1' }), ...(by && flowId && { assignedBy: by }) };
        try {
          await transact(this.doc, [
            { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(#n)', ExpressionAttributeNames: { '#n': 'number' } } },
            ...(flowId ? [this.count(flowId, +1)] : []),
          ]);
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (flowId && reasons?.[1] === 'ConditionalCheckFailed') throw new NotFoundError(`flow ${flowId}`);
          if (reasons?.[0] === 'ConditionalCheckFailed') throw new Retry();
          throw err;
        }
        return { created: true, record: toRecord(item) };
      }
      // The flow first: if it does not exist, the 404 leaves the name unchanged too.
      if (flowId !== undefined && flowId !== old.flowId) old = await this.moveFlow(number, flowId, now, undefined, by);
      if (name === undefined || name === old.name) return { created: false, record: old };
      await this.update(number, old.flowId, 'SET #name = :name, updatedAt = :at, listed = :l, #search = :s', { ':name': name, ':at': at, ':l': '1', ':s': searchText(number, name) }, { '#name': 'name', '#search': 'search' });
      return { created: false, record: { ...old, name } };
    });
  }

  /**
   * Registers the number without a flow unless it is already known (then nothing changes, its name
   * included): one conditional PutItem, what a sync of 10,000 numbers does for each. Says when the number
   * was registered either way (the item the condition found comes back with the failure: no second read).
   */
  async registerIfAbsent(number: string, name: string, now: Date): Promise<{ created: boolean; createdAt: string }> {
    const at = now.toISOString();
    // Listed and searchable like any number registered (the dashboard's Numbers table reads the listed index).
    const item: NumberItem = { number, name, since: at, createdAt: at, updatedAt: at, noFlow: '1', listed: '1', search: searchText(number, name) };
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(#n)', ExpressionAttributeNames: { '#n': 'number' }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { created: true, createdAt: at };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const old = (err as { Item?: Record<string, { S?: string }> }).Item;
      return { created: false, createdAt: old?.createdAt?.S ?? '' };
    }
  }

  assign(number: string, flowId: string, now: Date, by?: string): Promise<NumberRecord> {
    assertKeyableId('flow', flowId);
    return this.moveFlow(number, flowId, now, undefined, by);
  }

  unassign(number: string, now: Date, onlyFrom?: string, by?: string): Promise<NumberRecord> {
    return this.moveFlow(number, undefined, now, onlyFrom, by);
  }

  async delete(number: string): Promise<void> {
    await withRetries(`deleting ${number}`, async () => {
      const old = await this.get(number);
      await this.run([
        { Delete: { TableName: this.table, Key: { number }, ...this.unchanged(old.flowId) } },
        ...(old.flowId ? [this.count(old.flowId, -1)] : []),
      ]);
    });
  }

  /** Points a number at `flowId` (or at nothing), moving one unit of numberCount from the old flow to the new. */
  private async moveFlow(number: string, flowId: string | undefined, now: Date, onlyFrom?: string, by?: string): Promise<NumberRecord> {
    return withRetries(`assigning ${number}`, async () => {
      const old = await this.get(number);
      if (old.flowId === flowId || (onlyFrom !== undefined && old.flowId !== onlyFrom)) return old;
      const at = now.toISOString();
      // Who made this change, or nobody: a name left from an earlier change would credit them with this one.
      const who = by ? { set: ', assignedBy = :by', values: { ':by': by } } : { set: '', values: {} };
      // Listed again on the way (a number from before the listed index: see backfillListing).
      const listing = { ':l': '1', ':s': searchText(number, old.name) };
      const update = flowId
        ? { UpdateExpression: `SET flowId = :new, since = :at, updatedAt = :at, listed = :l, #search = :s${who.set} REMOVE noFlow${by ? '' : ', assignedBy'}`, values: { ':new': flowId, ':at': at, ...listing, ...who.values } }
        : { UpdateExpression: `SET noFlow = :one, since = :at, updatedAt = :at, listed = :l, #search = :s${who.set} REMOVE flowId${by ? '' : ', assignedBy'}`, values: { ':one': '1', ':at': at, ...listing, ...who.values } };
      const items: TransactItem[] = [
        this.numberUpdate(number, old.flowId, update.UpdateExpression, update.values, { '#search': 'search' }),
        ...(flowId ? [this.count(flowId, +1)] : []),
        ...(old.flowId ? [this.count(old.flowId, -1)] : []),
      ];
      try {
        await transact(this.doc, items);
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (flowId && reasons?.[1] === 'ConditionalCheckFailed') throw new NotFoundError(`flow ${flowId}`);
        if (reasons?.[0] === 'ConditionalCheckFailed') throw new Retry();
        throw err;
      }
      const { assignedBy: _before, ...rest } = old;
      return { ...rest, flowId, since: at, ...(by && { assignedBy: by }) };
    });
  }

  private async update(number: string, flowId: string | undefined, expression: string, values: Record<string, unknown>, names?: Record<string, string>) {
    await this.run([this.numberUpdate(number, flowId, expression, values, names)]);
  }

  private async run(items: TransactItem[]): Promise<void> {
    try {
      await transact(this.doc, items);
    } catch (err) {
      if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') throw new Retry();
      throw err;
    }
  }

  /** The number item, only if its flow is still the one we read (optimistic concurrency). */
  private unchanged(flowId: string | undefined) {
    return flowId
      ? { ConditionExpression: 'flowId = :old', ExpressionAttributeValues: { ':old': flowId } as Record<string, unknown> }
      : { ConditionExpression: 'attribute_exists(#n) AND attribute_not_exists(flowId)', ExpressionAttributeNames: { '#n': 'number' } as Record<string, string> };
  }

  private numberUpdate(number: string, oldFlow: string | undefined, expression: string, values: Record<string, unknown>, names?: Record<string, string>): TransactItem {
    const cond = this.unchanged(oldFlow);
    return {
      Update: {
        TableName: this.table,
        Key: { number },
        UpdateExpression: expression,
        ConditionExpression: cond.ConditionExpression,
        ExpressionAttributeValues: { ...values, ...cond.ExpressionAttributeValues },
        ...(names || cond.ExpressionAttributeNames ? { ExpressionAttributeNames: { ...names, ...cond.ExpressionAttributeNames } } : {}),
      },
    };
  }

  /** numberCount +-1 on a flow head that must exist. */
  private count(flowId: string, delta: number): TransactItem {
    return {
      Update: {
        TableName: this.flowsTable,
        Key: { id: flowId, rev: 0 },
        UpdateExpression: 'ADD numberCount :d',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':d': delta },
      },
    };
  }
}

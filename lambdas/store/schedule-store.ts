// Shared schedules (DESIGN.md section 15). A schedule is an item of the directory table (`sch_…`, kind
// `schedule`) beside the users and groups, with the same `flowRefs` set the publishing transaction keeps
// (flow-store.ts), so "a schedule in use cannot be deleted" is one conditional delete, as for them. Its
// override lives apart, in the state table (`override#<schedule id>`): it is runtime state that changes
// without a new version of the schedule (a text may set it while someone edits the hours), and the
// webhooks that set it by text then need no write on the directory, where the PINs are. A webhook reads
// both in one BatchGetItem across the two tables.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, PreconditionFailedError, ConflictError } from '../errors';
import type { Schedule, ScheduleInput, ScheduleOverride } from '../flows/schedule';
import type { DynamoDb } from './dynamo-client';
import { newId } from './directory-store';
import { assertKeyableId, isKeyableId } from './keys';
import { learnZoneOffsets, zoneOffsetsAround, type ZoneOffsets } from '../flows/zone-offsets';
import { batchGetAll, batchGetTables, readAllPages } from './reads';
import { isConditionFailure, Retry, withRetries } from './transactions';

/** A schedule as stored: its override as last set (maybe expired: the evaluator and the API look at `until`). */
export interface StoredSchedule extends Schedule {
  version: number;
  /** The flows whose current revision names it: it cannot be deleted while there are any. */
  flows: string[];
  createdAt: string;
  updatedAt: string;
}

interface ScheduleItem extends ScheduleInput {
  id: string;
  kind: 'schedule';
  version: number;
  /**
   * Its time zone's UTC offsets around the last save, as JSON (flows/zone-offsets.ts): a webhook that reads
   * the schedule learns them and tells local time without Intl, as for a flow's own hours. Absent on
   * schedules saved before them (and for a zone Intl does not know): hours.ts asks Intl.
   */
  zones?: string;
  flowRefs?: Set<string>;
  createdAt: string;
  updatedAt: string;
}

/** The override record: the last change, kept (with `cleared`) so the dashboard can say who cleared it. */
interface OverrideItem extends Partial<ScheduleOverride> {
  pk: string;
  sk: '-';
  cleared?: boolean;
  setAt: string;
  setBy: string;
  expiresAt?: number;
}

/** Sees the schedule before an edit and may refuse it by throwing (admin/people.ts re-checks the flows). */
export type ScheduleGuard = (before: StoredSchedule) => Promise<void>;

export interface ScheduleStore {
  list(): Promise<StoredSchedule[]>;
  get(id: string): Promise<StoredSchedule>;
  create(input: ScheduleInput, now: Date): Promise<StoredSchedule>;
  /** 412 when `expectedVersion` is given and stale; `guard` sees the schedule first. */
  update(id: string, input: ScheduleInput, now: Date, expectedVersion?: number, guard?: ScheduleGuard): Promise<StoredSchedule>;
  /** 409 naming the flows while any flow uses it; 412 when `expectedVersion` is stale. */
  delete(id: string, now: Date, expectedVersion?: number): Promise<void>;
  /** Sets (or, with undefined, clears) the override; no version of the schedule or of any flow changes. */
  setOverride(id: string, override: Pick<ScheduleOverride, 'state' | 'until'> | undefined, now: Date, setBy: string): Promise<void>;
  /**
   * The schedules of `ids` with their overrides, in one BatchGetItem across the directory and state
   * tables: what a webhook reads for a flow whose hours name schedules. Unknown ids are left out.
   */
  schedulesFor(ids: readonly string[]): Promise<Schedule[]>;
}

/** Kept after an expiry or a clear long enough for the dashboard to say what happened, then removed by TTL. */
const OVERRIDE_RECORD_DAYS = 30;
const overrideKey = (id: string) => ({ pk: `override#${id}`, sk: '-' as const });
const SCHEDULE_FIELDS = ['name', 'timezone', 'weekly', 'rules'] as const satisfies ReadonlyArray<keyof ScheduleInput>;
/** What a webhook needs of a schedule: never the reference set. */
const SCHEDULE_PROJECTION = {
  projection: '#id, #kind, #name, #timezone, #weekly, #rules, #zones',
  names: { '#id': 'id', '#kind': 'kind', '#name': 'name', '#timezone': 'timezone', '#weekly': 'weekly', '#rules': 'rules', '#zones': 'zones' },
};

/** The zone table stored with a schedule saved at `now`. */
function zonesOf(timezone: string, now: Date): string | undefined {
  const table = zoneOffsetsAround(timezone, now);
  // A list, as a flow's (flow-store.ts): one reader for both.
  return table && JSON.stringify([table]);
}

const toOverride = (item: OverrideItem | undefined): ScheduleOverride | undefined =>
  item && !item.cleared && item.state ? { state: item.state, ...(item.until && { until: item.until }), setAt: item.setAt, setBy: item.setBy } : undefined;

function toStored(item: ScheduleItem, override: OverrideItem | undefined): StoredSchedule {
  const current = toOverride(override);
  return {
    id: item.id,
    name: item.name,
    timezone: item.timezone,
    weekly: item.weekly,
    rules: item.rules ?? [],
    ...(current && { override: current }),
    version: item.version,
    flows: [...(item.flowRefs ?? [])].sort(),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

export class DynamoScheduleStore implements ScheduleStore {
  constructor(
    private readonly doc: DynamoDb,
    /** The directory table, where schedules live beside users and groups. */
    private readonly table: string,
    /** The state table, where overrides live. */
    private readonly stateTable: string,
  ) {}

  async list(): Promise<StoredSchedule[]> {
    const items = await readAllPages<ScheduleItem>(this.doc, {
      query: { TableName: this.table, IndexName: 'byKind', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': 'schedule' } },
    });
    const overrides = items.length ? await batchGetAll<OverrideItem>(this.doc, this.stateTable, items.map((i) => overrideKey(i.id))) : [];
    const byPk = new Map(overrides.map((o) => [o.pk, o]));
    return items.map((i) => toStored(i, byPk.get(overrideKey(i.id).pk))).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private async item(id: string): Promise<ScheduleItem> {
    assertKeyableId('schedule', id);
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    if (!out.Item || out.Item.kind !== 'schedule') throw new NotFoundError(`schedule ${id}`);
    return out.Item as ScheduleItem;
  }

  private async override(id: string): Promise<OverrideItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.stateTable, Key: overrideKey(id), ConsistentRead: true }));
    return out.Item as OverrideItem | undefined;
  }

  async get(id: string): Promise<StoredSchedule> {
    const [item, override] = await Promise.all([this.item(id), isKeyableId(id) ? this.override(id) : undefined]);
    return toStored(item, override);
  }

  async create(input: ScheduleInput, now: Date): Promise<StoredSchedule> {
    const at = now.toISOString();
    const zones = zonesOf(input.timezone, now);
    const item: ScheduleItem = { ...pick(input), id: newId('sch'), kind: 'schedule', version: 1, ...(zones && { zones }), createdAt: at, updatedAt: at };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
    return toStored(item, undefined);
  }

  async update(id: string, input: ScheduleInput, now: Date, expectedVersion?: number, guard?: ScheduleGuard): Promise<StoredSchedule> {
    // Retried: the item may be inside a publish's transaction (its flowRefs) right now.
    return withRetries('updating the schedule', async () => {
      const before = await this.get(id);
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw new PreconditionFailedError(expectedVersion, before.version, 'version');
      await guard?.(before);
      const fields = pick(input);
      const names: Record<string, string> = Object.fromEntries(SCHEDULE_FIELDS.map((f) => [`#${f}`, f]));
      const values: Record<string, unknown> = Object.fromEntries(SCHEDULE_FIELDS.map((f) => [`:${f}`, fields[f]]));
      // The zone table follows the time zone (and is renewed by every save); none for a zone Intl does not know.
      const zones = zonesOf(input.timezone, now);
      names['#zones'] = 'zones';
      if (zones) values[':zones'] = zones;
      const setZones = zones ? ', #zones = :zones' : '';
      const removeZones = zones ? '' : ' REMOVE #zones';
      try {
        // Only the editable fields: flowRefs belongs to the publishing transactions and is never written back.
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { id },
            UpdateExpression: `SET ${SCHEDULE_FIELDS.map((f) => `#${f} = :${f}`).join(', ')}${setZones}, updatedAt = :at ADD version :one${removeZones}`,
            ConditionExpression: 'kind = :kind AND version = :v',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':at': now.toISOString(), ':one': 1, ':kind': 'schedule', ':v': before.version },
            ReturnValues: 'ALL_NEW',
          }),
        );
        // The override is not the schedule's: it stands as it was read.
        return { ...toStored(out.Attributes as ScheduleItem, undefined), ...(before.override && { override: before.override }) };
      } catch (err) {
        // Edited or deleted since it was read: read (and guard) again; a deleted schedule is then a 404.
        if (isConditionFailure(err)) throw new Retry();
        throw err;
      }
    });
  }

  async delete(id: string, now: Date, expectedVersion?: number): Promise<void> {
    await withRetries('deleting the schedule', async () => {
      const before = await this.item(id);
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw new PreconditionFailedError(expectedVersion, before.version, 'version');
      if (before.flowRefs?.size) throw inUse(id, before.flowRefs);
      try {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { id },
            ConditionExpression: 'version = :v AND attribute_not_exists(flowRefs)',
            ExpressionAttributeValues: { ':v': before.version },
          }),
        );
      } catch (err) {
        if (isConditionFailure(err)) throw new Retry(); // a flow published, or an edit, meanwhile: say why on the next read
        throw err;
      }
    });
    // Its override goes too (an override without a schedule is never read; the record expires).
    await this.putOverride(id, undefined, now, 'deleted');
  }

  async setOverride(id: string, override: Pick<ScheduleOverride, 'state' | 'until'> | undefined, now: Date, setBy: string): Promise<void> {
    assertKeyableId('schedule', id);
    await this.putOverride(id, override, now, setBy);
  }

  private async putOverride(id: string, override: Pick<ScheduleOverride, 'state' | 'until'> | undefined, now: Date, setBy: string): Promise<void> {
    const setAt = now.toISOString();
    // A timed override's record outlives `until` by a month; a cleared one a month from now; one until
    // cleared stays as long as it lasts.
    const ends = override ? (override.until ? Date.parse(override.until) : undefined) : now.getTime();
    const item: OverrideItem = {
      ...overrideKey(id),
      ...(override ? { state: override.state, ...(override.until && { until: override.until }) } : { cleared: true }),
      setAt,
      setBy,
      // By the wall clock at the earliest (`now` may be a simulated one): a record never expires before it is read.
      ...(ends !== undefined && { expiresAt: Math.floor(Math.max(ends, Date.now()) / 1000) + OVERRIDE_RECORD_DAYS * 86_400 }),
    };
    await this.doc.send(new PutCommand({ TableName: this.stateTable, Item: item }));
  }

  async schedulesFor(ids: readonly string[]): Promise<Schedule[]> {
    const keyable = [...new Set(ids)].filter(isKeyableId);
    if (!keyable.length) return [];
    const found = await batchGetTables(this.doc, {
      [this.table]: { keys: keyable.map((id) => ({ id })), ...SCHEDULE_PROJECTION },
      [this.stateTable]: { keys: keyable.map(overrideKey) },
    });
    const overrides = new Map((found[this.stateTable] as unknown as OverrideItem[]).map((o) => [o.pk, o]));
    return (found[this.table] as unknown as ScheduleItem[])
      .filter((i) => i.kind === 'schedule')
      .map((i) => {
        if (i.zones) for (const table of JSON.parse(i.zones) as ZoneOffsets[]) learnZoneOffsets(table);
        const override = toOverride(overrides.get(overrideKey(i.id).pk));
        return { id: i.id, name: i.name, timezone: i.timezone, weekly: i.weekly, rules: i.rules ?? [], ...(override && { override }) };
      });
  }
}

const pick = (input: ScheduleInput): ScheduleInput => ({ name: input.name, timezone: input.timezone, weekly: input.weekly, rules: input.rules });

function inUse(id: string, flows: Set<string>): ConflictError {
  const ids = [...flows].sort();
  return new ConflictError(`schedule ${id} is used by flows ${ids.join(', ')}; change their hours first`, ids.map((flow) => ({ flow })));
}

// Users and groups. Each user and group item keeps the ids of the flows (flowRefs) and groups
// (groupRefs) that use it, maintained in the same transactions that publish flows and save groups, so
// "delete something still in use" is refused by one conditional delete, even under concurrency.
// Those transactions do not bump `version`, so an edit must never write the sets back: edits are
// UpdateItems of the editable fields only (a Put of a copy read earlier would erase a reference added
// meanwhile, and the user could then be deleted while a flow still rings them).
import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from './dynamo-client';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Group, GroupInput, User, UserInput } from '../flows/people';
import { assertKeyableId, isKeyableId } from './keys';
import { batchGetAll, readAllPages } from './reads';
import { cancellationReasons, isConditionFailure, Retry, transact, withRetries, type TransactItem } from './transactions';

export const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

interface Stored {
  id: string;
  kind: 'user' | 'group' | 'schedule';
  version: number;
  flowRefs?: Set<string>;
  groupRefs?: Set<string>;
}
type UserItem = Stored & UserInput & {
  /** The override PIN's salted hash (pins.ts); never leaves the store but to be verified. */
  pin?: string;
};
type GroupItem = Stored & GroupInput;

/**
 * What a PUT replaces; everything else on the item (kind, version, reference sets) is the store's. Listed
 * as records so the compiler insists on every input field: one it did not list would never be saved.
 */
const USER_FIELDS = Object.keys({ name: 1, phone: 1, client: 1, email: 1, available: 1, role: 1 } satisfies Record<keyof UserInput, 1>);
const GROUP_FIELDS = Object.keys({ name: 1, members: 1 } satisfies Record<keyof GroupInput, 1>);

export interface DirectoryStore {
  listUsers(): Promise<User[]>;
  getUser(id: string): Promise<User>;
  createUser(input: UserInput): Promise<User>;
  /**
   * With `guard`: the user is read (consistently), `guard` sees it before the change and may refuse it by
   * throwing, and the write is conditioned on the version it saw; a concurrent edit makes it read, guard
   * and write again.
   */
  updateUser(id: string, input: UserInput, guard?: EditGuard<User>): Promise<User>;
  deleteUser(id: string): Promise<void>;
  /** Stores a user's override PIN as its hash (undefined: removes it); 404 for an unknown user. */
  setPinHash(id: string, hash: string | undefined): Promise<void>;
  /**
   * The users whose registered phone is `phone` (several may share one), with what a text that closes or
   * opens a schedule needs: role and PIN hash (the `byPhone` index, never a scan).
   */
  usersByPhone(phone: string): Promise<PhoneUser[]>;
  listGroups(): Promise<Group[]>;
  /**
   * The users and groups `needs` names, and every member of those groups: what one dial or notification
   * rings. Read by key (BatchGetItem: the named ones, then the groups' members), never by a Scan, so the
   * cost follows the people a flow rings, not the size of the directory. Ids that are not there are left out.
   */
  peopleFor(needs: { users: readonly string[]; groups: readonly string[] }): Promise<{ users: User[]; groups: Group[] }>;
  getGroup(id: string): Promise<Group>;
  createGroup(input: GroupInput): Promise<Group>;
  /** `guard` as for updateUser (a group save is always conditioned on the version it read). */
  updateGroup(id: string, input: GroupInput, guard?: EditGuard<Group>): Promise<Group>;
  deleteGroup(id: string): Promise<void>;
}

const PEOPLE_PROJECTION = ['#id', '#kind', ...[...USER_FIELDS, ...GROUP_FIELDS].map((f) => `#${f}`)].filter((f, i, all) => all.indexOf(f) === i).join(', ');
/**
 * Sees the item as it is before an edit; throws to refuse the edit (nothing is written). Returns true when
 * what it checked depends on that state, so the write must find the item unchanged (else: read and guard again).
 */
export type EditGuard<T> = (before: T) => Promise<boolean>;

/** A user found by phone, with the PIN hash to check a command against. */
export interface PhoneUser {
  id: string;
  name: string;
  role?: User['role'];
  pinHash?: string;
}

const toUser = ({ id, name, phone, client, email, available, role, pin }: UserItem): User => ({
  id, name, phone, client, email, available, ...(role && { role }), ...(pin !== undefined && { hasPin: true }),
});
const toGroup = ({ id, name, members }: GroupItem): Group => ({ id, name, members });

export class DynamoDirectoryStore implements DirectoryStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  private list<T>(kind: 'user' | 'group'): Promise<T[]> {
    return readAllPages<T>(this.doc, {
      query: { TableName: this.table, IndexName: 'byKind', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': kind } },
    });
  }

  private async item<T extends Stored>(id: string, kind: 'user' | 'group'): Promise<T> {
    assertKeyableId(kind, id);
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    if (!out.Item || out.Item.kind !== kind) throw new NotFoundError(`${kind} ${id}`);
    return out.Item as T;
  }

  listUsers = async () => (await this.list<UserItem>('user')).map(toUser);

  async peopleFor(needs: { users: readonly string[]; groups: readonly string[] }): Promise<{ users: User[]; groups: Group[] }> {
    const named = await this.byIds([...needs.users, ...needs.groups]);
    const groups = named.filter((i): i is GroupItem => i.kind === 'group' && needs.groups.includes(i.id));
    const users = named.filter((i): i is UserItem => i.kind === 'user' && needs.users.includes(i.id));
    const have = new Set(users.map((u) => u.id));
    const members = [...new Set(groups.flatMap((g) => g.members ?? []))].filter((id) => !have.has(id));
    const more = members.length ? await this.byIds(members) : [];
    users.push(...more.filter((i): i is UserItem => i.kind === 'user'));
    return { users: users.map(toUser), groups: groups.map(toGroup) };
  }

  /** Items by id, with only the fields a dial uses (the reference sets can be large and are not needed). */
  private byIds(ids: string[]): Promise<Array<UserItem | GroupItem>> {
    const keys = ids.filter(isKeyableId).map((id) => ({ id }));
    if (!keys.length) return Promise.resolve([]);
    return batchGetAll<UserItem | GroupItem>(this.doc, this.table, keys, {
      projection: PEOPLE_PROJECTION,
      names: Object.fromEntries(PEOPLE_PROJECTION.split(', ').map((n) => [n, n.slice(1)])),
    });
  }
  listGroups = async () => (await this.list<GroupItem>('group')).map(toGroup);
  getUser = async (id: string) => toUser(await this.item<UserItem>(id, 'user'));
  getGroup = async (id: string) => toGroup(await this.item<GroupItem>(id, 'group'));

  async createUser(input: UserInput): Promise<User> {
    const item: UserItem = { ...input, id: newId('usr'), kind: 'user', version: 1 };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
    return toUser(item);
  }

  async updateUser(id: string, input: UserInput, guard?: EditGuard<User>): Promise<User> {
    assertKeyableId('user', id);
    // Retried: the item may be inside a publish's or a group save's transaction right now.
    return withRetries('updating the user', async () => {
      let seen: number | undefined;
      if (guard) {
        const old = await this.item<UserItem>(id, 'user');
        if (await guard(toUser(old))) seen = old.version;
      }
      try {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { id },
            ...editFields(USER_FIELDS, input, { ':kind': 'user', ...(seen !== undefined && { ':v': seen }) }),
            ConditionExpression: seen === undefined ? 'kind = :kind' : 'kind = :kind AND version = :v',
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toUser(out.Attributes as UserItem);
      } catch (err) {
        // Edited (or deleted) since the guard looked: look again (a deleted user is then a 404).
        if (isConditionFailure(err) && seen !== undefined) throw new Retry();
        if (isConditionFailure(err)) throw new NotFoundError(`user ${id}`);
        throw err;
      }
    });
  }

  async setPinHash(id: string, hash: string | undefined): Promise<void> {
    assertKeyableId('user', id);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: hash === undefined ? 'REMOVE pin' : 'SET pin = :pin',
          ConditionExpression: 'kind = :kind',
          ExpressionAttributeValues: { ':kind': 'user', ...(hash !== undefined && { ':pin': hash }) },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new NotFoundError(`user ${id}`);
      throw err;
    }
  }

  async usersByPhone(phone: string): Promise<PhoneUser[]> {
    const items = await readAllPages<UserItem>(this.doc, {
      query: { TableName: this.table, IndexName: 'byPhone', KeyConditionExpression: 'phone = :p', ExpressionAttributeValues: { ':p': phone } },
    });
    return items
      .filter((i) => i.kind === 'user')
      .map((i) => ({ id: i.id, name: i.name, ...(i.role && { role: i.role }), ...(i.pin !== undefined && { pinHash: i.pin }) }));
  }

  async deleteUser(id: string): Promise<void> {
    assertKeyableId('user', id);
    // Retried: a Delete of an item that a transaction is writing fails with TransactionConflict.
    await withRetries('deleting the user', async () => {
      try {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { id },
            ConditionExpression: 'kind = :k AND attribute_not_exists(flowRefs) AND attribute_not_exists(groupRefs)',
            ExpressionAttributeValues: { ':k': 'user' },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        // Refused: read the item to say why (missing, or which flows and groups still use it).
        const item = await this.item<UserItem>(id, 'user');
        if (!item.flowRefs?.size && !item.groupRefs?.size) throw new Retry(); // released meanwhile: try again
        throw inUse(`user ${id}`, item);
      }
    });
  }

  async createGroup(input: GroupInput): Promise<Group> {
    const item: GroupItem = { ...input, id: newId('grp'), kind: 'group', version: 1 };
    await this.saveGroup(item, [], undefined);
    return toGroup(item);
  }

  async updateGroup(id: string, input: GroupInput, guard?: EditGuard<Group>): Promise<Group> {
    return withRetries('updating the group', async () => {
      const old = await this.item<GroupItem>(id, 'group');
      await guard?.(toGroup(old));
      // The version read guards the members diff (each member's groupRefs); flowRefs is never written here.
      const item: GroupItem = { ...input, id, kind: 'group', version: old.version + 1 };
      await this.saveGroup(item, old.members, old.version);
      return toGroup(item);
    });
  }

  async deleteGroup(id: string): Promise<void> {
    await withRetries('deleting the group', async () => {
      const old = await this.item<GroupItem>(id, 'group');
      if (old.flowRefs?.size) throw inUse(`group ${id}`, old);
      try {
        await transact(this.doc, [
          {
            Delete: {
              TableName: this.table,
              Key: { id },
              ConditionExpression: 'version = :v AND attribute_not_exists(flowRefs)',
              ExpressionAttributeValues: { ':v': old.version },
            },
          },
          ...old.members.map((m) => this.refUpdate(m, 'DELETE', 'groupRefs', id)),
        ]);
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') throw new Retry();
        throw err;
      }
    });
  }

  /** One ADD/DELETE of a flow or group id in a user's or group's reference set, for a transaction. */
  refUpdate(targetId: string, action: 'ADD' | 'DELETE', set: 'flowRefs' | 'groupRefs', ref: string): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: { id: targetId },
        UpdateExpression: `${action} ${set} :r`,
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':r': new Set([ref]) },
      },
    };
  }

  private async saveGroup(item: GroupItem, oldMembers: string[], oldVersion: number | undefined): Promise<void> {
    const added = item.members.filter((m) => !oldMembers.includes(m));
    const removed = oldMembers.filter((m) => !item.members.includes(m));
    // Members must be users: checked by the same transaction that records the group on them.
    const save: TransactItem =
      oldVersion === undefined
        ? { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(id)' } }
        : {
            Update: {
              TableName: this.table,
              Key: { id: item.id },
              ...editFields(GROUP_FIELDS, item, { ':v': oldVersion }),
              ConditionExpression: 'version = :v',
            },
          };
    const items: TransactItem[] = [
      save,
      ...added.map((m) => {
        const u = this.refUpdate(m, 'ADD', 'groupRefs', item.id);
        u.Update!.ConditionExpression = 'attribute_exists(id) AND kind = :user';
        u.Update!.ExpressionAttributeValues![':user'] = 'user';
        return u;
      }),
      ...removed.map((m) => this.refUpdate(m, 'DELETE', 'groupRefs', item.id)),
    ];
    try {
      await transact(this.doc, items);
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (!reasons) throw err;
      if (reasons[0] === 'ConditionalCheckFailed') throw new Retry();
      const unknown = added.filter((_, i) => reasons[1 + i] === 'ConditionalCheckFailed');
      if (unknown.length) {
        throw new ValidationError(
          unknown.map((m) => ({ path: `members.${item.members.indexOf(m)}`, message: `user ${m} does not exist` })),
        );
      }
      throw err;
    }
  }
}

/** An update that SETs the editable fields the input has and REMOVEs those it leaves out (a PUT replaces them), and nothing else. */
function editFields(fields: readonly string[], input: object, conditionValues: Record<string, unknown>) {
  const values: Record<string, unknown> = { ':one': 1, ...conditionValues };
  const names: Record<string, string> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  for (const field of fields) {
    names[`#${field}`] = field;
    const value = (input as Record<string, unknown>)[field];
    if (value === undefined) removes.push(`#${field}`);
    else {
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')} ADD version :one${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function inUse(what: string, item: Stored): ConflictError {
  const flows = [...(item.flowRefs ?? [])].sort();
  const groups = [...(item.groupRefs ?? [])].sort();
  const uses = [flows.length ? `flows ${flows.join(', ')}` : '', groups.length ? `groups ${groups.join(', ')}` : '']
    .filter(Boolean)
    .join(' and ');
  return new ConflictError(`${what} is used by ${uses}`, [...flows.map((id) => ({ flow: id })), ...groups.map((id) => ({ group: id }))]);
}

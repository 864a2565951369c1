// Flows: a head item (rev 0) with the current revision, the number count and what the revision refers
// to, and one immutable item per published revision (rev n). Publishing writes the revision, moves the
// head and updates the references of users and groups in one transaction. The head decides whether a flow
// exists: a deleted flow's revisions stay readable by calls in progress until their TTL removes them.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from './dynamo-client';
import { NotFoundError, PreconditionFailedError } from '../errors';
import type { FlowDraft, Revision } from '../api-types';
import type { FlowDocument } from '../flows/schema';
import { appletTypesInPathOrder, referencesOf } from '../flows/summary';
import { learnZoneOffsets, timeZonesOf, zoneOffsetsAround, type ZoneOffsets } from '../flows/zone-offsets';
import { assertKeyableId, isKeyableId } from './keys';
import { batchGetAll, readAllPages } from './reads';
import { cancellationReasons, isConditionFailure, Retry, transact, type TransactItem } from './transactions';
import type { DynamoDirectoryStore } from './directory-store';

export interface FlowHead {
  id: string;
  name: string;
  revision: number;
  numberCount: number;
  hasCall: boolean;
  hasSms: boolean;
  callApplets: string[];
  smsApplets: string[];
  users: string[];
  groups: string[];
  /** Flows the current revision `redirect`s to: they cannot be deleted while this flow stands. */
  redirects: string[];
  /**
   * Shared schedules the current revision's hours name (their `flowRefs` hold this flow). Not in the
   * `heads` index (its projection is fixed): empty on heads from `listHeads`, exact from `getHead`.
   */
  schedules: string[];
  /** When the current run of revisions without a call (sms) part began; absent while the part exists. */
  noCallSince?: string;
  noSmsSince?: string;
  createdAt: string;
  updatedAt: string;
}

export type FlowHeadSummary = Pick<FlowHead, 'id' | 'name' | 'hasCall' | 'hasSms'>;

export interface FlowRevision {
  id: string;
  revision: number;
  name: string;
  document: FlowDocument;
  publishedAt: string;
  /** Who published it (DESIGN.md section 16); absent for revisions published before accounts, or by the system. */
  publishedBy?: string;
}

/**
 * An unpublished draft of a flow (rev = DRAFT_REV): whatever the editor holds, checked or not, so an edit
 * in progress (even one the schema refuses, such as a half-typed number) survives a reload and another browser.
 */
export type { FlowDraft };

/** The draft's sort key: below the head (0) and every revision (1, 2...), so no revision query meets it. */
export const DRAFT_REV = -1;

export interface FlowStore {
  listHeads(): Promise<FlowHead[]>;
  getHead(id: string): Promise<FlowHead>;
  findHead(id: string): Promise<FlowHead | undefined>;
  /** What a number's status needs of each of these flows (name and parts), by key; missing flows are left out. */
  headSummaries(ids: readonly string[]): Promise<FlowHeadSummary[]>;
  getRevision(id: string, revision: number): Promise<FlowRevision>;
  /** The current revision in one read (the head carries a copy of its document); undefined when the flow is gone. */
  getCurrent(id: string): Promise<FlowRevision | undefined>;
  listRevisions(id: string): Promise<Revision[]>;
  /**
   * The revision that was current at `at` (the last one published at or before it): how the flow stood
   * when a text or call arrived that is routed only later (DESIGN.md section 11). A flow first published
   * after `at` gives its first revision; undefined when the flow is gone.
   */
  revisionAt(id: string, at: Date): Promise<FlowRevision | undefined>;
  /** Publishes `doc` as the next revision after `previous` (undefined: a new flow). Throws Retry when `previous` is stale. */
  publish(id: string, doc: FlowDocument, previous: FlowHead | undefined, now: Date, expectedRevision?: number, by?: string): Promise<FlowHead>;
  /**
   * Deletes a flow that serves no number; throws Retry when the head moved since it was read. Its
   * revisions expire a day after `now` (REVISION_GRACE_SECONDS), so calls in progress can finish.
   */
  delete(head: FlowHead, now: Date): Promise<void>;
  getDraft(id: string): Promise<FlowDraft | undefined>;
  putDraft(id: string, draft: FlowDraft): Promise<void>;
  deleteDraft(id: string): Promise<void>;
}

/**
 * Stored documents were validated (defaults filled) when they were published and never change, so they
 * are read back as they are: no schema at run time keeps zod out of the webhook bundles.
 */
const parseStored = (json: string): FlowDocument => JSON.parse(json) as FlowDocument;

/**
 * The offsets of the flow's time zones around its publication (flows/zone-offsets.ts), stored with the
 * head and the revision as JSON: whoever reads the document learns them, so its hours applets tell local
 * time without Intl. Items published before them have none, and hours.ts asks Intl.
 */
function zoneTables(doc: FlowDocument, now: Date): string | undefined {
  const tables = timeZonesOf(doc).map((zone) => zoneOffsetsAround(zone, now)).filter((t) => t !== undefined);
  return tables.length ? JSON.stringify(tables) : undefined;
}

/** Reads a document and learns the zone tables stored beside it. */
function readStored(item: { document: string; zones?: string }): FlowDocument {
  if (item.zones) for (const table of JSON.parse(item.zones) as ZoneOffsets[]) learnZoneOffsets(table);
  return parseStored(item.document);
}

type HeadItem = FlowHead & { rev: 0; head: '1'; document?: string; zones?: string; publishedAt?: string; publishedBy?: string };

// Heads published before `redirects` existed have none recorded.
const toHead = ({ rev: _rev, head: _head, document: _doc, zones: _zones, publishedAt: _at, publishedBy: _by, ...h }: HeadItem): FlowHead => ({ ...h, redirects: h.redirects ?? [], schedules: h.schedules ?? [] });

/** How long a deleted flow's revisions stay readable for calls in progress: far longer than a call lasts. */
export const REVISION_GRACE_SECONDS = 24 * 60 * 60;

export class DynamoFlowStore implements FlowStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
    /** Needed only to publish and delete (they maintain users' and groups' flowRefs); readers can do without. */
    private readonly directoryStore?: DynamoDirectoryStore,
  ) {}

  private get directory(): DynamoDirectoryStore {
    if (!this.directoryStore) throw new Error('this FlowStore was built without the directory table: it can only read');
    return this.directoryStore;
  }

  async listHeads(): Promise<FlowHead[]> {
    const heads = await readAllPages<HeadItem>(this.doc, {
      query: { TableName: this.table, IndexName: 'heads', KeyConditionExpression: 'head = :h', ExpressionAttributeValues: { ':h': '1' } },
    });
    return heads.map(toHead);
  }

  async findHead(id: string): Promise<FlowHead | undefined> {
    if (!isKeyableId(id)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id, rev: 0 }, ConsistentRead: true }));
    return out.Item ? toHead(out.Item as HeadItem) : undefined;
  }

  headSummaries(ids: readonly string[]): Promise<FlowHeadSummary[]> {
    const keys = [...new Set(ids)].filter(isKeyableId).map((id) => ({ id, rev: 0 }));
    if (!keys.length) return Promise.resolve([]);
    // Only these fields: a head also carries its current document (up to 256 KB).
    return batchGetAll<FlowHeadSummary>(this.doc, this.table, keys, {
      projection: '#id, #name, hasCall, hasSms',
      names: { '#id': 'id', '#name': 'name' },
    });
  }

  async getHead(id: string): Promise<FlowHead> {
    const head = await this.findHead(id);
    if (!head) throw new NotFoundError(`flow ${id}`);
    return head;
  }

  async getRevision(id: string, revision: number): Promise<FlowRevision> {
    assertKeyableId('flow', id);
    // Revisions never change, so an eventually consistent read is enough once it exists.
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id, rev: revision } }));
    if (!out.Item || revision < 1) throw new NotFoundError(`revision ${revision} of flow ${id}`);
    return {
      id,
      revision,
      name: out.Item.name,
      document: readStored(out.Item as { document: string; zones?: string }),
      publishedAt: out.Item.publishedAt,
      ...(out.Item.publishedBy && { publishedBy: out.Item.publishedBy as string }),
    };
  }

  async getCurrent(id: string): Promise<FlowRevision | undefined> {
    if (!isKeyableId(id)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id, rev: 0 } }));
    const item = out.Item as HeadItem | undefined;
    if (!item?.document) return undefined;
    return {
      id,
      revision: item.revision,
      name: item.name,
      document: readStored({ document: item.document, zones: item.zones }),
      publishedAt: item.publishedAt ?? item.updatedAt,
      ...(item.publishedBy && { publishedBy: item.publishedBy }),
    };
  }

  async listRevisions(id: string) {
    // A deleted flow's revisions linger until their TTL: without its head the flow is gone.
    await this.getHead(id);
    // Every page: the 1 MB page limit counts whole items before the projection, so a page of large
    // documents holds only a few revisions.
    const items = await readAllPages<{ rev: number; name: string; publishedAt: string; publishedBy?: string }>(this.doc, {
      query: {
        TableName: this.table,
        KeyConditionExpression: 'id = :id AND rev > :zero',
        ExpressionAttributeValues: { ':id': id, ':zero': 0 },
        ProjectionExpression: 'rev, #n, publishedAt, publishedBy',
        ExpressionAttributeNames: { '#n': 'name' },
        ScanIndexForward: false,
      },
    });
    return items.map((i) => ({ revision: i.rev, name: i.name, publishedAt: i.publishedAt, ...(i.publishedBy && { publishedBy: i.publishedBy }) }));
  }

  async revisionAt(id: string, at: Date): Promise<FlowRevision | undefined> {
    // Usually the store came back minutes later and nobody published meanwhile: the head answers in one read.
    const current = await this.getCurrent(id);
    if (!current) return undefined;
    const when = at.toISOString();
    if (current.publishedAt <= when || current.revision <= 1) return current;
    // Newest first, keys and times only (a revision carries its document, up to 256 KB).
    const items = await readAllPages<{ rev: number; publishedAt: string }>(this.doc, {
      query: {
        TableName: this.table,
        KeyConditionExpression: 'id = :id AND rev BETWEEN :one AND :before',
        ExpressionAttributeValues: { ':id': id, ':one': 1, ':before': current.revision - 1 },
        ProjectionExpression: 'rev, publishedAt',
        ScanIndexForward: false,
      },
    });
    const then = items.find((i) => i.publishedAt <= when) ?? items[items.length - 1];
    return then ? this.getRevision(id, then.rev) : current;
  }

  async publish(id: string, doc: FlowDocument, previous: FlowHead | undefined, now: Date, expectedRevision?: number, by?: string): Promise<FlowHead> {
    if (expectedRevision !== undefined && previous && previous.revision !== expectedRevision) {
      throw new PreconditionFailedError(expectedRevision, previous.revision);
    }
    const at = now.toISOString();
    const revision = (previous?.revision ?? 0) + 1;
    const refs = referencesOf(doc);
    const head: FlowHead = {
      id,
      name: doc.name,
      revision,
      numberCount: previous?.numberCount ?? 0,
      hasCall: !!doc.call,
      hasSms: !!doc.sms,
      callApplets: appletTypesInPathOrder(doc.call),
      smsApplets: appletTypesInPathOrder(doc.sms),
      users: refs.users,
      groups: refs.groups,
      redirects: refs.flows,
      schedules: refs.schedules,
      noCallSince: doc.call ? undefined : (previous?.hasCall === false ? previous.noCallSince : undefined) ?? at,
      noSmsSince: doc.sms ? undefined : (previous?.hasSms === false ? previous.noSmsSince : undefined) ?? at,
      createdAt: previous?.createdAt ?? at,
      updatedAt: at,
    };
    const refItems: TransactItem[] = [
      ...diff(previous?.users, refs.users, (u, action) => this.directory.refUpdate(u, action, 'flowRefs', id)),
      ...diff(previous?.groups, refs.groups, (g, action) => this.directory.refUpdate(g, action, 'flowRefs', id)),
      ...diff(previous?.schedules, refs.schedules, (s, action) => this.directory.refUpdate(s, action, 'flowRefs', id)),
    ];
    // numberCount is written by number assignments, never here: the head update leaves it alone.
    const { numberCount: _count, ...rest } = head;
    const document = JSON.stringify(doc);
    const zones = zoneTables(doc, now);
    const fields = { ...rest, document, zones, publishedAt: at, publishedBy: by };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':zero': 0, ':h': '1', ...(previous ? { ':prev': previous.revision } : {}) };
    const sets = ['head = :h', 'numberCount = if_not_exists(numberCount, :zero)'];
    const removes: string[] = [];
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'id') continue;
      names[`#${k}`] = k;
      if (v === undefined) removes.push(`#${k}`);
      else {
        values[`:${k}`] = v;
        sets.push(`#${k} = :${k}`);
      }
    }
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: { id, rev: revision, name: doc.name, document, ...(zones && { zones }), publishedAt: at, ...(by && { publishedBy: by }) },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: { id, rev: 0 },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: previous ? '#revision = :prev' : 'attribute_not_exists(id)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      ...refItems,
    ];
    try {
      await transact(this.doc, items);
    } catch (err) {
      // A stale head, a concurrent revision or a user/group deleted since the check: re-read and re-check.
      if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) throw new Retry();
      throw err;
    }
    return head;
  }

  async delete(head: FlowHead, now: Date): Promise<void> {
    try {
      await transact(this.doc, [
        {
          Delete: {
            TableName: this.table,
            Key: { id: head.id, rev: 0 },
            ConditionExpression: 'numberCount = :zero AND revision = :rev',
            ExpressionAttributeValues: { ':zero': 0, ':rev': head.revision },
          },
        },
        // Its draft goes with it (no condition: there may be none).
        { Delete: { TableName: this.table, Key: { id: head.id, rev: DRAFT_REV } } },
        ...head.users.map((u) => this.directory.refUpdate(u, 'DELETE', 'flowRefs', head.id)),
        ...head.groups.map((g) => this.directory.refUpdate(g, 'DELETE', 'flowRefs', head.id)),
        ...head.schedules.map((s) => this.directory.refUpdate(s, 'DELETE', 'flowRefs', head.id)),
      ]);
    } catch (err) {
      if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) throw new Retry();
      throw err;
    }
    // The head is gone, so the admin API no longer finds the flow; but calls in progress are pinned to a
    // revision (in their action URLs) and read it directly: let the revisions expire instead of deleting
    // them. Done after the transaction, as the deletes were: a crash here leaves some revisions without an
    // expiry, unreachable through the admin API (no head), costing only storage.
    const expiresAt = Math.floor(now.getTime() / 1000) + REVISION_GRACE_SECONDS;
    for (let start = 1; start <= head.revision; start += 25) {
      const revisions = Array.from({ length: Math.min(25, head.revision - start + 1) }, (_, i) => start + i);
      await Promise.all(revisions.map((rev) => this.expire(head.id, rev, expiresAt)));
    }
  }

  async getDraft(id: string): Promise<FlowDraft | undefined> {
    if (!isKeyableId(id)) return undefined;
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { id, rev: DRAFT_REV }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    return { document: JSON.parse(out.Item.document as string) as Record<string, unknown>, baseRevision: out.Item.baseRevision, savedAt: out.Item.savedAt };
  }

  async putDraft(id: string, draft: FlowDraft): Promise<void> {
    assertKeyableId('flow', id);
    // One item per flow, last writer wins (decisions.md): the document as JSON, never read by a webhook.
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { id, rev: DRAFT_REV, document: JSON.stringify(draft.document), baseRevision: draft.baseRevision, savedAt: draft.savedAt } }),
    );
  }

  async deleteDraft(id: string): Promise<void> {
    if (!isKeyableId(id)) return;
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { id, rev: DRAFT_REV } }));
  }

  private async expire(id: string, rev: number, expiresAt: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id, rev },
          UpdateExpression: 'SET expiresAt = :t',
          // Never create an item for a revision that is not there.
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':t': expiresAt },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}

function diff(before: string[] | undefined, after: string[], item: (id: string, action: 'ADD' | 'DELETE') => TransactItem): TransactItem[] {
  const old = new Set(before ?? []);
  const now = new Set(after);
  return [...after.filter((x) => !old.has(x)).map((x) => item(x, 'ADD')), ...[...old].filter((x) => !now.has(x)).map((x) => item(x, 'DELETE'))];
}

// The webhooks' in-memory caches, kept for the life of a Lambda container: immutable revisions, and the
// directory (users and groups) and shared schedules for a few seconds.
import { dialEntries } from '../flows/applets';
import type { Schedules } from '../flows/hours';
import type { Directory } from '../flows/people';
import type { LoadedRevision } from '../flows/call-request';
import type { FlowPart } from '../flows/schema';
import type { WebhookDeps } from './deps';

export type { LoadedRevision };

/**
 * Revisions never change, so they are cached for the life of the Lambda container: a continuation
 * step reads no flow at all once its revision is here. Bounded so a container serving many flows stays small.
 */
export class RevisionCache {
  private readonly cache = new Map<string, LoadedRevision>();
  constructor(private readonly max = 200) {}

  private put(r: LoadedRevision): LoadedRevision {
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(`${r.flowId}:${r.revision}`, r);
    return r;
  }

  /** The current revision: one read of the flow's head, which carries the current document. */
  async current(flows: WebhookDeps['flows'], flowId: string): Promise<LoadedRevision | undefined> {
    const rev = await flows.getCurrent(flowId);
    if (!rev) return undefined;
    return this.cache.get(`${flowId}:${rev.revision}`) ?? this.put({ flowId, revision: rev.revision, document: rev.document });
  }

  /** A pinned revision (mid-call): from memory, or one read. */
  async pinned(flows: WebhookDeps['flows'], flowId: string, revision: number): Promise<LoadedRevision | undefined> {
    const hit = this.cache.get(`${flowId}:${revision}`);
    if (hit) return hit;
    try {
      const rev = await flows.getRevision(flowId, revision);
      return this.put({ flowId, revision, document: rev.document });
    } catch (err) {
      if ((err as { code?: string }).code === 'not_found') return undefined;
      throw err;
    }
  }
}

/**
 * Users and groups change rarely: the people a flow part rings are read together (by key: the named
 * users and groups, then the groups' members; never a Scan of the directory) and kept for a few seconds,
 * so availability changes apply within DIRECTORY_TTL_MS.
 */
export const DIRECTORY_TTL_MS = 5_000;

/** The users and groups a flow part names itself (dial targets, inbox mailboxes): what the cache loads. */
export interface PeopleNeeded {
  users: readonly string[];
  groups: readonly string[];
}

export function peopleNamedIn(part: FlowPart): PeopleNeeded {
  const users: string[] = [];
  const groups: string[] = [];
  for (const applet of Object.values(part.applets)) {
    const refs = applet.type === 'dial' ? dialEntries(applet) : applet.type === 'inbox' ? [applet.mailbox] : [];
    for (const ref of refs) {
      if ('user' in ref && ref.user) users.push(ref.user);
      if ('group' in ref && ref.group) groups.push(ref.group);
    }
  }
  return { users, groups };
}

/**
 * Reads kept for a few seconds (`ttlMs`), one entry per key (in practice per flow part), bounded like
 * RevisionCache. An entry is reloaded when older than the TTL, or when it lacks something it should
 * have (`complete`): a flow published a moment ago may name people or a schedule that an eventually
 * consistent read did not see yet, and must not ring nobody (or find its schedule missing, and closed)
 * for the rest of the TTL. Concurrent requests share one load.
 */
class FreshCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 200,
  ) {}

  async get(key: string, now: number, load: () => Promise<T>, complete: (value: T) => boolean): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && now - cached.at <= this.ttlMs) {
      const value = await cached.value;
      if (complete(value)) return value;
      // Only the request that finds it stale reloads; concurrent ones share the new load.
      const current = this.entries.get(key);
      if (current && current !== cached) return current.value;
    }
    const entry = { at: now, value: load() };
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}

/** One cache entry per set of people needed (in practice, per flow part). */
export class DirectoryCache {
  private readonly cache = new FreshCache<Directory>(DIRECTORY_TTL_MS);

  /** The people `needs` names (and their groups' members), reloaded when older than DIRECTORY_TTL_MS or when one of them was missing. */
  get(source: Pick<WebhookDeps['directory'], 'peopleFor'>, now: number, needs: PeopleNeeded): Promise<Directory> {
    const key = `${[...new Set(needs.users)].sort().join(',')}|${[...new Set(needs.groups)].sort().join(',')}`;
    const load = () =>
      source.peopleFor(needs).then(({ users, groups }) => ({
        users: new Map(users.map((u) => [u.id, u])),
        groups: new Map(groups.map((g) => [g.id, g])),
        flowIds: new Set<string>(),
      }));
    return this.cache.get(key, now, load, (directory) => knowsAll(directory, needs));
  }
}

const knowsAll = (directory: Directory, needs: PeopleNeeded) =>
  needs.users.every((id) => directory.users.has(id)) && needs.groups.every((id) => directory.groups.has(id));

/**
 * Shared schedules (DESIGN.md section 15) and their overrides are kept as long as the people: an edit or
 * an override set by the API or by a text reaches a warm webhook within SCHEDULE_TTL_MS.
 */
export const SCHEDULE_TTL_MS = DIRECTORY_TTL_MS;

/** The schedules a flow part's `hours` applets name: what a request reads (once, only when a flow names one). */
export function schedulesNamedIn(part: FlowPart): string[] {
  const ids = Object.values(part.applets).flatMap((a) => (a.type === 'hours' && a.schedule !== undefined ? [a.schedule] : []));
  return [...new Set(ids)].sort();
}

/** One entry per set of schedules named (in practice per flow part): each entry is one BatchGetItem (schedules and overrides). */
export class ScheduleCache {
  private readonly cache = new FreshCache<Schedules>(SCHEDULE_TTL_MS);

  get(source: Pick<WebhookDeps['schedules'], 'schedulesFor'>, now: number, ids: readonly string[]): Promise<Schedules> {
    if (!ids.length) return Promise.resolve(new Map());
    const load = async () => new Map((await source.schedulesFor(ids)).map((s) => [s.id, s]));
    return this.cache.get(ids.join(','), now, load, (schedules) => ids.every((id) => schedules.has(id)));
  }
}

/** The empty directory for requests that ring nobody: no reads at all. */
export const NO_DIRECTORY: Directory = { users: new Map(), groups: new Map(), flowIds: new Set() };

/** What a webhook container keeps between requests: revisions (immutable), the directory and schedules (seconds). */
export interface WebhookCaches {
  revisions: RevisionCache;
  directory: DirectoryCache;
  schedules: ScheduleCache;
}

export const newWebhookCaches = (): WebhookCaches => ({ revisions: new RevisionCache(), directory: new DirectoryCache(), schedules: new ScheduleCache() });

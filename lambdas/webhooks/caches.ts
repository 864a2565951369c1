// The webhooks' in-memory caches, kept for the life of a Lambda container: immutable revisions, and the
// directory (users and groups) for a few seconds.
import { dialEntries } from '../flows/applets';
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

/** One cache entry per set of people needed (in practice, per flow part); bounded like RevisionCache. */
export class DirectoryCache {
  private readonly entries = new Map<string, { at: number; directory: Promise<Directory> }>();
  constructor(private readonly max = 200) {}

  /**
   * The people `needs` names (and their groups' members), reloaded when older than DIRECTORY_TTL_MS or
   * when one of them was missing: a flow published a moment ago may name people an eventually
   * consistent read did not see yet, and must not ring nobody (or notify nobody) for the rest of the TTL.
   */
  async get(source: WebhookDeps['directory'], now: number, needs: PeopleNeeded): Promise<Directory> {
    const key = `${[...new Set(needs.users)].sort().join(',')}|${[...new Set(needs.groups)].sort().join(',')}`;
    const cached = this.entries.get(key);
    if (cached && now - cached.at <= DIRECTORY_TTL_MS) {
      const directory = await cached.directory;
      if (knowsAll(directory, needs)) return directory;
      // Only the request that finds it stale reloads; concurrent ones share the new load.
      const current = this.entries.get(key);
      if (current && current !== cached) return current.directory;
    }
    return this.load(source, now, key, needs);
  }

  private load(source: WebhookDeps['directory'], now: number, key: string, needs: PeopleNeeded): Promise<Directory> {
    const directory = source.peopleFor(needs).then(({ users, groups }) => ({
      users: new Map(users.map((u) => [u.id, u])),
      groups: new Map(groups.map((g) => [g.id, g])),
      flowIds: new Set<string>(),
    }));
    const value = { at: now, directory };
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    directory.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    return directory;
  }
}

const knowsAll = (directory: Directory, needs: PeopleNeeded) =>
  needs.users.every((id) => directory.users.has(id)) && needs.groups.every((id) => directory.groups.has(id));

/** The empty directory for requests that ring nobody: no reads at all. */
export const NO_DIRECTORY: Directory = { users: new Map(), groups: new Map(), flowIds: new Set() };

/** What a webhook container keeps between requests: revisions (immutable) and the directory (seconds). */
export interface WebhookCaches {
  revisions: RevisionCache;
  directory: DirectoryCache;
}

export const newWebhookCaches = (): WebhookCaches => ({ revisions: new RevisionCache(), directory: new DirectoryCache() });

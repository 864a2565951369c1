// What both webhooks share: their dependencies, the in-memory caches, the public base URL and the
// TwiML response shape.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Directory } from '../flows/people';
import type { FlowDocument, FlowPart } from '../flows/schema';
import type { DirectoryStore } from '../store/directory-store';
import type { FlowStore } from '../store/flow-store';
import type { MessageStore } from '../store/message-store';
import type { NumberStore } from '../store/number-store';
import type { StateStore } from '../store/state-store';
import type { TraceStore } from '../store/trace-store';
import type { TextSender } from '../carrier/text-sender';
import { publicRequestUrl, type WebhookEvent } from '../twilio/request';

export interface WebhookDeps {
  numbers: Pick<NumberStore, 'find'>;
  flows: Pick<FlowStore, 'getCurrent' | 'getRevision'>;
  directory: Pick<DirectoryStore, 'listAll'>;
  messages: MessageStore;
  traces: TraceStore;
  state: StateStore;
  now(): Date;
  authToken(): Promise<string>;
  /** PUBLIC_URL: everything before the route, when Twilio calls a custom domain. */
  publicUrl?: string;
  /** Local mode only: honour the carrier simulator's clock header (never in AWS: the header is not signed). */
  allowSimulatedTime?: boolean;
  /** Texts sent through the carrier's REST API (`text` applet, voicemail notify, inbox overflow); best effort. */
  texts?: TextSender;
}

export type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

/**
 * Twilio waits about 5 s per attempt for an answer: past this deadline the caller gets the safe answer
 * rather than silence and Twilio's fallback (a hung DynamoDB connection must not become an error).
 */
export const ANSWER_DEADLINE_MS = 3_000;
const TIMED_OUT = Symbol('timed out');

/**
 * `work`, or what `onTimeout` gives once `ms` have passed without it. The winner is decided first, so
 * the fallback (and its side effects) runs only when the work really was too late.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const first = await Promise.race([work, late]);
    return first === TIMED_OUT ? await onTimeout() : first;
  } finally {
    clearTimeout(timer);
  }
}

/** How long an answer waits for best-effort bookkeeping when storage is slow or hung. */
export const BOOKKEEPING_MS = 1_500;

/** Waits for `work` at most `ms`; what it does after that goes on without us. */
export async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The request's clock: the carrier simulator's `x-switchboard-at` in local mode only (that header is not signed). */
export function requestTime(deps: Pick<WebhookDeps, 'allowSimulatedTime' | 'now'>, headers: Record<string, string | undefined> | undefined): Date {
  const simulated = deps.allowSimulatedTime ? headers?.['x-switchboard-at'] : undefined;
  return simulated && !Number.isNaN(Date.parse(simulated)) ? new Date(simulated) : deps.now();
}

export const twiml = (xml: string): Response => ({ statusCode: 200, headers: { 'content-type': 'text/xml' }, body: xml });
export const plain = (statusCode: number, message: string): Response => ({ statusCode, headers: { 'content-type': 'text/plain' }, body: message });

/** The URL the carrier called, up to (not including) `/twilio/`: where our own action URLs start. */
export function baseUrlOf(event: WebhookEvent, publicUrl?: string): string {
  const url = publicRequestUrl(event, publicUrl);
  const at = url.indexOf('/twilio/');
  return at >= 0 ? url.slice(0, at) : url.replace(/\?.*$/, '');
}

export interface LoadedRevision {
  flowId: string;
  revision: number;
  document: FlowDocument;
}

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
 * Users and groups change rarely and a dial needs them all at once: they are read together (one
 * Scan of the small directory table) and kept for a few seconds, so availability changes apply within DIRECTORY_TTL_MS.
 */
export const DIRECTORY_TTL_MS = 5_000;

/** The users and groups a flow part names itself (dial targets, inbox mailboxes): the cache must know them. */
export interface PeopleNeeded {
  users: readonly string[];
  groups: readonly string[];
}

export function peopleNamedIn(part: FlowPart): PeopleNeeded {
  const users: string[] = [];
  const groups: string[] = [];
  for (const applet of Object.values(part.applets)) {
    const ref = applet.type === 'dial' ? applet : applet.type === 'inbox' ? applet.mailbox : undefined;
    if (ref && 'user' in ref && ref.user) users.push(ref.user);
    if (ref && 'group' in ref && ref.group) groups.push(ref.group);
  }
  return { users, groups };
}

export class DirectoryCache {
  private value?: { at: number; directory: Promise<Directory> };

  /**
   * The cached directory, reloaded when older than DIRECTORY_TTL_MS or when it lacks a user or group
   * that `needs` names: a flow published a moment ago may name people created after the cache was
   * filled, and must not ring nobody (or notify nobody) for the rest of the TTL.
   */
  async get(source: WebhookDeps['directory'], now = Date.now(), needs?: PeopleNeeded): Promise<Directory> {
    const cached = this.value;
    if (cached && now - cached.at <= DIRECTORY_TTL_MS) {
      const directory = await cached.directory;
      if (!needs || knowsAll(directory, needs)) return directory;
      // Only the request that finds it stale reloads; concurrent ones share the new load.
      if (this.value && this.value !== cached) return this.value.directory;
    }
    return this.load(source, now);
  }

  private load(source: WebhookDeps['directory'], now: number): Promise<Directory> {
    const directory = source.listAll().then(({ users, groups }) => ({
      users: new Map(users.map((u) => [u.id, u])),
      groups: new Map(groups.map((g) => [g.id, g])),
      flowIds: new Set<string>(),
    }));
    const value = { at: now, directory };
    this.value = value;
    directory.catch(() => {
      if (this.value === value) this.value = undefined;
    });
    return directory;
  }
}

const knowsAll = (directory: Directory, needs: PeopleNeeded) =>
  needs.users.every((id) => directory.users.has(id)) && needs.groups.every((id) => directory.groups.has(id));

/** The empty directory for requests that ring nobody: no reads at all. */
export const NO_DIRECTORY: Directory = { users: new Map(), groups: new Map(), flowIds: new Set() };

/** Logs without full phone numbers at info level (DESIGN.md section 10). */
export const maskNumber = (n: string | undefined) => (n && n.length > 4 ? `${n.slice(0, -4).replace(/\d/g, '*')}${n.slice(-4)}` : n);

export function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'ERROR') console.error(line);
  else console.log(line);
}

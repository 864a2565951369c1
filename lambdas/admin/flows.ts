// Flow use cases: validate, check against the directory, publish; list, read, restore, delete.
import { MAX_FLOW_REDIRECTS } from '../flows/call-request';
import { checkFlow, numbersToLookUp } from '../flows/checker';
import { ConflictError, FlowInvalidError, ValidationError } from '../errors';
import type { Directory } from '../flows/people';
import type { Flow, FlowList, PublishResult } from '../api-types';
import { hasErrors, type Problem } from '../flows/problems';
import { flowDocumentSchema, type FlowDocument, type FlowPart } from '../flows/schema';
import { referencesOf } from '../flows/summary';
import { Retry, withRetries } from '../store/transactions';
import { newId } from '../store/directory-store';
import type { FlowDraft, FlowHead, FlowRevision } from '../store/flow-store';
import { z } from 'zod';
import type { Stores } from '../store/stores';
import type { Outbox } from '../carrier/queued-text';
import type { SyncContinuation, SyncTuning } from '../carrier/sync-job';
import type { CarrierLink } from '../carrier/carrier-link';
import type { AccountDirectory } from '../accounts/accounts';
import { parseWith } from './http';

export interface AdminDeps extends Stores {
  now: () => Date;
  /** The Twilio REST API (lambdas/carrier/); built from the environment when absent. */
  carrier?: CarrierLink;
  /** People's accounts (lambdas/accounts/); from the environment when absent (invitations.ts accountsOf). */
  accounts?: AccountDirectory;
  /** How a sync job's next step runs (SQS in AWS); from the environment when absent: the queue, else in-process. */
  carrierSync?: SyncContinuation;
  /** A sync step's time budget and retry pause (tests make them short, to cross many steps). */
  syncTuning?: SyncTuning;
  /** Where replies by text are queued for the sender; from the environment when absent (SQS, or the local spool). */
  outbox?: Outbox;
}

export async function loadDirectory(deps: AdminDeps): Promise<Directory> {
  return (await loadDirectoryAndHeads(deps)).directory;
}

/** The directory, and the flow heads it was built from (what each current revision names). */
export async function loadDirectoryAndHeads(deps: AdminDeps): Promise<{ directory: Directory; heads: FlowHead[] }> {
  const [users, groups, heads, schedules] = await Promise.all([
    deps.directory.listUsers(),
    deps.directory.listGroups(),
    deps.flows.listHeads(),
    deps.schedules.list(),
  ]);
  const directory = {
    users: new Map(users.map((u) => [u.id, u])),
    groups: new Map(groups.map((g) => [g.id, g])),
    flowIds: new Set(heads.map((h) => h.id)),
    schedules: new Map(schedules.map((s) => [s.id, s])),
  };
  return { directory, heads };
}

export const parseFlowDocument = (body: unknown): FlowDocument => parseWith(flowDocumentSchema, body);

export async function checkDocument(deps: AdminDeps, doc: FlowDocument, flowId?: string): Promise<Problem[]> {
  return checkAgainst(deps, doc, await loadDirectory(deps), { flowId });
}

/**
 * The checker with what it needs from storage besides the directory: which of the numbers the flow
 * reaches are our own (own_number: point reads of just those numbers, never a scan), and the current call
 * parts of the flows its redirects lead to (redirect_loop), read together.
 */
export async function checkAgainst(
  deps: AdminDeps,
  doc: FlowDocument,
  directory: Directory,
  options: { flowId?: string; redirects?: boolean; lookups?: Map<string, Promise<boolean>> } = {},
): Promise<Problem[]> {
  const [ownNumbers, otherFlows] = await Promise.all([
    ownNumbersAmong(deps, numbersToLookUp(doc, directory), options.lookups),
    options.redirects === false ? undefined : redirectTargets(deps, doc, options.flowId),
  ]);
  return checkFlow(doc, directory, { flowId: options.flowId, ownNumbers, otherFlows });
}

/**
 * The numbers among `numbers` that are registered Switchboard numbers (one read each, in parallel;
 * `lookups` remembers them across several checks of one request).
 */
export async function ownNumbersAmong(deps: AdminDeps, numbers: readonly string[], lookups = new Map<string, Promise<boolean>>()): Promise<Set<string>> {
  const isOurs = (n: string) => {
    let found = lookups.get(n);
    if (!found) lookups.set(n, (found = deps.numbers.find(n).then((r) => r !== undefined)));
    return found;
  };
  const ours = await Promise.all(numbers.map(isOurs));
  return new Set(numbers.filter((_, i) => ours[i]));
}

/**
 * The call parts of every flow reachable from `doc` through redirects, as far as a chain can matter
 * (MAX_FLOW_REDIRECTS + 1 steps), breadth first, each flow read once. The flow being checked is `doc`
 * itself, never its stored revision.
 */
async function redirectTargets(deps: AdminDeps, doc: FlowDocument, flowId: string | undefined): Promise<Map<string, FlowPart | undefined>> {
  const parts = new Map<string, FlowPart | undefined>();
  let frontier = referencesOf(doc).flows.filter((f) => f !== flowId);
  for (let depth = 0; depth <= MAX_FLOW_REDIRECTS && frontier.length > 0; depth++) {
    const loaded = await Promise.all(frontier.map(async (id) => [id, (await deps.flows.getCurrent(id))?.document] as const));
    const next = new Set<string>();
    for (const [id, document] of loaded) {
      parts.set(id, document?.call);
      for (const target of document ? referencesOf(document).flows : []) {
        if (target !== flowId && !parts.has(target)) next.add(target);
      }
    }
    frontier = [...next];
  }
  return parts;
}

export type { PublishResult };

/**
 * Checks and publishes `doc` as the next revision of flow `id` (a new flow when `id` is undefined); `by`
 * is who publishes it (recorded as `publishedBy`).
 */
export async function publishFlow(deps: AdminDeps, id: string | undefined, doc: FlowDocument, expectedRevision?: number, by?: string): Promise<PublishResult> {
  const flowId = id ?? newId('flw');
  // The check and the write repeat together: a user deleted meanwhile fails the transaction, and the next check says why.
  return withRetries('publishing the flow', async () => {
    const previous = id === undefined ? undefined : await deps.flows.getHead(id);
    const problems = await checkDocument(deps, doc, flowId);
    if (hasErrors(problems)) throw new FlowInvalidError(problems);
    const head = await deps.flows.publish(flowId, doc, previous, deps.now(), expectedRevision, by);
    return { id: flowId, name: head.name, revision: head.revision, problems };
  });
}

export async function restoreRevision(deps: AdminDeps, id: string, revision: number, expectedRevision?: number, by?: string): Promise<PublishResult> {
  await deps.flows.getHead(id); // a deleted flow's revisions linger (TTL) but cannot be restored
  const old = await deps.flows.getRevision(id, revision);
  // Validated again: a revision published before today's limits must not fail halfway as a 500.
  return publishFlow(deps, id, parseFlowDocument(old.document), expectedRevision, by);
}

export function flowView(head: FlowHead, rev: FlowRevision, problems: Problem[]): Flow {
  return {
    id: head.id,
    revision: rev.revision,
    currentRevision: head.revision,
    publishedAt: rev.publishedAt,
    ...(rev.publishedBy && { publishedBy: rev.publishedBy }),
    numberCount: head.numberCount,
    ...rev.document,
    problems,
  };
}

export async function getFlow(deps: AdminDeps, id: string, revision?: number): Promise<Flow> {
  const head = await deps.flows.getHead(id);
  const rev = await deps.flows.getRevision(id, revision ?? head.revision);
  return flowView(head, rev, await checkDocument(deps, rev.document, id));
}

export async function dashboard(deps: AdminDeps): Promise<FlowList> {
  const heads = await deps.flows.listHeads();
  return {
    flows: heads.map((h) => ({
      id: h.id,
      name: h.name,
      revision: h.revision,
      numberCount: h.numberCount,
      call: { configured: h.hasCall, applets: h.callApplets },
      sms: { configured: h.hasSms, applets: h.smsApplets },
    })),
  };
}

/**
 * Refused while another flow's current revision redirects to it (409 listing those flows), and while
 * numbers use it unless asked to unassign them (they become no_flow).
 */
export async function deleteFlow(deps: AdminDeps, id: string, unassign: boolean, by?: string): Promise<void> {
  await withRetries('deleting the flow', async () => {
    let head = await deps.flows.getHead(id);
    // Best effort, unlike invariant 5: a read of the heads (an eventually consistent index), not a
    // condition of the delete, so a redirect published at the same moment can slip through. Such a call
    // then gets the safe answer (apology + unrouted voicemail), which is what a missing flow gives anyway.
    const redirecting = (await deps.flows.listHeads()).filter((h) => h.id !== id && h.redirects.includes(id));
    if (redirecting.length) {
      throw new ConflictError(
        `flow ${id} is the target of a redirect in flow(s) ${redirecting.map((h) => h.id).join(', ')}; change them first`,
        redirecting.map((h) => ({ flow: h.id, name: h.name })),
      );
    }
    if (head.numberCount > 0) {
      const numbers = await deps.numbers.listByFlow(id);
      if (!unassign) {
        throw new ConflictError(
          `flow ${id} serves ${numbers.length} number(s): ${numbers.map((n) => n.number).join(', ')}; unassign them or pass ?unassign=true`,
          numbers.map((n) => ({ number: n.number, name: n.name })),
        );
      }
      await Promise.all(numbers.map((n) => deps.numbers.unassign(n.number, deps.now(), id, by)));
      head = await deps.flows.getHead(id);
      if (head.numberCount > 0) throw new Retry(); // assigned again meanwhile
    }
    await deps.flows.delete(head, deps.now());
  });
}

/**
 * A flow's unpublished draft (DESIGN.md section 12): any JSON object the editor holds, valid or not (the
 * checker and the schema judge it when it is published), with the revision it started from.
 */
const draftBody = z.strictObject({
  document: z.record(z.string(), z.unknown()),
  baseRevision: z.number().int().min(1),
});

export async function getDraft(deps: AdminDeps, id: string): Promise<FlowDraft | undefined> {
  await deps.flows.getHead(id);
  return deps.flows.getDraft(id);
}

export async function saveDraft(deps: AdminDeps, id: string, body: unknown): Promise<FlowDraft> {
  const input = parseWith(draftBody, body);
  const head = await deps.flows.getHead(id);
  if (input.baseRevision > head.revision) {
    throw new ValidationError([{ path: 'baseRevision', message: `must be a published revision of this flow (1 to ${head.revision})` }]);
  }
  const draft = { ...input, savedAt: deps.now().toISOString() };
  await deps.flows.putDraft(id, draft);
  return draft;
}

export async function discardDraft(deps: AdminDeps, id: string): Promise<void> {
  await deps.flows.getHead(id);
  await deps.flows.deleteDraft(id);
}

// One carrier request of a call, across flows: runs the engine on one flow and, while an applet
// redirects the call to another flow, goes on in that flow's call part — at most MAX_FLOW_REDIRECTS
// times, so a redirect cycle (A -> B -> A) ends instead of spinning. The voice webhook and the
// simulator both answer through this, so the redirect protocol exists once.
// Pure: flows are reached through `load`, everything else through the engine's context.
import { startCall, type CallContext, type CallResult, type QueuedCaller } from './call-engine';
import type { CallInstruction } from './call-instructions';
import type { Step } from './engine';
import type { OutboundText } from './outbound';
import type { FlowDocument, FlowPart } from './schema';

/** A redirect applet hands the call to another flow; a chain longer than this is cut off. */
export const MAX_FLOW_REDIRECTS = 5;

/** One immutable revision of a flow, as the webhook caches it and the simulator reads it. */
export interface LoadedRevision {
  flowId: string;
  revision: number;
  document: FlowDocument;
}

/** The part of a request that ran in one flow: its applets, and the revision they belong to. */
export interface CallSegment {
  revision: LoadedRevision;
  steps: Step[];
}

export interface CallRun {
  /** Every flow the request went through, in order; the last one is where the call now is. */
  segments: CallSegment[];
  /** What the carrier is told to do: the instructions of every segment (a greeting before a redirect included). */
  instructions: CallInstruction[];
  /** Texts the segments' `text` applets decided on, in order (sent best effort by the webhook). */
  outbound: OutboundText[];
  /** Set when a redirect could not be followed: the caller must get the safe answer. */
  brokenRedirect?: { flowId: string; reason: 'redirect_limit' | 'missing_flow' };
  /** The caller was put in a queue, by the last segment's `queue` applet (of `lastRevision`). */
  queued?: QueuedCaller;
}

export interface CallRequestPorts {
  /** The current revision of a flow a redirect names; undefined when it does not exist. */
  load(flowId: string): Promise<LoadedRevision | undefined>;
  /** The engine's context for a part of this request (`visitedBefore` keeps the runaway guard counting across flows). */
  context(revision: LoadedRevision, visitedBefore: number): CallContext | Promise<CallContext>;
}

/** Runs `go` on `first`'s call part (which must exist), then follows redirects. */
export async function runCallRequest(
  first: LoadedRevision,
  go: (part: FlowPart, ctx: CallContext) => Promise<CallResult>,
  ports: CallRequestPorts,
): Promise<CallRun> {
  let revision = first;
  let result = await go(first.document.call!, await ports.context(first, 0));
  const segments: CallSegment[] = [{ revision, steps: result.steps }];
  const instructions = [...result.instructions];
  const outbound = [...result.outbound];
  let visited = result.steps.length;
  for (let hops = 0; result.redirectFlow !== undefined; hops++) {
    const flowId = result.redirectFlow;
    if (hops >= MAX_FLOW_REDIRECTS) return { segments, instructions, outbound, brokenRedirect: { flowId, reason: 'redirect_limit' } };
    const next = await ports.load(flowId);
    if (!next?.document.call) return { segments, instructions, outbound, brokenRedirect: { flowId, reason: 'missing_flow' } };
    revision = next;
    result = await startCall(next.document.call, await ports.context(next, visited));
    segments.push({ revision, steps: result.steps });
    instructions.push(...result.instructions);
    outbound.push(...result.outbound);
    visited += result.steps.length;
  }
  return { segments, instructions, outbound, ...(result.queued && { queued: result.queued }) };
}

/** Where the call now is: the revision its next action URLs must pin. */
export const lastRevision = (run: CallRun): LoadedRevision => run.segments[run.segments.length - 1].revision;

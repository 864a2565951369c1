// The voice webhook's routes that run the engine: an incoming call (number -> current revision ->
// start) and its continuation steps (pinned revision from the signed URL -> resume), the screening
// whisper (Twilio's fallback URL has a function of its own: lambdas/fallback/). Every answer is TwiML; failures become the safe answer through
// the guard (guard.ts), and routing problems the unrouted answer (unrouted.ts).
import { resumeCall, startCall, type CallContext, type CallResult } from '../flows/call-engine';
import { screenPrompt, screenResult } from '../flows/call-instructions';
import { lastRevision, runCallRequest, type CallRun, type LoadedRevision } from '../flows/call-request';
import { decodeState } from '../flows/call-state';
import type { FlowPart } from '../flows/schema';
import { countBy, METRIC } from '../observability/metrics';
import type { TraceStep } from '../store/trace-store';
import { renderCall } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import type { WebhookCaches } from './caches';
import { peopleNamedIn, schedulesNamedIn } from './caches';
import { answered, recording, storeVoicemailFromAction, transcription } from './callbacks';
import { CallRequest } from './call-links';
import { flowPorts, type WebhookDeps } from './deps';
import type { TwilioRequest } from './guard';
import { legStatus, whisper } from './legs';
import { agentAnswered, agentStatus, joinQueue, leaveQueue, queueBridged, queueWait } from './queue-routes';
import { unroutedCall } from './unrouted';
import { sendTextsBestEffort } from '../carrier/text-sender';


export async function dispatchVoice(deps: WebhookDeps, caches: WebhookCaches, request: TwilioRequest): Promise<Response> {
  const call = new CallRequest(request);
  switch (request.route) {
    case 'voice':
      return incoming(deps, caches, call);
    case 'voice/step':
      return step(deps, caches, call);
    case 'voice/screen': {
      const digits = call.param('Digits');
      return twiml(renderCall(digits !== undefined ? screenResult(digits) : screenPrompt(call.query('c')), call.urls(undefined)));
    }
    case 'voice/answered':
      return answered(deps, call);
    case 'voice/whisper':
      return whisper(deps, caches, call);
    case 'voice/leg':
      return legStatus(deps, call);
    case 'voice/queue-wait':
      return queueWait(deps, caches, call);
    case 'voice/agent':
      return agentAnswered(deps, call);
    case 'voice/agent-status':
      return agentStatus(deps, call);
    case 'voice/queue-bridged':
      return queueBridged(deps, call);
    case 'voice/recording':
      return recording(deps, call);
    case 'voice/transcription':
      return transcription(deps, call);
    default:
      return unroutedCall(deps, call, 'unknown_route');
  }
}

/** A new call: number -> current revision of its flow -> run from the start. Two reads. */
async function incoming(deps: WebhookDeps, caches: WebhookCaches, call: CallRequest): Promise<Response> {
  const number = await deps.numbers.find(call.to);
  if (!number?.flowId) return unroutedCall(deps, call, number ? 'no_flow' : 'unknown_number');
  const revision = await caches.revisions.current(deps.flows, number.flowId);
  if (!revision) return unroutedCall(deps, call, 'missing_revision');
  if (!revision.document.call) return unroutedCall(deps, call, 'no_call_part');
  return answerCall(deps, caches, call, revision, (part, ctx) => startCall(part, ctx));
}

/** A continuation: the revision comes from the signed URL, so an edit mid-call changes nothing. */
async function step(deps: WebhookDeps, caches: WebhookCaches, call: CallRequest): Promise<Response> {
  const flowId = call.query('f');
  const rev = Number(call.query('r'));
  const state = decodeState(call.request.query);
  if (!flowId || !Number.isInteger(rev) || !state) return unroutedCall(deps, call, 'bad_state');
  const revision = await caches.revisions.pinned(deps.flows, flowId, rev);
  if (!revision?.document.call) return unroutedCall(deps, call, 'missing_revision');
  // The caller who just left a message must not hear the apology and the beep again, whatever fails here.
  if (state.step === 'voicemail') await storeVoicemailFromAction(deps, call, revision.document.call, state);
  // Out of a queue (the <Enqueue> action): no longer waiting, whatever the flow does next.
  if (state.step === 'queue') await leaveQueue(deps, call, revision.document.call, state.applet);
  const input = {
    digits: call.param('Digits'),
    dialStatus: dialOutcome(call.param('DialCallStatus'), call.param('DialBridged')),
    queueResult: call.param('QueueResult'),
  };
  return answerCall(deps, caches, call, revision, (part, ctx) => resumeCall(part, state, input, ctx));
}

async function answerCall(
  deps: WebhookDeps,
  caches: WebhookCaches,
  call: CallRequest,
  first: LoadedRevision,
  go: (part: FlowPart, ctx: CallContext) => Promise<CallResult>,
): Promise<Response> {
  const run = await runCallRequest(first, go, {
    load: (flowId) => caches.revisions.current(deps.flows, flowId),
    context: (revision, visitedBefore) => callContext(deps, caches, call, revision, visitedBefore),
  });
  const at = call.now.toISOString();
  if (run.brokenRedirect) return unroutedCall(deps, call, 'bad_redirect', traceSteps(run, at, ''));
  const revision = lastRevision(run);
  const xml = renderCall(run.instructions, call.urls(revision));
  const steps = traceSteps(run, at, xml);
  if (steps.length) steps[0].input = call.traceInput();
  countApplets(steps);
  // `text` applets: sent best effort beside the trace write, never holding the answer more than a moment.
  await Promise.all([
    deps.traces.append(call.traceHeader(revision), steps),
    sendTextsBestEffort(deps.texts, run.outbound, { reason: 'text_applet', sid: call.callSid }),
    run.queued ? joinQueue(deps, call, revision, run.queued) : undefined,
  ]);
  return twiml(xml);
}

const traceSteps = (run: CallRun, at: string, xml: string): TraceStep[] =>
  run.segments.flatMap((segment) => segment.steps.map((s) => ({ at, applet: s.applet, type: s.type, twiml: xml })));

/** Per-applet counts (one EMF record per applet type this request ran). */
function countApplets(steps: TraceStep[]): void {
  const byType = new Map<string, number>();
  for (const s of steps) byType.set(s.type, (byType.get(s.type) ?? 0) + 1);
  for (const [type, n] of byType) countBy(METRIC.appletRuns, 'applet', type, n);
}

function callContext(deps: WebhookDeps, caches: WebhookCaches, call: CallRequest, revision: LoadedRevision, visitedBefore: number): CallContext {
  const part = revision.document.call!;
  return {
    now: call.now,
    from: call.from,
    to: call.to,
    callSid: call.param('CallSid'),
    // Loaded only when the engine reaches a dial: a request that stops at a menu reads no users.
    directory: () => caches.directory.get(deps.directory, Date.now(), peopleNamedIn(part)),
    // Loaded only when the engine reaches an hours applet that names a schedule: one read (the schedules
    // and their overrides together), only for flows that use one, and none within the cache's seconds.
    schedules: () => caches.schedules.get(deps.schedules, Date.now(), schedulesNamedIn(part)),
    ports: flowPorts(deps, revision.flowId),
    visitedBefore,
  };
}

/**
 * A screened callee who declines (or never presses 1) ends the whisper leg: Twilio reports that dial as
 * `completed` with `DialBridged=false`. Nobody talked to the caller, so it counts as no answer.
 */
function dialOutcome(status: string | undefined, bridged: string | undefined): string | undefined {
  return (status === 'completed' || status === 'answered') && bridged === 'false' ? 'no-answer' : status;
}

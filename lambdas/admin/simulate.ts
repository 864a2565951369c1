// POST /api/flows/{id}/simulate: a dry run of the flow's current revision (or, with `document`, of an
// unpublished draft of it) through the same engine the webhooks use. Inputs stand for what the carrier
// would post: keys for menus ("" = silence), dial outcomes (busy, no-answer, completed...) for dials.
// Nothing is stored and no counter moves.
import { z } from 'zod';
import type { SimulatedStep, Simulation } from '../api-types';
import { resumeCall, startCall, type CallContext } from '../flows/call-engine';
import { announcement, type CallInstruction, type DialInstruction, type EnqueueInstruction } from '../flows/call-instructions';
import { appletAt } from '../flows/engine';
import { waitAnswer } from '../flows/queue';
import { lastRevision, MAX_FLOW_REDIRECTS, runCallRequest, type CallRun, type LoadedRevision } from '../flows/call-request';
import { encodeState, type CallState } from '../flows/call-state';
import type { EnginePorts } from '../flows/engine';
import { FlowInvalidError, NotFoundError, ValidationError } from '../errors';
import { hasErrors } from '../flows/problems';
import { E164, flowDocumentSchema } from '../flows/schema';
import type { CarrierKeywordKind } from '../flows/carrier-keywords';
import { runSms } from '../flows/sms-engine';
import { MAX_SMS_TEXT } from '../flows/applets';
import { mailboxKey } from '../store/message-store';
import { renderCall, renderSms } from '../twilio/twiml';
import { checkAgainst, loadDirectory, type AdminDeps } from './flows';
import { parseWith } from './http';

export const simulateBody = z.strictObject({
  channel: z.enum(['call', 'sms']),
  from: z.string().min(1).max(32),
  to: z.string().regex(E164, 'must be an E.164 number like +15550100001').optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  body: z.string().max(MAX_SMS_TEXT).optional(),
  inputs: z.array(z.string().max(32)).max(50).default([]),
  /**
   * An unpublished draft of this flow (the editor's): simulated instead of the current revision, after the
   * same validation and checks as a publish (400, 422), so an edit can be tried before it goes live.
   */
  document: flowDocumentSchema.optional(),
});

const SIM_BASE = 'https://simulator.switchboard.invalid';
/**
 * The dry run never advances round-robin counters or remembers sticky members. Longest-idle reads who is
 * idle now (a read changes nothing): the simulation rings in the order a call now would.
 */
const dryPorts = (deps: AdminDeps): EnginePorts => ({
  nextRoundRobinStart: async () => 0,
  stickyMember: async () => undefined,
  rememberSticky: async () => undefined,
  presence: (userIds) => deps.presence.presence(userIds),
});
const MAX_REQUESTS = 50;

/** What the carrier does with a keyword it answers itself (DESIGN.md section 17): the flow answers nothing. */
const KEYWORD_NOTES: Record<CarrierKeywordKind, (word: string) => string> = {
  opt_out: (word) => `${word} is answered by the carrier itself: the sender is opted out of this number, and nothing is texted to them from it until they text START.`,
  opt_in: (word) => `${word} is answered by the carrier itself: the sender is opted back in to texts from this number.`,
  help: (word) => `${word} is answered by the carrier itself (its help message): the flow answers nothing.`,
};

export async function simulateFlow(deps: AdminDeps, flowId: string, raw: unknown): Promise<Simulation> {
  const input = parseWith(simulateBody, raw);
  const published = await deps.flows.getCurrent(flowId);
  if (!published) throw new NotFoundError(`flow ${flowId}`);
  const directory = await loadDirectory(deps);
  if (input.document) {
    const problems = await checkAgainst(deps, input.document, directory, { flowId });
    if (hasErrors(problems)) throw new FlowInvalidError(problems);
  }
  // A draft runs as the revision it was edited from; `draft` in the answer says it was not that revision.
  const current = input.document ? { ...published, document: input.document } : published;
  const draft = input.document !== undefined;
  const now = input.at ? new Date(input.at) : deps.now();
  const to = input.to ?? (await deps.numbers.listByFlow(flowId))[0]?.number ?? '+15550000000';

  if (input.channel === 'sms') {
    const part = current.document.sms;
    if (!part) throw new ValidationError([{ path: 'channel', message: `flow ${flowId} has no sms part` }]);
    // A STOP, START or HELP body runs as the webhook runs it: stored, answered by nothing (the carrier
    // answers those itself). Stored opt-outs are not read: the simulation answers for the flow, not the sender.
    const result = runSms(part, { now, from: input.from, to, body: input.body ?? '', media: [], directory, schedules: directory.schedules });
    // What the webhook sends through the REST API: the replies and notifications past the TwiML's 10 messages.
    const texts = (result.overflow ?? []).map((m) => ({ from: to, to: m.to, body: m.body, ...(m.media && { media: m.media }) }));
    return {
      channel: 'sms' as const, flowId, revision: current.revision, draft,
      steps: [{ flowId, revision: current.revision, applets: result.steps, input: { Body: input.body ?? '' }, twiml: renderSms(result), ...(texts.length && { texts }) }],
      stored: result.store ? mailboxKey(result.store.mailbox) : null,
      ended: true,
      ...(result.carrierKeyword && { note: KEYWORD_NOTES[result.carrierKeyword.kind](result.carrierKeyword.word) }),
    };
  }

  if (!current.document.call) throw new ValidationError([{ path: 'channel', message: `flow ${flowId} has no call part` }]);
  const inputs = [...input.inputs];
  const steps: SimulatedStep[] = [];
  // Schedules as the webhooks see them, overrides included (each decided at `at`: an override over by then is not applied).
  const ports = dryPorts(deps);
  const ctx = (visitedBefore: number): CallContext => ({ now, from: input.from, to, directory, schedules: directory.schedules, ports, visitedBefore });
  // What an announcing dial's whisper says: the called number's name, read once.
  const numberName = (await deps.numbers.find(to))?.name;
  const whisperOf = (instructions: CallInstruction[]) => {
    const dial = instructions.find((i): i is DialInstruction => i.kind === 'dial' && i.announce !== undefined);
    return dial?.announce !== undefined ? announcement(dial.announce, { number: to, name: numberName }) : undefined;
  };
  // What a queued caller hears first (the wait URL's first answer), as TwiML.
  const queueWaitOf = (run: CallRun) => {
    const enqueue = run.instructions.find((i): i is EnqueueInstruction => i.kind === 'enqueue');
    const part = lastRevision(run).document.call;
    const applet = enqueue && part ? appletAt(part, enqueue.action.applet) : undefined;
    return applet?.type === 'queue' ? renderCall(waitAnswer(enqueue!.action.applet, applet, { queueTime: 0, position: 1 }), simulatorUrls(lastRevision(run))) : undefined;
  };
  const loader = {
    load: async (id: string) => {
      // A redirect back into this flow runs the draft too.
      if (id === flowId) return { flowId, revision: current.revision, document: current.document };
      const next = await deps.flows.getCurrent(id);
      return next && { flowId: id, revision: next.revision, document: next.document };
    },
    context: (_revision: LoadedRevision, visitedBefore: number) => ctx(visitedBefore),
  };
  const answer = (ended: boolean, note?: string): Simulation => ({ channel: 'call' as const, flowId, revision: current.revision, draft, steps, ended, ...(note && { note }) });
  let run = await runCallRequest({ flowId, revision: current.revision, document: current.document }, (part, c) => startCall(part, c), loader);
  let carrierInput: Record<string, string> | undefined;
  for (let requests = 1; ; requests++) {
    steps.push(...simulatedSteps(run, carrierInput, whisperOf(run.instructions), queueWaitOf(run)));
    if (run.brokenRedirect) {
      const { flowId: target, reason } = run.brokenRedirect;
      return answer(true, reason === 'redirect_limit'
        ? `redirect to ${target}: more than ${MAX_FLOW_REDIRECTS} redirects in one request (a redirect loop); the caller would get the safe answer`
        : `redirect to ${target}: no such flow or no call part (the caller would get the safe answer)`);
    }
    const next = nextRequest(run.instructions, inputs);
    if (!next) return answer(true);
    if (next === 'out-of-inputs') return answer(false);
    if (requests >= MAX_REQUESTS) return answer(false, `stopped after ${MAX_REQUESTS} requests`);
    carrierInput = next.input;
    const at = lastRevision(run);
    run = await runCallRequest(at, (part, c) => resumeCall(part, next.state, { digits: next.input.Digits, dialStatus: next.input.DialCallStatus, queueResult: next.input.QueueResult }, c), loader);
  }
}

/** One entry per flow the request went through; the TwiML (the whole answer) on the last one. */
function simulatedSteps(run: CallRun, input: Record<string, string> | undefined, whisper: string | undefined, queueWait: string | undefined): SimulatedStep[] {
  const last = lastRevision(run);
  const xml = renderCall(run.instructions, simulatorUrls(last));
  return run.segments.map((segment, i) => ({
    flowId: segment.revision.flowId,
    revision: segment.revision.revision,
    applets: segment.steps,
    ...(i === 0 && input && { input }),
    twiml: i === run.segments.length - 1 ? xml : '',
    ...(i === run.segments.length - 1 && run.outbound.length && { texts: run.outbound }),
    ...(i === run.segments.length - 1 && whisper !== undefined && { whisper }),
    ...(i === run.segments.length - 1 && queueWait !== undefined && { queueWait }),
  }));
}

function simulatorUrls(flow: LoadedRevision) {
  return {
    action: (s: CallState) => `${SIM_BASE}/twilio/voice/step?${new URLSearchParams({ f: flow.flowId, r: String(flow.revision), ...encodeState(s) })}`,
    screen: `${SIM_BASE}/twilio/voice/screen`,
    whisper: ({ applet }: { applet: string }) => `${SIM_BASE}/twilio/voice/whisper?${new URLSearchParams({ f: flow.flowId, r: String(flow.revision), a: applet })}`,
    queueWait: (applet: string, lastAnnounced?: number) =>
      `${SIM_BASE}/twilio/voice/queue-wait?${new URLSearchParams({ f: flow.flowId, r: String(flow.revision), a: applet, ...(lastAnnounced !== undefined && { la: String(lastAnnounced) }) })}`,
    recordingStatus: () => `${SIM_BASE}/twilio/voice/recording`,
    transcription: () => `${SIM_BASE}/twilio/voice/transcription`,
  };
}

/** What the carrier would post next, following the TwiML as Twilio does; undefined when the call is over. */
function nextRequest(instructions: CallInstruction[], inputs: string[]): { state: CallState; input: Record<string, string> } | 'out-of-inputs' | undefined {
  for (const instruction of instructions) {
    switch (instruction.kind) {
      case 'gather': {
        if (!inputs.length) return 'out-of-inputs';
        const digits = inputs.shift()!;
        // No key: Twilio skips the action and runs the next verb (the redirect that asks again).
        if (digits === '' || digits === 'silence') continue;
        return { state: instruction.action!, input: { Digits: digits } };
      }
      case 'dial': {
        if (!inputs.length) return 'out-of-inputs';
        return { state: instruction.action, input: { DialCallStatus: inputs.shift()! } };
      }
      case 'enqueue': {
        // How the caller leaves the queue: a member takes them (bridged), they wait it out (timeout: Twilio's
        // QueueResult leave), or they hang up.
        if (!inputs.length) return 'out-of-inputs';
        const how = inputs.shift()!;
        return { state: instruction.action, input: { QueueResult: how === 'timeout' ? 'leave' : how } };
      }
      case 'record':
        return undefined; // the caller leaves a message; the call ends
      case 'redirect':
        return { state: instruction.to, input: {} };
      case 'hangup':
        return undefined;
      default:
        continue;
    }
  }
  return undefined;
}


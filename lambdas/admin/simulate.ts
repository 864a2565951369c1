// POST /api/flows/{id}/simulate: a dry run of the flow's current revision through the same engine the
// webhooks use. Inputs stand for what the carrier would post: keys for menus ("" = silence), dial
// outcomes (busy, no-answer, completed...) for dials. Nothing is stored and no counter moves.
import { z } from 'zod';
import { resumeCall, startCall, type CallContext, type CallResult } from '../flows/call-engine';
import { encodeState, type CallState } from '../flows/call-state';
import type { EnginePorts } from '../flows/engine';
import { NotFoundError, ValidationError } from '../flows/errors';
import { E164 } from '../flows/schema';
import { runSms } from '../flows/sms-engine';
import { renderCall, renderSms } from '../twilio/twiml';
import { loadDirectory, type AdminDeps } from './flows';
import { parseWith } from './http';

export const simulateBody = z.strictObject({
  channel: z.enum(['call', 'sms']),
  from: z.string().min(1).max(32),
  to: z.string().regex(E164, 'must be an E.164 number like +15550100001').optional(),
  at: z.iso.datetime({ offset: true }).optional(),
  body: z.string().max(1600).optional(),
  inputs: z.array(z.string().max(32)).max(50).default([]),
});

export interface SimulatedStep {
  flowId: string;
  revision: number;
  applets: Array<{ applet: string; type: string }>;
  input?: Record<string, string>;
  twiml: string;
}

const SIM_BASE = 'https://simulator.switchboard.invalid';
/** The dry run never advances round-robin counters or remembers sticky members. */
const DRY_PORTS: EnginePorts = {
  nextRoundRobinStart: async () => 0,
  stickyMember: async () => undefined,
  rememberSticky: async () => undefined,
};
const MAX_REQUESTS = 50;

export async function simulateFlow(deps: AdminDeps, flowId: string, raw: unknown) {
  const input = parseWith(simulateBody, raw);
  const current = await deps.flows.getCurrent(flowId);
  if (!current) throw new NotFoundError(`flow ${flowId}`);
  const directory = await loadDirectory(deps);
  const now = input.at ? new Date(input.at) : deps.now();
  const to = input.to ?? (await deps.numbers.listByFlow(flowId))[0]?.number ?? '+15550000000';

  if (input.channel === 'sms') {
    const part = current.document.sms;
    if (!part) throw new ValidationError([{ path: 'channel', message: `flow ${flowId} has no sms part` }]);
    const result = runSms(part, { now, from: input.from, to, body: input.body ?? '', media: [], directory });
    return {
      channel: 'sms', flowId, revision: current.revision,
      steps: [{ flowId, revision: current.revision, applets: result.steps, input: { Body: input.body ?? '' }, twiml: renderSms(result) }],
      stored: result.store ? (result.store.mailbox === 'unrouted' ? 'unrouted' : `${result.store.mailbox.kind}#${result.store.mailbox.id}`) : null,
      ended: true,
    };
  }

  if (!current.document.call) throw new ValidationError([{ path: 'channel', message: `flow ${flowId} has no call part` }]);
  const inputs = [...input.inputs];
  const steps: SimulatedStep[] = [];
  let flow = { id: flowId, revision: current.revision, part: current.document.call };
  const ctx = (visitedBefore = 0): CallContext => ({ now, from: input.from, to, directory, ports: DRY_PORTS, visitedBefore });
  let result: CallResult = await startCall(flow.part, ctx());
  let carrierInput: Record<string, string> | undefined;
  for (let requests = 0; requests < MAX_REQUESTS; requests++) {
    while (result.redirectFlow !== undefined) {
      steps.push(step(flow, result, carrierInput));
      carrierInput = undefined;
      const next = await deps.flows.getCurrent(result.redirectFlow);
      if (!next?.document.call) return { channel: 'call', flowId, revision: current.revision, steps, ended: true, note: `redirect to ${result.redirectFlow}: no such flow or no call part (the caller would get the safe answer)` };
      flow = { id: result.redirectFlow, revision: next.revision, part: next.document.call };
      result = await startCall(flow.part, ctx());
    }
    steps.push(step(flow, result, carrierInput));
    const next = nextRequest(result, inputs);
    if (!next) return { channel: 'call', flowId, revision: current.revision, steps, ended: true };
    if (next === 'out-of-inputs') return { channel: 'call', flowId, revision: current.revision, steps, ended: false };
    carrierInput = next.input;
    result = await resumeCall(flow.part, next.state, { digits: next.input.Digits, dialStatus: next.input.DialCallStatus }, ctx());
  }
  return { channel: 'call', flowId, revision: current.revision, steps, ended: false, note: `stopped after ${MAX_REQUESTS} requests` };
}

function step(flow: { id: string; revision: number }, result: CallResult, input: Record<string, string> | undefined): SimulatedStep {
  const urls = {
    action: (s: CallState) => `${SIM_BASE}/twilio/voice/step?${new URLSearchParams({ f: flow.id, r: String(flow.revision), ...encodeState(s) })}`,
    screen: `${SIM_BASE}/twilio/voice/screen`,
    recordingStatus: () => `${SIM_BASE}/twilio/voice/recording`,
    transcription: () => `${SIM_BASE}/twilio/voice/transcription`,
  };
  return { flowId: flow.id, revision: flow.revision, applets: result.steps, ...(input && { input }), twiml: renderCall(result.instructions, urls) };
}

/** What the carrier would post next, following the TwiML as Twilio does; undefined when the call is over. */
function nextRequest(result: CallResult, inputs: string[]): { state: CallState; input: Record<string, string> } | 'out-of-inputs' | undefined {
  for (let i = 0; i < result.instructions.length; i++) {
    const instruction = result.instructions[i];
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


// Property-based tests of the engines (issue 10): random valid flows driven by random carrier input.
// The call and sms engines never throw, always answer something the TwiML renderer turns into a
// response, stop within their guards; and a flow the checker passes never reaches a dead end.
import fc from 'fast-check';
import { resumeCall, startCall, type CallContext, type CallResult, type ResumeInput } from '../../lambdas/flows/call-engine';
import type { CallInstruction, RecordInstruction } from '../../lambdas/flows/call-instructions';
import { decodeState, encodeState, type CallState } from '../../lambdas/flows/call-state';
import { checkFlow } from '../../lambdas/flows/checker';
import { MAX_APPLETS_PER_REQUEST, type EnginePorts } from '../../lambdas/flows/engine';
import type { Directory } from '../../lambdas/flows/people';
import { hasErrors } from '../../lambdas/flows/problems';
import type { FlowDocument, FlowPart } from '../../lambdas/flows/schema';
import { runSms, type SmsResult } from '../../lambdas/flows/sms-engine';
import { renderCall, renderSms, type CallUrls } from '../../lambdas/twilio/twiml';
import {
  callerArb, carrierStepArb, directoryArb, FC_SEED, flowArb, FLOW_NUMBER, momentArb, portAnswersArb, xmlText, type CarrierStep,
} from '../support/flow-arbitraries';

const RUNS = 400;
/** Carrier requests one generated call may take (a menu can loop for ever with input: the drive stops here). */
const MAX_REQUESTS = 12;

const BASE = 'https://calls.example.com/twilio/voice';
const urls: CallUrls = {
  action: (state: CallState) => `${BASE}/step?${new URLSearchParams({ f: 'flw_1', r: '1', ...encodeState(state) })}`,
  screen: `${BASE}/screen?c=%2B15550107777`,
  answered: (key, userId, screen) => `${BASE}/answered?${new URLSearchParams({ k: key, u: userId, s: screen ? '1' : '0' })}`,
  recordingStatus: (r: RecordInstruction) => `${BASE}/recording?mb=${r.mailbox.kind}%23${r.mailbox.id}&cb=1`,
  transcription: () => `${BASE}/transcription`,
};

const ports = (answers: { counter: number; sticky: string | undefined }): EnginePorts => ({
  nextRoundRobinStart: async () => answers.counter,
  stickyMember: async () => answers.sticky,
  rememberSticky: async () => {},
  presence: async () => new Map(),
});

/** What every answer must look like, whatever the flow: TwiML that ends in something the carrier acts on. */
function expectAnswer(result: CallResult): string {
  expect(result.steps.length).toBeLessThanOrEqual(MAX_APPLETS_PER_REQUEST + 1);
  if (result.redirectFlow !== undefined) return '';
  const xml = renderCall(result.instructions, urls);
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
  expect(xml.endsWith('</Response>')).toBe(true);
  expect(xml).not.toMatch(/undefined|NaN|\[object /);
  // The carrier is never left with nothing to do: the last verb waits (redirect after a gather, dial) or hangs up.
  expect(['redirect', 'dial', 'hangup']).toContain(result.instructions[result.instructions.length - 1]?.kind);
  for (const i of result.instructions) if (i.kind === 'dial') expect(i.targets.length).toBeGreaterThanOrEqual(1);
  for (const i of result.instructions) if (i.kind === 'dial') expect(i.targets.length).toBeLessThanOrEqual(10);
  return xml;
}

/** The carrier's next request for `result`, as the webhook would get it (state through the URL), or undefined when the call is over. */
function nextRequest(result: CallResult, step: CarrierStep): { state: CallState; input: ResumeInput } | undefined {
  if (result.redirectFlow !== undefined) return undefined;
  const waiting = result.instructions.find((i): i is Extract<CallInstruction, { kind: 'gather' | 'dial' | 'record' }> =>
    i.kind === 'gather' || i.kind === 'dial' || i.kind === 'record');
  if (!waiting) return undefined;
  const state = decodeState(Object.fromEntries(new URLSearchParams(encodeState(waiting.action as CallState)))) as CallState;
  expect(state).toEqual(waiting.action);
  if (waiting.kind === 'gather') return { state, input: step.pressed ? { digits: step.digits } : {} };
  if (waiting.kind === 'dial') {
    const answered = step.dialStatus === 'completed' && step.bridged === 'false' ? 'no-answer' : step.dialStatus;
    return { state, input: { dialStatus: answered } };
  }
  return { state, input: {} };
}

/** Drives one call through the part: the first request, then one per carrier step. Returns every answer. */
async function driveCall(part: FlowPart, ctx: CallContext, steps: CarrierStep[]): Promise<CallResult[]> {
  const results = [await startCall(part, ctx)];
  for (const step of steps.slice(0, MAX_REQUESTS)) {
    const next = nextRequest(results[results.length - 1], step);
    if (!next) break;
    results.push(await resumeCall(part, next.state, next.input, ctx));
  }
  return results;
}

const callCase = (noisy: boolean) =>
  fc.record({
    doc: flowArb(noisy),
    directory: directoryArb,
    from: callerArb,
    now: momentArb,
    answers: portAnswersArb,
    lazy: fc.boolean(),
    steps: fc.array(carrierStepArb, { maxLength: MAX_REQUESTS }),
  });

function contextOf(c: { directory: Directory; from: string; now: Date; answers: { counter: number; sticky: string | undefined }; lazy: boolean }): CallContext {
  return {
    now: c.now,
    from: c.from,
    to: FLOW_NUMBER,
    callSid: 'CA00000000000000000000000000000001',
    directory: c.lazy ? async () => c.directory : c.directory,
    ports: ports(c.answers),
  };
}

const isDeadEnd = (r: CallResult | SmsResult) => r.steps.some((s) => s.type === 'missing' || s.type === 'guard');

describe('the call engine, on random flows and random carrier input', () => {
  it('never throws, always answers TwiML the carrier can act on, and stops within its guards', async () => {
    await fc.assert(
      fc.asyncProperty(callCase(true), async (c) => {
        if (!c.doc.call) return;
        for (const result of await driveCall(c.doc.call, contextOf(c), c.steps)) expectAnswer(result);
      }),
      { seed: FC_SEED, numRuns: RUNS },
    );
  });

  it('a flow the checker passes never reaches a dead end, whatever the caller presses and the dial reports', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(callCase(false), async (c) => {
        if (!c.doc.call || hasErrors(checkFlow(c.doc, c.directory, { flowId: 'flw_1', now: c.now }))) return;
        checked++;
        for (const result of await driveCall(c.doc.call, contextOf(c), c.steps)) {
          expectAnswer(result);
          expect(isDeadEnd(result)).toBe(false);
        }
      }),
      { seed: FC_SEED, numRuns: RUNS },
    );
    // The property means something only if many generated flows passed the checker.
    expect(checked).toBeGreaterThan(RUNS / 4);
  });
});

const smsCase = (noisy: boolean) =>
  fc.record({
    doc: flowArb(noisy),
    directory: directoryArb,
    from: callerArb,
    now: momentArb,
    body: fc.oneof(xmlText({ minLength: 0, maxLength: 200 }), fc.constantFrom('SALES please', 'stop.', '  help! ', '', 'été')),
    media: fc.array(fc.record({ url: fc.constant('https://api.twilio.com/media/ME1'), contentType: fc.constantFrom('image/jpeg', 'video/mp4') }), { maxLength: 3 }),
  });

function textOnce(doc: FlowDocument, c: { directory: Directory; from: string; now: Date; body: string; media: Array<{ url: string; contentType: string }> }): SmsResult {
  const result = runSms(doc.sms!, { now: c.now, from: c.from, to: FLOW_NUMBER, body: c.body, media: c.media, directory: c.directory });
  expect(result.steps.length).toBeLessThanOrEqual(MAX_APPLETS_PER_REQUEST + 1);
  const xml = renderSms(result);
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response')).toBe(true);
  expect(xml).not.toMatch(/undefined|NaN|\[object /);
  return result;
}

describe('the sms engine, on random flows and random texts', () => {
  it('never throws, always answers TwiML, stops within its guards, and keeps a text it cannot route', () => {
    fc.assert(
      fc.property(smsCase(true), (c) => {
        if (!c.doc.sms) return;
        const result = textOnce(c.doc, c);
        // Nothing is lost: a broken flow still stores the text (in unrouted).
        if (isDeadEnd(result)) expect(result.store).toEqual({ mailbox: 'unrouted' });
      }),
      { seed: FC_SEED, numRuns: RUNS },
    );
  });

  it('a flow the checker passes never reaches a dead end: every text ends stored, forwarded or answered', () => {
    let checked = 0;
    fc.assert(
      fc.property(smsCase(false), (c) => {
        if (!c.doc.sms || hasErrors(checkFlow(c.doc, c.directory, { flowId: 'flw_1', now: c.now }))) return;
        checked++;
        const result = textOnce(c.doc, c);
        expect(isDeadEnd(result)).toBe(false);
        const last = c.doc.sms.applets[result.steps[result.steps.length - 1].applet];
        expect(['inbox', 'forward', 'reply']).toContain(last.type);
        if (last.type === 'reply') expect(last.next ? last.next : undefined).toBeUndefined();
      }),
      { seed: FC_SEED, numRuns: RUNS },
    );
    expect(checked).toBeGreaterThan(RUNS / 4);
  });
});

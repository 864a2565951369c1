// The call engine: runs a flow's call part from its start, or resumes it where a waiting applet left
// it, and says what the carrier should do next. Instant applets (say, hours, caller) run in the same
// request until one waits for the caller or the network (menu, dial, voicemail) or ends the call, so a
// typical call costs one webhook round trip before the caller hears anything.
// Pure domain code: storage is reached only through EnginePorts, time only through ctx.now.
import { HANGUP, say, type CallInstruction, type RecordInstruction } from './call-instructions';
import { isAnonymousCaller, matchCaller } from './caller-match';
import type { CallState, DialState, MenuState } from './call-state';
import { nextRound, planDial, replanDial, stickyKey, type DialPlan } from './dial-plan';
import { APOLOGY, appletAt, branchTarget, mailboxOf, MAX_APPLETS_PER_REQUEST, type EnginePorts, type Step } from './engine';
import { appletIsOpen, type Schedules } from './hours';
import type { Directory } from './people';
import { CALL_APPLETS, dialListKey, E164 } from './applets';
import { canTextBack, notifyChannels, type OutboundText } from './outbound';
import { leftWithoutAgent, type QueueTarget } from './queue';
import type { Applet, AppletOf, FlowPart, Prompt } from './schema';

export interface CallContext {
  now: Date;
  /** The caller's number as the carrier sent it (may be "anonymous" or empty). */
  from: string;
  /** The flow's number that was called (E.164): the caller id for `callerId: "number"` dials. */
  to: string;
  /** The carrier's id of this call (Twilio's CallSid): a replayed request is the same call, not a new one. */
  callSid?: string;
  /**
   * Users and groups, or a way to load them: only a dial needs them, so a request that stops at a menu
   * or a voicemail never loads them (the webhook passes a loader; tests may pass the directory itself).
   */
  directory: Directory | (() => Promise<Directory>);
  /**
   * The shared schedules the part's `hours` applets name, or a way to load them: only an `hours` applet
   * with a `schedule` needs them, so a flow without one never reads a schedule. Absent: none known (such
   * an applet takes `closed`).
   */
  schedules?: Schedules | (() => Promise<Schedules>);
  ports: EnginePorts;
  /**
   * Applets already visited in this request before this part was entered (after a `redirect` from
   * another flow), so the runaway guard counts across flows.
   */
  visitedBefore?: number;
}

/** What the carrier posted to the action URL that resumes the call. */
export interface ResumeInput {
  /** Gather: the key pressed; absent or "" when the caller pressed nothing (the redirect after the gather). */
  digits?: string;
  /** Dial: Twilio's DialCallStatus. */
  dialStatus?: string;
  /** Dial: the user who answered, when the handler knows it (e.g. from screening); used only to remember a sticky answer. */
  answeredBy?: string;
  /** Queue: Twilio's QueueResult when the caller left the queue (bridged, leave, hangup, queue-full...). */
  queueResult?: string;
}

export interface CallResult {
  instructions: CallInstruction[];
  /** The applets visited in this request, in order (the trace). */
  steps: Step[];
  /**
   * Texts to send on the way (`text` applets), through the carrier's REST API. Data, not I/O: the
   * webhook sends them best effort, and the call never waits on them or fails because of them.
   */
  outbound: OutboundText[];
  /**
   * Set when the call goes on in another flow: load that flow's call part and `startCall` it, with
   * `visitedBefore: steps.length`, appending its instructions and steps to these.
   */
  redirectFlow?: string;
  /**
   * The caller was put in a queue (`queue` applet): the webhook records them as waiting and has the
   * queue's members offered the call. Data, as texts are.
   */
  queued?: QueuedCaller;
}

/** A caller joining a queue: which, through which applet, and who may take them. */
export interface QueuedCaller {
  queue: string;
  applet: string;
  targets: QueueTarget[];
}

export const DEFAULT_VOICEMAIL_PROMPT: Prompt = { text: 'Please leave a message after the tone.' };

/** DialCallStatus values meaning someone answered and the conversation is over (`answered`: old API versions). */
const ANSWERED = new Set(['completed', 'answered']);
const CALL_TYPES: ReadonlySet<string> = new Set(CALL_APPLETS);

const directoryOf = (ctx: CallContext): Promise<Directory> =>
  typeof ctx.directory === 'function' ? ctx.directory() : Promise.resolve(ctx.directory);

const schedulesOf = (ctx: CallContext): Promise<Schedules | undefined> =>
  typeof ctx.schedules === 'function' ? ctx.schedules() : Promise.resolve(ctx.schedules);

/** A new call: run from the part's start. */
export async function startCall(part: FlowPart, ctx: CallContext): Promise<CallResult> {
  return walk(part, part.start, ctx, newRun());
}

/** A continuation: the carrier posted back to the action URL written with `state`. */
export async function resumeCall(part: FlowPart, state: CallState, input: ResumeInput, ctx: CallContext): Promise<CallResult> {
  const run = newRun();
  const applet = appletAt(part, state.applet);
  // Revisions are pinned, so this only happens with a hand-made URL or a bug: end politely.
  if (!applet || applet.type !== state.step) return endBadly(run, state.applet, 'missing');
  run.steps.push({ applet: state.applet, type: applet.type });
  const outcome = await resumeApplet(state, applet, input, ctx);
  return follow(part, outcome, ctx, run);
}

// ---------------------------------------------------------------------------------------------------
// The walk

/** What one applet decided: emit these instructions, then go on to a branch or stop here. */
type Outcome =
  | { emit: CallInstruction[]; then: 'next'; next: string | undefined; send?: OutboundText[] }
  | { emit: CallInstruction[]; then: 'stop'; redirectFlow?: string; queued?: QueuedCaller };

const goOn = (emit: CallInstruction[], next: string | undefined, send?: OutboundText[]): Outcome => ({ emit, then: 'next', next, ...(send && { send }) });
const stop = (emit: CallInstruction[], redirectFlow?: string): Outcome => ({ emit, then: 'stop', redirectFlow });

interface Run {
  instructions: CallInstruction[];
  steps: Step[];
  outbound: OutboundText[];
  queued?: QueuedCaller;
}

const newRun = (): Run => ({ instructions: [], steps: [], outbound: [] });

async function walk(part: FlowPart, first: string | undefined, ctx: CallContext, run: Run): Promise<CallResult> {
  let id = branchTarget(first);
  for (;;) {
    if (run.steps.length + (ctx.visitedBefore ?? 0) >= MAX_APPLETS_PER_REQUEST) return endBadly(run, id ?? '', 'guard');
    const applet = id === undefined ? undefined : appletAt(part, id);
    // An unset branch, an unknown applet or an sms applet in the call part: a dead end the checker
    // refuses to publish; if one is met anyway the caller hears an apology, not silence.
    if (id === undefined || !applet || !CALL_TYPES.has(applet.type)) return endBadly(run, id ?? '', 'missing');
    run.steps.push({ applet: id, type: applet.type });
    const outcome = await enterApplet(id, applet, ctx);
    run.instructions.push(...outcome.emit);
    if (outcome.then === 'stop') return finish(outcome.queued ? { ...run, queued: outcome.queued } : run, outcome.redirectFlow);
    if (outcome.send) run.outbound.push(...outcome.send);
    id = branchTarget(outcome.next);
  }
}

async function follow(part: FlowPart, outcome: Outcome, ctx: CallContext, run: Run): Promise<CallResult> {
  run.instructions.push(...outcome.emit);
  return outcome.then === 'stop' ? finish(run, outcome.redirectFlow) : walk(part, outcome.next, ctx, run);
}

function finish(run: Run, redirectFlow: string | undefined): CallResult {
  return {
    instructions: run.instructions, steps: run.steps, outbound: run.outbound,
    ...(redirectFlow !== undefined && { redirectFlow }),
    ...(run.queued && { queued: run.queued }),
  };
}

/** The flow cannot go on: keep what was already said, apologise and hang up; the step says why. */
function endBadly(run: Run, applet: string, type: 'guard' | 'missing'): CallResult {
  run.steps.push({ applet, type });
  run.instructions.push(say(APOLOGY), HANGUP);
  return finish(run, undefined);
}


// ---------------------------------------------------------------------------------------------------
// Entering an applet

async function enterApplet(id: string, applet: Applet, ctx: CallContext): Promise<Outcome> {
  switch (applet.type) {
    case 'say':
      return goOn([say(applet.prompt, applet.loop)], applet.next);
    case 'hours':
      return goOn([], appletIsOpen(applet, applet.schedule !== undefined ? await schedulesOf(ctx) : undefined, ctx.now) ? applet.open : applet.closed);
    case 'caller':
      return goOn([], matchCaller(applet, ctx.from));
    case 'menu':
      return stop(askMenu(id, applet, 1));
    case 'dial':
      return ring(id, applet, await planDial(id, applet, ctx.from, await directoryOf(ctx), ctx.ports, ctx.callSid), 0, ctx, true);
    case 'voicemail':
      return stop(recordVoicemail(id, applet));
    case 'text':
      return goOn([], applet.next, textBack(applet, ctx));
    case 'queue':
      return {
        emit: [{ kind: 'enqueue', queue: applet.name, action: { step: 'queue', applet: id } }],
        then: 'stop',
        queued: { queue: applet.name, applet: id, targets: applet.targets },
      };
    case 'redirect':
      return stop([], applet.flow);
    case 'hangup':
      return stop([HANGUP]);
    default:
      // Unreachable: walk() lets only call applets in.
      return goOn([], undefined);
  }
}

async function resumeApplet(state: CallState, applet: Applet, input: ResumeInput, ctx: CallContext): Promise<Outcome> {
  if (state.step === 'menu' && applet.type === 'menu') return answerMenu(state, applet, input.digits);
  if (state.step === 'dial' && applet.type === 'dial') return dialResult(state, applet, input, ctx);
  // Out of the queue: without an agent (our <Leave/> after maxWaitSeconds, a full queue) the timeout
  // branch; bridged (the conversation is over by now), hung up or redirected, the call ends.
  if (state.step === 'queue' && applet.type === 'queue') return leftWithoutAgent(input.queueResult) ? goOn([], applet.timeout) : stop([HANGUP]);
  // The recording is over (the handler stores it): the call ends.
  return stop([HANGUP]);
}

// ---------------------------------------------------------------------------------------------------
// Menu

type MenuApplet = AppletOf<'menu'>;

/**
 * Ask for one key. Without a key the carrier does not call the gather's action but runs the next
 * instruction: the redirect carries the same state, and resuming it without digits counts the miss.
 */
function askMenu(id: string, menu: MenuApplet, attempt: number): CallInstruction[] {
  const state: MenuState = { step: 'menu', applet: id, attempt };
  return [
    { kind: 'gather', prompt: menu.prompt, timeoutSeconds: menu.timeoutSeconds, action: state },
    { kind: 'redirect', to: state },
  ];
}

function answerMenu(state: MenuState, menu: MenuApplet, digits: string | undefined): Outcome {
  const key = digits ?? '';
  if (key !== '' && Object.hasOwn(menu.options, key)) return goOn([], menu.options[key]);
  // A wrong key hears why before being asked again (or before the fallback); silence just asks again.
  const explain = key !== '' && menu.invalidPrompt ? [say(menu.invalidPrompt)] : [];
  if (state.attempt >= menu.attempts) return goOn(explain, menu.fallback);
  return stop([...explain, ...askMenu(state.applet, menu, state.attempt + 1)]);
}

// ---------------------------------------------------------------------------------------------------
// Dial

type DialApplet = AppletOf<'dial'>;

/**
 * Ring the round starting at `pos`, or take `noAnswer` when nobody is left to ring. The first round of a
 * recorded dial is preceded by its `recordingNotice` (the caller hears it once, before anything is recorded).
 */
function ring(id: string, dial: DialApplet, plan: DialPlan, pos: number, ctx: CallContext, first = false): Outcome {
  const round = nextRound(dial, plan, pos);
  if (!round) return goOn([], dial.noAnswer);
  const onlyUser = round.ringers.length === 1 ? round.ringers[0].userId : undefined;
  const list = dialListKey(dial);
  const action: DialState = {
    step: 'dial',
    applet: id,
    pos: round.next,
    ...(plan.rr !== undefined && { rr: plan.rr }),
    ...(plan.idle !== undefined && { idle: plan.idle }),
    ...(plan.sticky !== undefined && { sticky: plan.sticky }),
    // Only a sticky dial needs to know later who answered.
    ...(dial.sticky && list !== undefined && onlyUser !== undefined && { user: onlyUser }),
  };
  const notice = first && dial.record && dial.recordingNotice ? [say(dial.recordingNotice)] : [];
  return stop([...notice, {
    kind: 'dial',
    targets: round.ringers.flatMap((r) => r.targets),
    timeoutSeconds: dial.ringSeconds,
    callerId: dial.callerId === 'number' || !canShowCaller(ctx.from) ? ctx.to : 'caller',
    record: dial.record,
    screen: dial.screen,
    ...(dial.announce !== undefined && { announce: dial.announce }),
    // Rounds of several ringers (simultaneous, perRound > 1) only learn who answered from the answering leg.
    ...(dial.sticky && list !== undefined && !isAnonymousCaller(ctx.from) && { stickyKey: stickyKey(id, list, ctx.from) }),
    action,
  }]);
}

/**
 * Whether the dial can pass the caller's own number on. Twilio accepts only the calling number, the
 * called number or a verified one (error 13214): a softphone caller (`client:alice`) has no number, a
 * withheld one shows as "anonymous" or stand-in digits, and anything that is not E.164 may be refused by
 * the destination carrier. Those dials show the number that was called instead.
 */
function canShowCaller(from: string): boolean {
  return E164.test(from.trim()) && !isAnonymousCaller(from);
}

/**
 * The dial's action. An answered call that has ended hangs up — never the noAnswer branch (OpenVBX
 * issue #17: callers heard the voicemail prompt after a finished conversation). Anything else
 * (busy, no-answer, failed, canceled) rings the next round, and finally takes noAnswer.
 */
async function dialResult(state: DialState, dial: DialApplet, input: ResumeInput, ctx: CallContext): Promise<Outcome> {
  if (input.dialStatus !== undefined && ANSWERED.has(input.dialStatus)) {
    await rememberAnswer(state, dial, input.answeredBy ?? state.user, ctx);
    return stop([HANGUP]);
  }
  return ring(state.applet, dial, replanDial(dial, state, await directoryOf(ctx)), state.pos, ctx);
}

/**
 * A sticky dial remembers who answered this caller. Best effort: the conversation is already over,
 * and failing this request would make the carrier play the fallback answer (a voicemail prompt) to a
 * caller who has hung up or is about to.
 */
async function rememberAnswer(state: DialState, dial: DialApplet, userId: string | undefined, ctx: CallContext): Promise<void> {
  const list = dialListKey(dial);
  if (!dial.sticky || list === undefined || !userId || isAnonymousCaller(ctx.from)) return;
  try {
    await ctx.ports.rememberSticky(stickyKey(state.applet, list, ctx.from), userId, ctx.now);
  } catch {
    // Next time the caller is rung in the usual order.
  }
}

// ---------------------------------------------------------------------------------------------------
// Text back

/**
 * The caller gets the text from the number they called. A withheld caller or a softphone has no number
 * to text: the applet is skipped (it is still in the trace) and the call goes on all the same.
 */
function textBack(applet: AppletOf<'text'>, ctx: CallContext): OutboundText[] {
  return canTextBack(ctx.from) ? [{ from: ctx.to, to: ctx.from.trim(), body: applet.text }] : [];
}

// ---------------------------------------------------------------------------------------------------
// Voicemail

/**
 * Prompt, then record. The hangup after the record only plays when nothing was recorded (the carrier
 * then skips the record's action and runs the next instruction): the call ends either way.
 */
function recordVoicemail(id: string, vm: AppletOf<'voicemail'>): CallInstruction[] {
  const record: RecordInstruction = {
    kind: 'record',
    maxSeconds: vm.maxSeconds,
    transcribe: vm.transcribe,
    notify: notifyChannels(vm.notify),
    mailbox: mailboxOf(vm.mailbox),
    action: { step: 'voicemail', applet: id },
  };
  return [say(vm.prompt ?? DEFAULT_VOICEMAIL_PROMPT), record, HANGUP];
}

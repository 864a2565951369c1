// Plays the carrier against a running stack: posts the webhooks Twilio would post, signed as Twilio
// signs them, and follows the TwiML answers verb by verb (TWILIO.md). Used by `npm run call`,
// `npm run sms` and the end-to-end tests.
import { stackUrl } from './cli-url';
import { ENV } from '../lambdas/config/env';
import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '../lambdas/twilio/signature';
import type { AgentBehaviour } from './fake-twilio-calls';

/** The auth token of local mode when TWILIO_AUTH_TOKEN is not set; the local server uses the same. */
export const DEFAULT_LOCAL_AUTH_TOKEN = 'switchboard-local-token';
/**
 * Twilio sends no clock, so `--at` travels in this header. It is not signed: only local mode may
 * honour it, never a deployed webhook.
 */
export const SIMULATED_TIME_HEADER = 'x-switchboard-at';
export const DEFAULT_CALLER = '+15550109999';
export const MAX_REQUESTS = 50;
export const DIAL_STATUSES = ['completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type DialStatus = (typeof DIAL_STATUSES)[number];

const API_VERSION = '2010-04-01';
/** Twilio gives up on a webhook after 15 s and uses the fallback URL (error 11205). */
const TWILIO_WAIT_MS = 15_000;
/** Simulated lengths: a bridged conversation and a voicemail. */
const TALK_SECONDS = 30;
const RECORDING_SECONDS = 7;

/** The stack checks signatures against its PUBLIC_URL, so that is where the simulator posts (and what it signs). */
export function localBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV.publicUrl] || stackUrl(undefined, env);
}

export const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

// ---------------------------------------------------------------------------------------------
// TwiML: a tiny XML reader, enough for what Twilio accepts (elements, attributes, text, CDATA).

export interface TwimlElement {
  name: string;
  attributes: Record<string, string>;
  children: TwimlNode[];
}
export type TwimlNode = TwimlElement | string;

const TAG = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e];
  });
}

/** Parses a document and returns its root element; throws on XML it does not understand. */
export function parseTwiml(xml: string): TwimlElement {
  const document: TwimlElement = { name: '#document', attributes: {}, children: [] };
  const open = [document];
  let i = 0;
  while (i < xml.length) {
    const current = open[open.length - 1];
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.trim()) current.children.push(decodeEntities(text));
    if (lt === -1) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end === -1) throw new Error('unterminated CDATA section');
      current.children.push(xml.slice(lt + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end === -1) throw new Error('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt);
      if (end === -1) throw new Error('unterminated declaration');
      i = end + 1;
    } else {
      TAG.lastIndex = lt;
      const tag = TAG.exec(xml);
      if (!tag) throw new Error(`malformed tag at offset ${lt}: ${xml.slice(lt, lt + 40)}`);
      const [whole, closing, name, attributeText, selfClosing] = tag;
      i = lt + whole.length;
      if (closing) {
        if (current.name !== name) throw new Error(`</${name}> closes <${current.name}>`);
        open.pop();
        continue;
      }
      const element: TwimlElement = { name, attributes: {}, children: [] };
      for (const [, attr, dq, sq] of attributeText.matchAll(ATTRIBUTE)) element.attributes[attr] = decodeEntities(dq ?? sq);
      current.children.push(element);
      if (!selfClosing) open.push(element);
    }
  }
  if (open.length > 1) throw new Error(`<${open[open.length - 1].name}> is never closed`);
  const roots = document.children.filter(isElement);
  if (roots.length !== 1) throw new Error('a document has exactly one root element');
  return roots[0];
}

export const isElement = (node: TwimlNode): node is TwimlElement => typeof node !== 'string';
export const textOf = (element: TwimlElement): string =>
  element.children
    .map((c) => (isElement(c) ? textOf(c) : c))
    .join('')
    .trim();
const elements = (element: TwimlElement) => element.children.filter(isElement);

// ---------------------------------------------------------------------------------------------
// Transcript

export type Leg = 'caller' | 'callee';
export type TranscriptEntry =
  | { kind: 'request'; url: string; params: Record<string, string>; status: number; answer: string }
  | { kind: 'say'; leg: Leg; text: string; loop: number }
  | { kind: 'play'; leg: Leg; url: string; loop: number }
  | { kind: 'pause'; leg: Leg; seconds: number }
  | { kind: 'gather'; leg: Leg; digits?: string; timeoutSeconds: number }
  | { kind: 'dial'; targets: string[]; timeoutSeconds: number }
  | { kind: 'dial-result'; status: DialStatus; answeredBy?: string; durationSeconds: number; declined?: boolean }
  | { kind: 'record'; maxSeconds: number; durationSeconds: number; recordingSid: string }
  | { kind: 'enqueue'; queue: string }
  | { kind: 'queue-result'; queue: string; result: 'bridged' | 'leave' | 'hangup'; queueTimeSeconds: number; agent?: string }
  | { kind: 'message'; to: string; from: string; body: string; media: string[] }
  | { kind: 'end'; leg: Leg; reason: 'hangup' | 'reject' | 'end-of-twiml' | 'caller-hung-up' }
  | { kind: 'warning'; text: string }
  | { kind: 'error'; text: string; status?: number; answer?: string };

export interface Transcript {
  channel: 'call' | 'sms';
  /** CallSid or MessageSid. */
  sid: string;
  /** False when a request failed or the request limit was reached. */
  ok: boolean;
  entries: TranscriptEntry[];
}

export interface SimulationOptions {
  /** The stack's base URL, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  authToken: string;
  to: string;
  from?: string;
  /** ISO time sent as SIMULATED_TIME_HEADER. */
  at?: string;
  accountSid?: string;
  maxRequests?: number;
  /** Called for each entry as it happens (the CLIs print from here). */
  onEntry?: (entry: TranscriptEntry) => void;
}

const times = (loop: number) => (loop === 1 ? '' : loop === 0 ? ' (repeating)' : ` (×${loop})`);

/** One readable line per entry; request paths are shown relative to `baseUrl`. */
export function describeEntry(entry: TranscriptEntry, baseUrl = ''): string {
  switch (entry.kind) {
    case 'request': {
      const where = baseUrl && entry.url.startsWith(baseUrl) ? entry.url.slice(baseUrl.length) : entry.url;
      return `  → POST ${where} ${entry.status}`;
    }
    case 'say':
      return `${entry.leg} hears: "${entry.text}"${times(entry.loop)}`;
    case 'play':
      return `${entry.leg} hears audio ${entry.url}${times(entry.loop)}`;
    case 'pause':
      return `${entry.leg} hears silence for ${entry.seconds} s`;
    case 'gather':
      return entry.digits === undefined ? `${entry.leg} presses nothing (waits ${entry.timeoutSeconds} s)` : `${entry.leg} presses ${entry.digits}`;
    case 'dial':
      return `ringing ${entry.targets.join(', ')}, ${entry.timeoutSeconds} s`;
    case 'dial-result':
      if (entry.declined) return `the callee declines the screened call (${entry.status}, not bridged)`;
      return entry.status === 'completed' || entry.status === 'answered'
        ? `${entry.answeredBy ?? 'the callee'} answers; they talk for ${entry.durationSeconds} s and hang up (${entry.status})`
        : `dial ends: ${entry.status}`;
    case 'record':
      return `beep; caller leaves a ${entry.durationSeconds} s message (max ${entry.maxSeconds} s) and hangs up`;
    case 'message':
      return `message to ${entry.to}: "${entry.body}"${entry.media.length ? ` [media: ${entry.media.join(', ')}]` : ''}`;
    case 'enqueue':
      return `caller waits in queue "${entry.queue}"`;
    case 'queue-result':
      return entry.result === 'bridged'
        ? `${entry.agent ?? 'a member'} takes the call from queue "${entry.queue}" after ${entry.queueTimeSeconds} s; they talk and hang up (bridged)`
        : entry.result === 'leave'
          ? `caller leaves queue "${entry.queue}" after ${entry.queueTimeSeconds} s (leave)`
          : `caller hangs up in queue "${entry.queue}" after ${entry.queueTimeSeconds} s`;
    case 'end':
      return {
        hangup: `${entry.leg === 'callee' ? 'callee leg' : 'call'} ends (<Hangup/>)`,
        reject: 'call rejected (<Reject/>)',
        'end-of-twiml': entry.leg === 'callee' ? 'callee leg: end of TwiML, calls are bridged' : 'call ends (end of TwiML)',
        'caller-hung-up': 'call ends (caller hung up)',
      }[entry.reason];
    case 'warning':
      return `warning: ${entry.text}`;
    case 'error':
      return `ERROR: ${entry.text}${entry.answer ? `\n${entry.answer}` : ''}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

type Params = Record<string, string>;

/** Stops the simulation: a failed request or the request limit. */
class Stop extends Error {}

class Session {
  readonly entries: TranscriptEntry[] = [];
  private requests = 0;
  ok = true;

  constructor(private readonly options: SimulationOptions) {}

  emit(entry: TranscriptEntry): void {
    this.entries.push(entry);
    this.options.onEntry?.(entry);
  }

  fail(entry: TranscriptEntry): never {
    this.ok = false;
    this.emit(entry);
    throw new Stop();
  }

  /** POSTs one webhook and returns the answer's body; anything but 200 stops the simulation. */
  async post(url: string, params: Params): Promise<string> {
    const limit = this.options.maxRequests ?? MAX_REQUESTS;
    if (this.requests >= limit) this.fail({ kind: 'warning', text: `stopped after ${limit} requests: does the flow loop without end?` });
    this.requests++;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1 (switchboard carrier simulator)',
      'x-twilio-signature': signTwilioRequest(url, params, this.options.authToken),
    };
    if (this.options.at) headers[SIMULATED_TIME_HEADER] = this.options.at;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString(), signal: AbortSignal.timeout(TWILIO_WAIT_MS) });
    } catch (err) {
      return this.fail({ kind: 'error', text: `POST ${url}: ${whyFetchFailed(err)}` });
    }
    const answer = await response.text();
    this.emit({ kind: 'request', url, params, status: response.status, answer });
    if (response.status !== 200) {
      const hint = response.status === 403
        ? ' (signature rejected: the server checks it against its public URL, printed by `npm start`; pass that as --url, and the same TWILIO_AUTH_TOKEN)'
        : '';
      this.fail({ kind: 'error', text: `POST ${url} answered ${response.status}${hint}`, status: response.status, answer: answer.slice(0, 2000) });
    }
    return answer;
  }

  /** POSTs and reads the answer as a TwiML <Response>. */
  async fetchTwiml(url: string, params: Params): Promise<TwimlElement> {
    const answer = await this.post(url, params);
    try {
      const root = parseTwiml(answer);
      if (root.name !== 'Response') throw new Error(`the root element is <${root.name}>, not <Response>`);
      return root;
    } catch (err) {
      return this.fail({ kind: 'error', text: `POST ${url}: the answer is not TwiML: ${(err as Error).message}`, answer: answer.slice(0, 2000) });
    }
  }
}

function whyFetchFailed(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return `no answer within ${TWILIO_WAIT_MS / 1000} s (Twilio would use the fallback URL)`;
  if (error.cause?.code === 'ECONNREFUSED') return `${error.cause.message}: is the local stack running (npm start)?`;
  return error.cause?.message ?? error.message;
}

// ---------------------------------------------------------------------------------------------
// Calls

export interface CallOptions extends SimulationOptions {
  /** One entry per <Gather>, in order; '' or running out means no input. */
  digits?: string[];
  /** One DialCallStatus per <Dial>, in order; `no-answer` when running out. */
  dial?: DialStatus[];
  /**
   * Where the recordings are said to be (RecordingUrl = base/RecordingSid); Twilio's Recordings resource by
   * default. The webhooks keep only Twilio's https URLs (issue 18): another base is dropped, as it would be
   * from a real request.
   */
  recordingBaseUrl?: string;
  /**
   * The Twilio-compatible server the stack places calls through (local/fake-twilio.ts): a caller put in a
   * queue (`<Enqueue>`) waits in its queue there, where the members Switchboard calls can take them.
   * Without it the caller waits alone (nobody can take them) until the flow lets them leave.
   */
  carrierUrl?: string;
  /** What the members offered a queued call do (set on the carrier server before the call). */
  agent?: AgentBehaviour;
}

/** Where a verb sends the call next: the request Twilio makes and whose TwiML it then follows. */
interface Next {
  url: string;
  params: Params;
}
type EndReason = Extract<TranscriptEntry, { kind: 'end' }>['reason'];
type Outcome = Next | { end: EndReason };

/** One leg of the call: the caller's, or the callee's while a <Number url> screens the call. */
interface LegState {
  leg: Leg;
  params(callStatus?: string): Params;
  nextDigits(): string | undefined;
}

const absolute = (reference: string, current: string) => new URL(reference, current).href;
const numberAttr = (value: string | undefined, fallback: number) => (value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback);

export async function simulateCall(options: CallOptions): Promise<Transcript> {
  for (const status of options.dial ?? []) {
    if (!DIAL_STATUSES.includes(status)) throw new Error(`unknown dial status "${status}" (one of ${DIAL_STATUSES.join(', ')})`);
  }
  const session = new Session(options);
  const accountSid = options.accountSid ?? newSid('AC');
  const callSid = newSid('CA');
  const from = options.from ?? DEFAULT_CALLER;
  const digits = [...(options.digits ?? [])];
  const dials = [...(options.dial ?? [])];
  const caller: LegState = {
    leg: 'caller',
    params: (callStatus = 'in-progress') => ({ CallSid: callSid, AccountSid: accountSid, From: from, To: options.to, CallStatus: callStatus, Direction: 'inbound', ApiVersion: API_VERSION }),
    nextDigits: () => digits.shift() || undefined,
  };

  /** A verb that ends the call or makes a request; the others are printed and the next one runs. */
  async function runVerb(verb: TwimlElement, current: string, leg: LegState): Promise<Outcome | undefined> {
    const emit = session.emit.bind(session);
    switch (verb.name) {
      case 'Say':
        emit({ kind: 'say', leg: leg.leg, text: textOf(verb), loop: numberAttr(verb.attributes.loop, 1) });
        return undefined;
      case 'Play':
        emit({ kind: 'play', leg: leg.leg, url: textOf(verb), loop: numberAttr(verb.attributes.loop, 1) });
        return undefined;
      case 'Pause':
        emit({ kind: 'pause', leg: leg.leg, seconds: numberAttr(verb.attributes.length, 1) });
        return undefined;
      case 'Gather': {
        for (const prompt of elements(verb)) await runVerb(prompt, current, leg);
        const pressed = leg.nextDigits();
        emit({ kind: 'gather', leg: leg.leg, digits: pressed, timeoutSeconds: numberAttr(verb.attributes.timeout, 5) });
        const action = absolute(verb.attributes.action ?? current, current);
        if (pressed !== undefined) return { url: action, params: { ...leg.params(), Digits: pressed } };
        // Without input Twilio goes on with the next verb, unless told to call the action anyway.
        return verb.attributes.actionOnEmptyResult === 'true' ? { url: action, params: leg.params() } : undefined;
      }
      case 'Redirect':
        return { url: absolute(textOf(verb), current), params: leg.params() };
      case 'Hangup':
        return { end: 'hangup' };
      case 'Reject':
        return { end: 'reject' };
      case 'Message':
      case 'Sms':
        emit(messageEntry(verb, from, options.to));
        return undefined;
      case 'Dial':
        if (leg.leg === 'caller') return dial(verb, current);
        break;
      case 'Record':
        if (leg.leg === 'caller') return record(verb, current);
        break;
      case 'Enqueue':
        if (leg.leg === 'caller') return enqueue(verb, current);
        break;
    }
    emit({ kind: 'warning', text: `the simulator does not play <${verb.name}> on the ${leg.leg} leg; skipped` });
    return undefined;
  }

  /** Runs one document to its first request or end, then follows the requests until the leg ends. */
  async function runLeg(first: Next, leg: LegState): Promise<EndReason> {
    let next = first;
    for (;;) {
      const document = await session.fetchTwiml(next.url, next.params);
      let outcome: Outcome | undefined;
      for (const verb of elements(document)) {
        outcome = await runVerb(verb, next.url, leg);
        if (outcome) break;
      }
      if (!outcome || 'end' in outcome) {
        const end = outcome?.end ?? 'end-of-twiml';
        session.emit({ kind: 'end', leg: leg.leg, reason: end });
        return end;
      }
      next = outcome;
    }
  }

  async function dial(verb: TwimlElement, current: string): Promise<Outcome | undefined> {
    const targets = dialTargets(verb);
    session.emit({ kind: 'dial', targets: targets.map((t) => t.label), timeoutSeconds: numberAttr(verb.attributes.timeout, 30) });
    const status: DialStatus = dials.shift() ?? 'no-answer';
    let declined = false;
    const childSid = newSid('CA');
    const answered = status === 'completed' || status === 'answered';
    const answeredBy = targets.find((t) => t.screenUrl) ?? targets[0];
    if (answered && answeredBy?.screenUrl) {
      // The screening TwiML runs on the callee's leg; the callee accepts every question with 1.
      const callee: LegState = {
        leg: 'callee',
        params: (callStatus = 'in-progress') => ({
          CallSid: childSid,
          ParentCallSid: callSid,
          AccountSid: accountSid,
          From: verb.attributes.callerId ?? from,
          To: answeredBy.address,
          CallStatus: callStatus,
          Direction: 'outbound-dial',
          ApiVersion: API_VERSION,
        }),
        nextDigits: () => '1',
      };
      const screened = await runLeg({ url: absolute(answeredBy.screenUrl, current), params: callee.params() }, callee);
      // A screening leg that hangs up refuses the call: Twilio reports the dial `completed` (the callee
      // did pick up) but not bridged.
      if (screened !== 'end-of-twiml') declined = true;
    }
    const bridged = !declined && (status === 'completed' || status === 'answered');
    const durationSeconds = bridged ? TALK_SECONDS : 0;
    session.emit({ kind: 'dial-result', status, answeredBy: bridged ? answeredBy?.label : undefined, durationSeconds, ...(declined && { declined }) });
    await legStatusCallbacks(targets, answered ? answeredBy : undefined, childSid, status, current);
    if (!verb.attributes.action) return undefined;
    return {
      url: absolute(verb.attributes.action, current),
      params: {
        ...caller.params(), DialCallStatus: status, DialCallSid: childSid, DialCallDuration: String(durationSeconds),
        ...(status === 'completed' || status === 'answered' ? { DialBridged: String(bridged) } : {}),
      },
    };
  }

  /**
   * The status callbacks of the dialled nouns that asked for them (`statusCallback`, events `answered` and
   * `completed`), as Twilio sends them: the leg that picked up reports `in-progress`, then `completed`; the
   * others end `canceled` when someone else answered, else with the dial's status.
   */
  async function legStatusCallbacks(targets: DialTarget[], answeredBy: DialTarget | undefined, childSid: string, status: DialStatus, current: string): Promise<void> {
    for (const target of targets) {
      if (!target.statusCallback) continue;
      const events = (target.statusCallbackEvent ?? 'completed').split(/\s+/);
      const mine = target === answeredBy;
      const legSid = mine ? childSid : newSid('CA');
      const leg = { CallSid: legSid, ParentCallSid: callSid, AccountSid: accountSid, From: from, To: target.address, Direction: 'outbound-dial', ApiVersion: API_VERSION, CallbackSource: 'call-progress-events' };
      const url = absolute(target.statusCallback, current);
      if (mine && events.includes('answered')) await session.post(url, { ...leg, CallStatus: 'in-progress' });
      if (!events.includes('completed')) continue;
      const ended = mine ? 'completed' : answeredBy ? 'canceled' : status === 'completed' || status === 'answered' ? 'canceled' : status;
      await session.post(url, { ...leg, CallStatus: ended, ...(mine && { CallDuration: String(TALK_SECONDS) }) });
    }
  }

  /** A request to the carrier server's simulation routes (its queues: not Twilio resources). */
  async function sim(method: 'GET' | 'POST' | 'PUT', path: string, form: Params = {}): Promise<Record<string, unknown>> {
    const res = await fetch(`${options.carrierUrl!.replace(/\/+$/, '')}${path}`, {
      method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'GET' ? undefined : new URLSearchParams(form).toString(), signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** Whether a member has taken the caller (the carrier server bridged them), waiting up to `ms` for it. */
  async function takenWithin(ms: number): Promise<{ agent?: string } | undefined> {
    for (const until = Date.now() + ms; ; ) {
      const member = await sim('GET', `/__sim/members/${callSid}`);
      if (member.state === 'bridged') return { agent: member.agent as string | undefined };
      if (Date.now() >= until) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * `<Enqueue waitUrl action>name</Enqueue>`, as Twilio plays it: the caller joins the queue (on the carrier
   * server, when there is one), and while they wait the wait URL is requested (QueuePosition, QueueTime)
   * and its TwiML played, again and again: the simulated clock advances by what it plays. A member who takes
   * them (the carrier server bridges them) ends the wait (QueueResult=bridged, the action requested once
   * the conversation is over), as does `<Leave/>` (QueueResult=leave) or `<Hangup/>`.
   */
  async function enqueue(verb: TwimlElement, current: string): Promise<Outcome | undefined> {
    const queue = textOf(verb);
    session.emit({ kind: 'enqueue', queue });
    let queueSid = newSid('QU');
    let joined = false;
    if (options.carrierUrl) {
      try {
        queueSid = String((await sim('POST', `/__sim/queues/${encodeURIComponent(queue)}/members`, { CallSid: callSid })).queueSid ?? queueSid);
        joined = true;
      } catch (err) {
        session.emit({ kind: 'warning', text: `the carrier server at ${options.carrierUrl} did not take the caller into the queue (${(err as Error).message}): nobody can take the call` });
      }
    } else {
      session.emit({ kind: 'warning', text: 'no carrier server (--carrier): the caller waits alone, nobody can take the call' });
    }
    let waitUrl = verb.attributes.waitUrl ? absolute(verb.attributes.waitUrl, current) : undefined;
    let queueTime = 0;
    let rounds = 0;
    let result: 'bridged' | 'leave' | 'hangup' | undefined;
    let agent: string | undefined;
    while (!result) {
      // Twilio stops the wait music the moment a member takes the caller: a take during a round counts the
      // real time it took, not the whole round's prompts.
      const roundStart = queueTime;
      const roundStartedAt = Date.now();
      const taken = joined ? await takenWithin(0) : undefined;
      if (taken) {
        [result, agent] = ['bridged', taken.agent];
        break;
      }
      if (!waitUrl) {
        // Twilio's own hold music, a minute at a time.
        queueTime += 60;
        session.emit({ kind: 'play', leg: 'caller', url: "Twilio's hold music", loop: 1 });
      } else {
        const state = joined ? await sim('GET', `/__sim/members/${callSid}`) : { position: 1, size: 1 };
        const document = await session.fetchTwiml(waitUrl, {
          ...caller.params(), QueueSid: queueSid, QueuePosition: String(state.position ?? 1), QueueTime: String(queueTime), AvgQueueTime: '0', CurrentQueueSize: String(state.size ?? 1),
        });
        let next: string | undefined;
        for (const wait of elements(document)) {
          const loop = numberAttr(wait.attributes.loop, 1) || 1;
          if (wait.name === 'Say') {
            session.emit({ kind: 'say', leg: 'caller', text: textOf(wait), loop });
            queueTime += spokenSeconds(textOf(wait)) * loop;
          } else if (wait.name === 'Play') {
            session.emit({ kind: 'play', leg: 'caller', url: textOf(wait), loop });
            queueTime += 30 * loop;
          } else if (wait.name === 'Pause') {
            queueTime += numberAttr(wait.attributes.length, 1);
          } else if (wait.name === 'Leave') {
            result = 'leave';
            break;
          } else if (wait.name === 'Hangup') {
            result = 'hangup';
            break;
          } else if (wait.name === 'Redirect') {
            next = absolute(textOf(wait), waitUrl);
            break;
          } else {
            session.emit({ kind: 'warning', text: `<${wait.name}> is not played in a wait URL's answer; skipped` });
          }
        }
        // Without a redirect Twilio asks the wait URL again.
        if (next) waitUrl = next;
      }
      // The members Switchboard calls take a moment to be placed and to answer: real time, up to 5 s after the
      // first wait answer (the first offer of a fresh stack loads the REST client), 1.5 s after the others.
      if (!result && joined) {
        const taken = await takenWithin(rounds++ === 0 ? 5_000 : 1_500);
        if (taken) {
          [result, agent] = ['bridged', taken.agent];
          queueTime = Math.min(queueTime, roundStart + Math.max(1, Math.ceil((Date.now() - roundStartedAt) / 1000)));
        }
      }
    }
    if (joined && result !== 'bridged') await sim('POST', `/__sim/members/${callSid}/leave`).catch(() => undefined);
    session.emit({ kind: 'queue-result', queue, result, queueTimeSeconds: queueTime, ...(agent && { agent }) });
    if (result === 'hangup') return { end: 'hangup' };
    if (!verb.attributes.action) return undefined;
    return { url: absolute(verb.attributes.action, current), params: { ...caller.params(result === 'bridged' ? 'completed' : 'in-progress'), QueueResult: result, QueueSid: queueSid, QueueTime: String(queueTime) } };
  }

  async function record(verb: TwimlElement, current: string): Promise<Outcome> {
    const recordingSid = newSid('RE');
    const recordingUrl = options.recordingBaseUrl
      ? `${options.recordingBaseUrl.replace(/\/$/, '')}/${recordingSid}`
      : `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`;
    const a = verb.attributes;
    session.emit({ kind: 'record', maxSeconds: numberAttr(a.maxLength, 3600), durationSeconds: RECORDING_SECONDS, recordingSid });
    const recording = { RecordingUrl: recordingUrl, RecordingSid: recordingSid, RecordingDuration: String(RECORDING_SECONDS) };
    // The caller hangs up to finish: Twilio still requests the action but plays nothing of its answer.
    await session.post(absolute(a.action ?? current, current), { ...caller.params('completed'), ...recording, Digits: 'hangup' });
    if (a.recordingStatusCallback) {
      await session.post(absolute(a.recordingStatusCallback, current), { AccountSid: accountSid, CallSid: callSid, ...recording, RecordingStatus: 'completed' });
    }
    if (a.transcribeCallback && a.transcribe !== 'false') {
      await session.post(absolute(a.transcribeCallback, current), {
        AccountSid: accountSid,
        CallSid: callSid,
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        TranscriptionSid: newSid('TR'),
        TranscriptionText: '(simulated transcript)',
        TranscriptionStatus: 'completed',
      });
    }
    return { end: 'caller-hung-up' };
  }

  try {
    if (options.agent && options.carrierUrl) {
      // Only a queue needs the carrier server; a call that never queues must not fail for its absence.
      await sim('PUT', '/__sim/agent', { behaviour: options.agent }).catch((err: Error) =>
        session.emit({ kind: 'warning', text: `the carrier server at ${options.carrierUrl} could not be told what members do (${err.cause instanceof Error ? err.cause.message : err.message}); a queued caller will wait alone` }));
    }
    await runLeg({ url: absolute('/twilio/voice', options.baseUrl), params: caller.params('ringing') }, caller);
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return { channel: 'call', sid: callSid, ok: session.ok, entries: session.entries };
}

/** About how long Twilio takes to say a text: some 150 words a minute. */
const spokenSeconds = (text: string) => Math.max(1, Math.ceil(text.trim().split(/\s+/).filter(Boolean).length / 2.5));

interface DialTarget {
  label: string;
  /** What the callee leg's To holds. */
  address: string;
  screenUrl?: string;
  statusCallback?: string;
  statusCallbackEvent?: string;
}

function dialTargets(verb: TwimlElement): DialTarget[] {
  const text = verb.children.filter((c): c is string => typeof c === 'string').join('').trim();
  const targets: DialTarget[] = text ? [{ label: text, address: text }] : [];
  for (const noun of elements(verb)) {
    const value = noun.name === 'Client' && elements(noun).length ? textOf(elements(noun).find((e) => e.name === 'Identity') ?? noun) : textOf(noun);
    const status = { statusCallback: noun.attributes.statusCallback, statusCallbackEvent: noun.attributes.statusCallbackEvent };
    if (noun.name === 'Number') targets.push({ label: value, address: value, screenUrl: noun.attributes.url, ...status });
    else if (noun.name === 'Client') targets.push({ label: `client ${value}`, address: `client:${value}`, screenUrl: noun.attributes.url, ...status });
    else targets.push({ label: `${noun.name.toLowerCase()} ${value}`, address: value });
  }
  return targets;
}

/** <Message to? from?> with text or <Body>/<Media> children; without `to` it answers the sender. */
function messageEntry(verb: TwimlElement, sender: string, recipient: string): Extract<TranscriptEntry, { kind: 'message' }> {
  const children = elements(verb);
  const bodyElement = children.find((c) => c.name === 'Body');
  const body = bodyElement ? textOf(bodyElement) : verb.children.filter((c): c is string => typeof c === 'string').join('').trim();
  const media = children.filter((c) => c.name === 'Media').map(textOf);
  return { kind: 'message', to: verb.attributes.to ?? sender, from: verb.attributes.from ?? recipient, body, media };
}

/** Twilio's own limits, as the carrier applies them (TWILIO.md), independent of what Switchboard believes. */
const TWILIO_MAX_MESSAGES = 10;
const TWILIO_MAX_BODY = 1600;

/** What Twilio does with the n-th <Message> of one answer: sends it, or drops it with its warning or error. */
function sentOrDropped(entry: Extract<TranscriptEntry, { kind: 'message' }>, n: number): TranscriptEntry {
  if (n > TWILIO_MAX_MESSAGES) {
    return { kind: 'warning', text: `message ${n} of one answer not sent: Twilio sends at most ${TWILIO_MAX_MESSAGES} (warning 14109); to ${entry.to}` };
  }
  if (entry.body.length > TWILIO_MAX_BODY) {
    return { kind: 'warning', text: `message to ${entry.to} not sent: its body has ${entry.body.length} characters, over ${TWILIO_MAX_BODY} (error 21617)` };
  }
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Texts

export interface SmsOptions extends SimulationOptions {
  body: string;
  media?: string[];
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
};

/** Twilio reports the media's real type; the simulator guesses it from the extension (image/jpeg by default). */
export function guessContentType(url: string): string {
  const extension = /\.([A-Za-z0-9]+)(?:[?#].*)?$/.exec(url)?.[1]?.toLowerCase();
  return (extension && CONTENT_TYPES[extension]) || 'image/jpeg';
}

export async function simulateSms(options: SmsOptions): Promise<Transcript> {
  const session = new Session(options);
  const media = options.media ?? [];
  const messageSid = newSid(media.length ? 'MM' : 'SM');
  const from = options.from ?? DEFAULT_CALLER;
  const params: Params = {
    MessageSid: messageSid,
    SmsSid: messageSid,
    SmsMessageSid: messageSid,
    AccountSid: options.accountSid ?? newSid('AC'),
    From: from,
    To: options.to,
    Body: options.body,
    NumMedia: String(media.length),
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: API_VERSION,
  };
  media.forEach((url, n) => {
    params[`MediaUrl${n}`] = url;
    params[`MediaContentType${n}`] = guessContentType(url);
  });
  try {
    let url: string | undefined = absolute('/twilio/sms', options.baseUrl);
    while (url) {
      const document = await session.fetchTwiml(url, params);
      const current: string = url;
      url = undefined;
      let messages = 0;
      for (const verb of elements(document)) {
        if (verb.name === 'Message') session.emit(sentOrDropped(messageEntry(verb, from, options.to), ++messages));
        else if (verb.name === 'Redirect') {
          url = absolute(textOf(verb), current);
          break;
        } else session.emit({ kind: 'warning', text: `<${verb.name}> is not a messaging verb; skipped` });
      }
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return { channel: 'sms', sid: messageSid, ok: session.ok, entries: session.entries };
}

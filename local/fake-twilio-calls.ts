// The project's Twilio-compatible server, its calls and queues (DESIGN.md section 3, `queue`): the Calls
// resource Switchboard places a queue's offers with (`POST /Calls.json` with `Url`, `StatusCallback`,
// `StatusCallbackEvent`, `Timeout`; `POST /Calls/{CA}.json` `Status=canceled`), and the member who is
// offered the call, played as Twilio plays a callee: it rings, then (per `agentBehaviour`) is busy, lets
// it ring out, or answers: Twilio then requests the call's Url (signed as Twilio signs), runs its TwiML, and
// a `<Dial><Queue>` takes the longest-waiting member of the named queue (after requesting the `<Queue url>`
// on that caller's end). Status callbacks are sent as Twilio sends them, signed, asynchronously.
// Queue membership itself is TwiML's (`<Enqueue>`), which the carrier simulator (local/carrier.ts) plays
// for the caller: it tells this server through the simulation routes under /__sim/ (not Twilio resources).
import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '../lambdas/twilio/signature';
import { isElement, parseTwiml, textOf, type TwimlElement } from './carrier';

export type AgentBehaviour = 'answers' | 'busy' | 'no-answer';
export const AGENT_BEHAVIOURS: readonly AgentBehaviour[] = ['answers', 'busy', 'no-answer'];

/** A Call resource, with the fields Twilio's JSON has that the tests read. */
export interface FakeCall {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  status: 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed';
  direction: 'outbound-api';
  api_version: string;
  parent_call_sid: null;
  date_created: string;
  date_updated: string;
  uri: string;
  /** Not Twilio's: what the call asked for and what its callee heard, for the tests. */
  request: { url: string; statusCallback?: string; events: string[]; timeout?: number };
  heard: string[];
  /** The queued caller this call was bridged with. */
  bridgedWith?: string;
}

export interface QueueMember {
  callSid: string;
  queue: string;
  sid: string;
  joinedAt: number;
  state: 'waiting' | 'bridged' | 'left';
  /** The offer's call that took them, and whom it called. */
  agentCallSid?: string;
  agentTo?: string;
}

/** Twilio's error, as the server answers it. */
export class CallsError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const sidOf = (prefix: string) => prefix + randomBytes(16).toString('hex');
/** A member who takes a call talks this long (simulated) before hanging up. */
const TALK_SECONDS = 30;

export class FakeCalls {
  readonly calls: FakeCall[] = [];
  readonly members = new Map<string, QueueMember>();
  private readonly queueSids = new Map<string, string>();
  private readonly running = new Set<Promise<void>>();
  agentBehaviour: AgentBehaviour = 'answers';
  /** Tests: placed calls ring and stay ringing, and no callback is sent (there is no webhook to send it to). */
  ringOnly = false;

  constructor(
    private readonly account: () => { sid: string; authToken: string; owns(number: string): boolean },
  ) {}

  /** Lets every simulated call and callback that is under way finish (tests, and stop()). */
  async settle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  // ---------------------------------------------------------------------------------------------
  // Twilio's resources

  create(form: Record<string, string[]>): FakeCall {
    const one = (name: string) => form[name]?.at(-1);
    const [to, from, url] = [one('To'), one('From'), one('Url')];
    if (!to) throw new CallsError(400, 21201, "No 'To' number is specified");
    if (!from) throw new CallsError(400, 21213, "No 'From' number is specified");
    if (!url && !one('Twiml') && !one('ApplicationSid')) throw new CallsError(400, 21205, 'Url parameter is required.');
    if (!this.account().owns(from)) throw new CallsError(400, 21210, `The source phone number provided, ${from}, is not yet verified for your account.`);
    const sid = sidOf('CA');
    const now = rfc2822(new Date());
    const call: FakeCall = {
      sid, account_sid: this.account().sid, to, from, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01', parent_call_sid: null,
      date_created: now, date_updated: now, uri: `/2010-04-01/Accounts/${this.account().sid}/Calls/${sid}.json`,
      request: { url: url ?? '', statusCallback: one('StatusCallback'), events: (form.StatusCallbackEvent ?? []).flatMap((e) => e.split(/\s+/)), timeout: one('Timeout') ? Number(one('Timeout')) : undefined },
      heard: [],
    };
    this.calls.push(call);
    this.track(this.play(call));
    return call;
  }

  update(sid: string, form: Record<string, string[]>): FakeCall {
    const call = this.calls.find((c) => c.sid === sid);
    if (!call) throw new CallsError(404, 20404, `The requested resource /Calls/${sid}.json was not found`);
    const status = form.Status?.at(-1);
    // Canceling only hangs up a call that has not been answered (Twilio ignores it otherwise).
    if (status === 'canceled' && (call.status === 'queued' || call.status === 'ringing')) {
      call.status = 'canceled';
      this.track(this.statusCallback(call, 'canceled'));
    }
    return call;
  }

  // ---------------------------------------------------------------------------------------------
  // The simulation routes (/__sim/...): what the carrier simulator tells Twilio about the caller it plays

  sim(method: string, path: string, form: Record<string, string[]>): unknown {
    const join = /^\/__sim\/queues\/([^/]+)\/members$/.exec(path);
    if (join && method === 'POST') return this.enqueue(decodeURIComponent(join[1]), form.CallSid?.at(-1) ?? '');
    const member = /^\/__sim\/members\/(CA[0-9a-f]{32})(\/leave)?$/.exec(path);
    if (member && method === 'GET' && !member[2]) return this.memberState(member[1]);
    if (member && method === 'POST' && member[2]) {
      const m = this.members.get(member[1]);
      if (m && m.state === 'waiting') m.state = 'left';
      return this.memberState(member[1]);
    }
    if (path === '/__sim/agent' && (method === 'PUT' || method === 'POST')) {
      const behaviour = form.behaviour?.at(-1) as AgentBehaviour;
      if (!AGENT_BEHAVIOURS.includes(behaviour)) throw new CallsError(400, 21000, `behaviour must be one of ${AGENT_BEHAVIOURS.join(', ')}`);
      this.agentBehaviour = behaviour;
      return { behaviour };
    }
    throw new CallsError(404, 20404, `no simulation route ${path}`);
  }

  enqueue(queue: string, callSid: string): { position: number; size: number; queueSid: string } {
    if (!/^CA[0-9a-f]{32}$/.test(callSid)) throw new CallsError(400, 21000, 'CallSid is required');
    const sid = this.queueSids.get(queue) ?? sidOf('QU');
    this.queueSids.set(queue, sid);
    if (!this.members.has(callSid)) this.members.set(callSid, { callSid, queue, sid, joinedAt: Date.now(), state: 'waiting' });
    return { ...this.position(callSid), queueSid: sid };
  }

  memberState(callSid: string) {
    const m = this.members.get(callSid);
    if (!m) throw new CallsError(404, 20404, `no queue member ${callSid}`);
    return { state: m.state, ...this.position(callSid), ...(m.agentTo && { agent: m.agentTo }) };
  }

  private position(callSid: string): { position: number; size: number } {
    const m = this.members.get(callSid)!;
    const waiting = this.waitingIn(m.queue);
    return { position: waiting.findIndex((w) => w.callSid === callSid) + 1, size: waiting.length };
  }

  private waitingIn(queue: string): QueueMember[] {
    return [...this.members.values()].filter((m) => m.queue === queue && m.state === 'waiting').sort((a, b) => a.joinedAt - b.joinedAt);
  }

  // ---------------------------------------------------------------------------------------------
  // The callee of a placed call, played as Twilio plays it

  private track(work: Promise<void>): void {
    const run = work.catch((err) => console.error('[fake-twilio] a simulated call failed:', (err as Error).message)).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async play(call: FakeCall): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (call.status !== 'queued') return;
    call.status = 'ringing';
    if (this.ringOnly) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (call.status !== 'ringing') return; // canceled while it rang
    const behaviour = this.agentBehaviour;
    if (behaviour !== 'answers') {
      call.status = behaviour;
      await this.statusCallback(call, behaviour);
      return;
    }
    call.status = 'in-progress';
    if (call.request.events.includes('answered')) await this.statusCallback(call, 'in-progress');
    const answer = await this.post(call.request.url, this.params(call, 'in-progress'));
    const root = answer ? parseTwiml(answer) : undefined;
    for (const verb of root?.children.filter(isElement) ?? []) {
      if (verb.name === 'Say') call.heard.push(textOf(verb));
      else if (verb.name === 'Hangup') break;
      else if (verb.name === 'Dial') await this.dialQueue(call, verb);
    }
    call.status = 'completed';
    await this.statusCallback(call, 'completed', { CallDuration: String(call.bridgedWith ? TALK_SECONDS : 0) });
  }

  /** `<Dial><Queue url>name</Queue></Dial>`: the longest-waiting member of the queue is bridged with this call. */
  private async dialQueue(call: FakeCall, dial: TwimlElement): Promise<void> {
    const queue = dial.children.filter(isElement).find((n) => n.name === 'Queue');
    if (!queue) return;
    const head = this.waitingIn(textOf(queue))[0];
    if (!head) return; // nobody waits: the dial times out
    head.state = 'bridged';
    head.agentCallSid = call.sid;
    head.agentTo = call.to;
    call.bridgedWith = head.callSid;
    if (queue.attributes.url) {
      await this.post(queue.attributes.url, {
        AccountSid: this.account().sid, CallSid: head.callSid, QueueSid: head.sid, QueueTime: String(Math.round((Date.now() - head.joinedAt) / 1000)),
        DequeingCallSid: call.sid, ApiVersion: '2010-04-01',
      });
    }
  }

  private params(call: FakeCall, status: string): Record<string, string> {
    return { AccountSid: this.account().sid, CallSid: call.sid, From: call.from, To: call.to, CallStatus: status, Direction: 'outbound-api', ApiVersion: '2010-04-01' };
  }

  private async statusCallback(call: FakeCall, status: string, extra: Record<string, string> = {}): Promise<void> {
    const event = status === 'in-progress' ? 'answered' : 'completed';
    if (!call.request.statusCallback || !(call.request.events.length ? call.request.events : ['completed']).includes(event)) return;
    await this.post(call.request.statusCallback, { ...this.params(call, status), CallbackSource: 'call-progress-events', Timestamp: rfc2822(new Date()), ...extra });
  }

  /** A webhook request as Twilio makes it: POST, form-encoded, X-Twilio-Signature over the URL and every parameter. */
  private async post(url: string, params: Record<string, string>): Promise<string | undefined> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(url, params, this.account().authToken), 'user-agent': 'TwilioProxy/1.1 (fake-twilio)' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 200)}`);
    return text;
  }
}

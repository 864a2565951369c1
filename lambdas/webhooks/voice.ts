// The voice webhook: incoming calls, their continuation steps, screening, recordings and transcripts,
// and Twilio's fallback URL. Parse → verify → run the engine on the pinned revision → render TwiML →
// append the trace. Whatever goes wrong after the signature check, the caller hears the safe answer:
// an apology and a voicemail into the `unrouted` mailbox (DESIGN.md section 5).
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { resumeCall, startCall, type CallContext, type CallResult } from '../flows/call-engine';
import { screenPrompt, screenResult } from '../flows/call-instructions';
import { decodeState, encodeState, type CallState } from '../flows/call-state';
import type { EnginePorts } from '../flows/engine';
import type { FlowPart } from '../flows/schema';
import { mailboxKey, type MailboxKey } from '../store/message-store';
import type { TraceHeader, TraceStep } from '../store/trace-store';
import { singleParam, type TwilioParams } from '../twilio/request';
import { verifyTwilioRequest } from '../twilio/signature';
import { renderCall, safeVoiceTwiml, type CallUrls } from '../twilio/twiml';
import {
  ANSWER_DEADLINE_MS, atMost, BOOKKEEPING_MS, baseUrlOf, DirectoryCache, log, maskNumber, peopleNamedIn, plain, requestTime, RevisionCache, twiml,
  type LoadedRevision, type Response, type WebhookDeps, withDeadline,
} from './context';
import { handleUnroutedText } from './sms';
import { transcriptNotices, voicemailNotices, type OutboundText } from '../flows/outbound';
import { sendTextsBestEffort, type SendReason } from '../carrier/text-sender';

/** The unrouted bookkeeping is best effort: the safe answer never waits longer than this for it. */

/** A redirect applet hands the call to another flow; a chain of them is cut off here. */
const MAX_FLOW_REDIRECTS = 5;
/** The parameters of each request worth keeping in the trace. */
const TRACE_INPUTS = ['Digits', 'DialCallStatus', 'DialCallDuration', 'RecordingSid', 'RecordingDuration', 'CallStatus'];

export class VoiceWebhook {
  private readonly revisions = new RevisionCache();
  private readonly directoryCache = new DirectoryCache();

  constructor(private readonly deps: WebhookDeps) {}

  async handle(event: APIGatewayProxyEventV2): Promise<Response> {
    let token: string;
    try {
      token = await this.deps.authToken();
    } catch (err) {
      // Without the token nothing can be verified, so nothing is stored; the caller still hears the safe answer.
      log('ERROR', 'cannot read the Twilio auth token: answering the safe TwiML, storing nothing', { error: String(err) });
      const recording = `${baseUrlOf(event, this.deps.publicUrl)}/twilio/voice/recording?mb=unrouted`;
      return twiml(safeVoiceTwiml({ recordAction: recording, recordingStatus: recording }));
    }
    const verified = verifyTwilioRequest(event, token, this.deps.publicUrl);
    if (!verified.ok) {
      log('WARN', 'twilio signature rejected', { path: event.rawPath, reason: verified.reason });
      return plain(403, 'invalid Twilio signature');
    }
    const request = new CallRequest(event, verified.params, verified.query, this.deps);
    const route = event.rawPath.slice(event.rawPath.lastIndexOf('/twilio/') + '/twilio/'.length);

    if (route === 'fallback' && request.param('MessageSid')) return handleUnroutedText(this.deps, request.params, 'fallback');
    if (route === 'voice/transcription') return this.transcription(request);
    if (route === 'voice/recording') return this.recording(request);
    // The answering member's leg: never the caller's safe answer (that would play the apology to them).
    if (route === 'voice/answered') return this.answered(request);
    // Absent, not empty: a withheld caller may arrive as `From=` and is still a caller.
    const missing = ['CallSid', 'From', 'To'].filter((k) => request.param(k) === undefined && !(k !== 'CallSid' && route.startsWith('voice/')));
    if (missing.length) return plain(400, `missing ${missing.join(', ')}`);

    try {
      return await withDeadline(this.answer(route, request), ANSWER_DEADLINE_MS, () => {
        log('ERROR', 'voice webhook too slow; answering the safe TwiML', { route, callSid: request.param('CallSid') });
        return this.unrouted(request, 'timeout');
      });
    } catch (err) {
      log('ERROR', 'voice webhook failed; answering the safe TwiML', { route, callSid: request.param('CallSid'), error: String((err as Error)?.stack ?? err) });
      return this.unrouted(request, 'error');
    }
  }

  private answer(route: string, request: CallRequest): Promise<Response> {
    switch (route) {
      case 'voice':
        return this.incoming(request);
      case 'voice/step':
        return this.step(request);
      case 'voice/screen':
        return Promise.resolve(twiml(renderCall(request.param('Digits') !== undefined ? screenResult(request.param('Digits')) : screenPrompt(request.query('c')), request.urls(undefined))));
      case 'fallback':
        return this.unrouted(request, 'fallback');
      default:
        return this.unrouted(request, 'unknown_route');
    }
  }

  /**
   * A member picked up a sticky dial (on their leg, before bridging): screen first when the dial screens,
   * then remember them for this caller. Best effort: the call goes on whatever the store says.
   */
  private async answered(request: CallRequest): Promise<Response> {
    const urls = request.urls(undefined);
    const digits = request.param('Digits');
    if (request.query('s') === '1') {
      if (digits === undefined) return twiml(renderCall(screenPrompt(request.query('c')), urls));
      if (digits !== '1') return twiml(renderCall(screenResult(digits), urls));
    }
    const [flowId, key, userId] = [request.query('f'), request.query('k'), request.query('u')];
    if (flowId && key && userId) {
      // The member is waiting to be connected: remembering them is worth at most a moment.
      const remember = flowPorts(this.deps, flowId).rememberSticky(key, userId, request.now).catch((err) =>
        log('ERROR', 'remembering the sticky member failed', { error: String(err) }),
      );
      await atMost(remember, BOOKKEEPING_MS);
    }
    return twiml(EMPTY_RESPONSE);
  }

  /** A new call: number → current revision of its flow → run from the start. Two reads. */
  private async incoming(request: CallRequest): Promise<Response> {
    const number = await this.deps.numbers.find(request.to);
    if (!number?.flowId) return this.unrouted(request, number ? 'no_flow' : 'unknown_number');
    const revision = await this.revisions.current(this.deps.flows, number.flowId);
    if (!revision) return this.unrouted(request, 'missing_revision');
    if (!revision.document.call) return this.unrouted(request, 'no_call_part');
    return this.run(request, revision, (part, ctx) => startCall(part, ctx));
  }

  /** A continuation: the revision comes from the signed URL, so an edit mid-call changes nothing. */
  private async step(request: CallRequest): Promise<Response> {
    const flowId = request.query('f');
    const rev = Number(request.query('r'));
    const state = decodeState(request.queryParams);
    if (!flowId || !Number.isInteger(rev) || !state) return this.unrouted(request, 'bad_state');
    const revision = await this.revisions.pinned(this.deps.flows, flowId, rev);
    if (!revision?.document.call) return this.unrouted(request, 'missing_revision');
    if (state.step === 'voicemail') {
      // Best effort here: the recordingStatusCallback stores the same recording (by Sid) if this fails,
      // and the caller who just left a message must not hear the apology and the beep again.
      const vm = revision.document.call.applets[state.applet];
      await this.storeRecording(request, this.voicemailMailbox(revision.document.call, state), vm?.type === 'voicemail' && vm.notify).catch((err) =>
        log('ERROR', 'storing a voicemail from the Record action failed; the status callback will', { error: String(err) }),
      );
    }
    const input = { digits: request.param('Digits'), dialStatus: dialOutcome(request.param('DialCallStatus'), request.param('DialBridged')) };
    return this.run(request, revision, (part, ctx) => resumeCall(part, state, input, ctx));
  }

  private async run(request: CallRequest, first: LoadedRevision, go: (part: FlowPart, ctx: CallContext) => Promise<CallResult>): Promise<Response> {
    let revision = first;
    let result = await go(revision.document.call!, await this.context(request, revision));
    const steps: TraceStep[] = [];
    const outbound: OutboundText[] = [...result.outbound];
    const at = request.now.toISOString();
    for (let hops = 0; result.redirectFlow !== undefined; hops++) {
      steps.push(...result.steps.map((s) => ({ at, applet: s.applet, type: s.type, twiml: '' })));
      const next = hops < MAX_FLOW_REDIRECTS ? await this.revisions.current(this.deps.flows, result.redirectFlow) : undefined;
      if (!next?.document.call) return this.unrouted(request, 'bad_redirect', steps);
      revision = next;
      const ctx = { ...(await this.context(request, revision)), visitedBefore: steps.length };
      result = await startCall(revision.document.call!, ctx);
      outbound.push(...result.outbound);
    }
    const xml = renderCall(result.instructions, request.urls(revision));
    steps.push(...result.steps.map((s) => ({ at, applet: s.applet, type: s.type, twiml: '' })));
    for (const s of steps) s.twiml = xml;
    if (steps.length) steps[0].input = request.traceInput();
    // `text` applets: sent best effort beside the trace write, never holding the answer more than a moment.
    await Promise.all([
      this.deps.traces.append(request.traceHeader(revision), steps),
      sendTextsBestEffort(this.deps.texts, outbound, { reason: 'text_applet', sid: request.param('CallSid') }),
    ]);
    return twiml(xml);
  }

  private async context(request: CallRequest, revision: LoadedRevision): Promise<CallContext> {
    const part = revision.document.call!;
    return {
      now: request.now,
      from: request.from,
      to: request.to,
      // Loaded only when the engine reaches a dial: a request that stops at a menu reads no users.
      directory: () => this.directoryCache.get(this.deps.directory, Date.now(), peopleNamedIn(part)),
      ports: flowPorts(this.deps, revision.flowId),
    };
  }

  private voicemailMailbox(part: FlowPart, state: CallState): MailboxKey {
    const applet = part.applets[state.applet];
    return applet?.type === 'voicemail' ? mailboxKey('user' in applet.mailbox ? { kind: 'user', id: applet.mailbox.user } : { kind: 'group', id: applet.mailbox.group }) : 'unrouted';
  }

  /** Record action and recordingStatusCallback: both may come, each may be retried; the Sid stores it once. */
  private async storeRecording(request: CallRequest, mailbox: MailboxKey, notify = false): Promise<void> {
    const recordingSid = request.param('RecordingSid');
    if (!recordingSid) return;
    const stored = await this.deps.messages.storeVoicemail({
      recordingSid,
      mailbox,
      callSid: request.param('CallSid') ?? '',
      from: request.param('From') ?? request.query('c'),
      to: request.param('To') ?? request.query('n'),
      recordingUrl: request.param('RecordingUrl'),
      durationSeconds: request.param('RecordingDuration') ? Number(request.param('RecordingDuration')) : undefined,
      receivedAt: request.now.toISOString(),
    });
    if (stored) log('INFO', 'voicemail stored', { mailbox: mailbox.split('#')[0], recordingSid });
    // Only the request that stored it notifies: the Record action and the status callback both come.
    if (stored && notify) {
      const durationSeconds = request.param('RecordingDuration') ? Number(request.param('RecordingDuration')) : undefined;
      await this.notifyMailbox(request, mailbox, 'voicemail_notify', (box, directory, vm) => voicemailNotices(box, directory, { ...vm, durationSeconds }));
    }
  }

  /** Texts the mailbox's members (voicemail `notify`), best effort, from the number that was called. */
  private notifyMailbox(
    request: CallRequest,
    mailbox: MailboxKey,
    reason: SendReason,
    notices: (box: { kind: 'user' | 'group'; id: string }, directory: Awaited<ReturnType<DirectoryCache['get']>>, vm: { caller: string; number: string }) => OutboundText[],
  ): Promise<void> {
    const [kind, id] = mailbox.split('#') as ['user' | 'group', string];
    if (mailbox === 'unrouted' || !id) return Promise.resolve();
    const needs = { users: kind === 'user' ? [id] : [], groups: kind === 'group' ? [id] : [] };
    return sendTextsBestEffort(
      this.deps.texts,
      async () => notices({ kind, id }, await this.directoryCache.get(this.deps.directory, Date.now(), needs), { caller: request.from, number: request.to }),
      { reason, sid: request.param('CallSid') ?? request.param('RecordingSid') },
    );
  }

  /**
   * The unrouted Record action (the caller may still be on the line: always 200 and <Hangup/>) and the
   * recordingStatusCallback of every voicemail (`cb=1`; no From/To: the caller and number travel in our
   * URL). Both store the recording by its Sid; either one suffices.
   */
  private async recording(request: CallRequest): Promise<Response> {
    const callback = request.query('cb') === '1';
    const answer = twiml(callback ? EMPTY_RESPONSE : HANGUP_RESPONSE);
    const mailbox = (request.query('mb') ?? 'unrouted') as MailboxKey;
    if (!/^(unrouted|user#[\w-]{1,64}|group#[\w-]{1,64})$/.test(mailbox)) {
      log('ERROR', 'recording for an unknown mailbox', { mailbox });
      return answer;
    }
    try {
      await withDeadline(this.storeRecording(request, mailbox, request.query('nt') === '1'), ANSWER_DEADLINE_MS, () => Promise.reject(new Error('timed out')));
    } catch (err) {
      log('ERROR', 'storing a recording failed', { callback, recordingSid: request.param('RecordingSid'), error: String(err) });
    }
    return answer;
  }

  private async transcription(request: CallRequest): Promise<Response> {
    const recordingSid = request.param('RecordingSid');
    const text = request.param('TranscriptionText');
    if (!recordingSid || request.param('TranscriptionStatus') !== 'completed' || !text) return twiml(EMPTY_RESPONSE);
    try {
      const first = await withDeadline(this.deps.messages.attachTranscript(recordingSid, text), ANSWER_DEADLINE_MS, () => Promise.reject(new Error('timed out')));
      const mailbox = request.query('mb') as MailboxKey | undefined;
      if (first && mailbox && request.query('nt') === '1') {
        await this.notifyMailbox(request, mailbox, 'transcript_notify', (box, directory, vm) => transcriptNotices(box, directory, { ...vm, transcript: text }));
      }
    } catch (err) {
      log('ERROR', 'attaching a transcript failed', { recordingSid, error: String(err) });
    }
    return twiml(EMPTY_RESPONSE);
  }

  /** The safe answer: apology + voicemail into `unrouted`, and the event counted for the report. */
  private async unrouted(request: CallRequest, reason: string, steps: TraceStep[] = []): Promise<Response> {
    const xml = safeVoiceTwiml({ recordAction: request.recordingUrl('unrouted'), recordingStatus: request.recordingUrl('unrouted', true) });
    const at = request.now.toISOString();
    log('WARN', 'call answered with the safe TwiML', { reason, to: maskNumber(request.to), callSid: request.param('CallSid') });
    // Storage may be what failed (or hangs): the caller gets the safe answer whatever happens here.
    const bookkeeping = Promise.all([
      this.deps.state.recordUnrouted({ number: request.to, sid: request.param('CallSid') ?? '', channel: 'call', at, reason }),
      this.deps.traces.append({ sid: request.param('CallSid') ?? '', channel: 'call', from: request.from, to: request.to }, [
        ...steps.map((s) => ({ ...s, twiml: xml })),
        { at, type: 'unrouted', applet: reason, input: request.traceInput(), twiml: xml },
      ]),
    ]).catch((err) => log('ERROR', 'recording an unrouted call failed', { error: String(err) }));
    await atMost(bookkeeping, BOOKKEEPING_MS);
    return twiml(xml);
  }
}

const EMPTY_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const HANGUP_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

/**
 * A screened callee who declines (or never presses 1) ends the whisper leg: Twilio reports that dial as
 * `completed` with `DialBridged=false`. Nobody talked to the caller, so it counts as no answer.
 */
function dialOutcome(status: string | undefined, bridged: string | undefined): string | undefined {
  return (status === 'completed' || status === 'answered') && bridged === 'false' ? 'no-answer' : status;
}

/** The engine's state keys, scoped to the flow so two flows never share a counter. */
function flowPorts(deps: WebhookDeps, flowId: string): EnginePorts {
  return {
    nextRoundRobinStart: (key, count) => deps.state.nextRoundRobinStart(`${flowId}:${key}`, count),
    stickyMember: (key) => deps.state.stickyMember(`${flowId}:${key}`),
    rememberSticky: (key, userId, now) => deps.state.rememberSticky(`${flowId}:${key}`, userId, now),
  };
}

/** One verified request: its parameters, its clock and the URLs our TwiML points back to. */
class CallRequest {
  readonly base: string;
  readonly now: Date;

  constructor(
    event: APIGatewayProxyEventV2,
    readonly params: TwilioParams,
    readonly queryParams: TwilioParams,
    deps: WebhookDeps,
  ) {
    this.base = baseUrlOf(event, deps.publicUrl);
    this.now = requestTime(deps, event.headers);
  }

  param = (name: string) => singleParam(this.params, name);
  query = (name: string) => singleParam(this.queryParams, name);
  get from() {
    return this.param('From') ?? this.query('c') ?? '';
  }
  get to() {
    return this.param('To') ?? this.query('n') ?? '';
  }

  private url(path: string, query: Record<string, string | undefined>): string {
    const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
    return `${this.base}/twilio/voice/${path}${qs.size ? `?${qs}` : ''}`;
  }

  /** `callback`: the recordingStatusCallback (nobody listening) rather than a Record action (a caller on the line). */
  recordingUrl(mailbox: MailboxKey, callback = false, notify = false): string {
    return this.url('recording', { mb: mailbox, c: this.from, n: this.to, cb: callback ? '1' : undefined, nt: notify ? '1' : undefined });
  }

  urls(revision: LoadedRevision | undefined): CallUrls {
    const pin = revision ? { f: revision.flowId, r: String(revision.revision) } : {};
    return {
      action: (state: CallState) => this.url('step', { ...pin, ...encodeState(state) }),
      screen: this.url('screen', { c: this.from }),
      answered: (key, userId, screen) =>
        this.url('answered', { f: revision?.flowId, k: key, u: userId, s: screen ? '1' : undefined, c: screen ? this.from : undefined }),
      recordingStatus: (record) => this.recordingUrl(mailboxKey(record.mailbox), true, record.notify),
      // A notifying voicemail's transcript is texted too: the callback must know to whom and from where.
      transcription: (record) =>
        this.url('transcription', record.notify ? { mb: mailboxKey(record.mailbox), c: this.from, n: this.to, nt: '1' } : {}),
    };
  }

  traceInput(): Record<string, string> | undefined {
    const input = Object.fromEntries(TRACE_INPUTS.map((k) => [k, this.param(k)]).filter((e): e is [string, string] => e[1] !== undefined));
    return Object.keys(input).length ? input : undefined;
  }

  traceHeader(revision: LoadedRevision): TraceHeader {
    return { sid: this.param('CallSid') ?? '', channel: 'call', from: this.from, to: this.to, flowId: revision.flowId, revision: revision.revision };
  }
}


// The links of a call: one verified voice request, its parameters, and the URLs our TwiML points back
// to. Their query string is the call's state between steps (DESIGN.md section 5), covered by the
// signature Twilio sends with every request back:
//   /twilio/voice/step?f=<flow>&r=<revision>&<encodeState...>   resume the engine (pinned revision)
//   /twilio/voice/screen?c=<caller>                             the whisper of a screened dial
//   /twilio/voice/answered?f&k=<sticky key>&u=<user>&s=1&c      a member picked up a sticky dial
//   /twilio/voice/whisper?f&r&a=<applet>&n[&s=1&c][&k&u]        a dial's announcement (then screening, sticky)
//   /twilio/voice/leg?u=<user>                                  a user's leg answered / ended (status callback)
//   /twilio/voice/queue-wait?f&r&a=<applet>[&la=<QueueTime>]    a queue's wait URL (la: position last said then)
//   /twilio/voice/agent?q=<queue>&u=<user>                      an offer's call answered: <Dial><Queue> (Calls create Url)
//   /twilio/voice/agent-status?q&u                              an offer's call answered / ended (status callback)
//   /twilio/voice/queue-bridged?q&u&o=<offer CallSid>           the queued caller's end as a member takes them (<Queue url>)
//   /twilio/voice/recording?mb=<mailbox>&c&n[&cb=1][&nt=1][&ne=1][&tr=1]  Record action, or its status callback
//                       (cb); nt: notify by text, ne: by email, tr: a transcript will follow (said in the email)
//   /twilio/voice/transcription[?mb&c&n[&nt=1][&ne=1]]          transcribeCallback (a notifying voicemail's)
import type { CallState } from '../flows/call-state';
import { encodeState } from '../flows/call-state';
import type { LoadedRevision } from '../flows/call-request';
import { NOTIFY_NOBODY, type NotifyChannels } from '../flows/outbound';
import { mailboxKey, type MailboxKey } from '../store/message-store';
import type { TraceHeader } from '../store/trace-store';
import { singleParam } from '../twilio/request';
import type { CallUrls } from '../twilio/twiml';
import type { TwilioRequest } from './guard';

const notifyQuery = (notify: NotifyChannels) => ({ nt: notify.sms ? '1' : undefined, ne: notify.email ? '1' : undefined });

/** The parameters of each request worth keeping in the trace. */
const TRACE_INPUTS = ['Digits', 'DialCallStatus', 'DialCallDuration', 'RecordingSid', 'RecordingDuration', 'CallStatus', 'QueueResult', 'QueueTime'];

export class CallRequest {
  constructor(readonly request: TwilioRequest) {}

  get now(): Date {
    return this.request.now;
  }
  get route(): string {
    return this.request.route;
  }
  param = (name: string) => singleParam(this.request.params, name);
  query = (name: string) => singleParam(this.request.query, name);
  get callSid(): string {
    return this.param('CallSid') ?? '';
  }
  /** The caller: as posted, or as our own URL carries it (callbacks have no From). */
  get from(): string {
    return this.param('From') ?? this.query('c') ?? '';
  }
  get to(): string {
    return this.param('To') ?? this.query('n') ?? '';
  }

  private url(path: string, query: Record<string, string | undefined>): string {
    const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
    return `${this.request.base}/twilio/voice/${path}${qs.size ? `?${qs}` : ''}`;
  }

  /** `callback`: the recordingStatusCallback (nobody listening) rather than a Record action (a caller on the line). */
  recordingUrl(mailbox: MailboxKey, callback = false, notify: NotifyChannels = NOTIFY_NOBODY, transcribing = false): string {
    return this.url('recording', { mb: mailbox, c: this.from, n: this.to, cb: callback ? '1' : undefined, ...notifyQuery(notify), tr: notify.email && transcribing ? '1' : undefined });
  }

  /** The notify channels a recording or transcription URL carries (`nt`, `ne`). */
  notifyChannels(): NotifyChannels {
    return { sms: this.query('nt') === '1', email: this.query('ne') === '1' };
  }

  urls(revision: LoadedRevision | undefined): CallUrls {
    const pin = revision ? { f: revision.flowId, r: String(revision.revision) } : {};
    return {
      action: (state: CallState) => this.url('step', { ...pin, ...encodeState(state) }),
      screen: this.url('screen', { c: this.from }),
      answered: (key, userId, screen) =>
        this.url('answered', { f: revision?.flowId, k: key, u: userId, s: screen ? '1' : undefined, c: screen ? this.from : undefined }),
      whisper: ({ applet, screen, sticky }) =>
        this.url('whisper', {
          f: revision?.flowId, r: revision ? String(revision.revision) : undefined, a: applet, n: this.to,
          s: screen ? '1' : undefined, c: screen ? this.from : undefined, k: sticky?.key, u: sticky?.userId,
        }),
      leg: (userId) => this.url('leg', { u: userId }),
      queueWait: (applet, lastAnnounced) =>
        this.url('queue-wait', { f: revision?.flowId, r: revision ? String(revision.revision) : undefined, a: applet, la: lastAnnounced === undefined ? undefined : String(lastAnnounced) }),
      queueBridged: (queue, userId) => this.url('queue-bridged', { q: queue, u: userId, o: this.callSid }),
      recordingStatus: (record) => this.recordingUrl(mailboxKey(record.mailbox), true, record.notify, record.transcribe),
      // A notifying voicemail's transcript is sent on too: the callback must know to whom and from where.
      transcription: (record) =>
        this.url('transcription', record.notify.sms || record.notify.email ? { mb: mailboxKey(record.mailbox), c: this.from, n: this.to, ...notifyQuery(record.notify) } : {}),
    };
  }

  traceInput(): Record<string, string> | undefined {
    const input = Object.fromEntries(TRACE_INPUTS.map((k) => [k, this.param(k)]).filter((e): e is [string, string] => e[1] !== undefined));
    return Object.keys(input).length ? input : undefined;
  }

  traceHeader(revision?: LoadedRevision): TraceHeader {
    return { sid: this.callSid, channel: 'call', from: this.from, to: this.to, ...(revision && { flowId: revision.flowId, revision: revision.revision }) };
  }
}

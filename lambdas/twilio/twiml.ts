// Renders the engines' carrier-neutral instructions as TwiML. Imports only twilio's TwiML modules:
// Importing the package root would put the whole library (megabytes) into every webhook bundle.
import { MAX_DIAL_NOUNS } from '../flows/applets';
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type {
  CallInstruction,
  DialInstruction,
  GatherInstruction,
  RecordInstruction,
} from '../flows/call-instructions';
import type { CallState } from '../flows/call-state';
import type { Prompt } from '../flows/schema';
import { MAX_MESSAGES_PER_ANSWER, type OutgoingSms, type SmsResult } from '../flows/sms-engine';
import { stripXmlIllegal } from '../flows/xml-text';

/** Absolute URLs, built by the webhook handler (which adds the flow id and revision to every one). */
export interface CallUrls {
  /** Where the carrier posts to resume the call in `state` (gather, dial and record actions, redirects). */
  action(state: CallState): string;
  /**
   * The whisper a screened callee hears before the call is bridged (it must carry the caller's number:
   * the callee's leg does not). Required when a dial screens.
   */
  screen?: string;
  /**
   * Run on the leg of the member who picks up a sticky dial (and screens, when `screen`): tells us who
   * answered. Without it a sticky dial of several ringers cannot remember anyone.
   */
  answered?(stickyKey: string, userId: string, screen: boolean): string;
  /**
   * Run on the answering leg of a dial that announces: speaks the dial's `announce` (from the applet of the
   * pinned revision), then screens and remembers a sticky member as `screen` and `answered` would.
   */
  whisper?(whisper: { applet: string; screen: boolean; sticky?: { key: string; userId: string } }): string;
  /**
   * A user's leg's status callback (`answered`, `completed`): what longest-idle and the queues know of who
   * is on a call and since when their last call ended. Without it the legs report nothing.
   */
  leg?(userId: string): string;
  /**
   * A queue's wait URL (`<Enqueue waitUrl>`, and the redirect that ends each wait answer): the applet whose
   * hold and announcements play, and when the position was last said. Required when a flow queues.
   */
  queueWait?(applet: string, lastAnnounced?: number): string;
  /**
   * Run on the queued caller's end when a member takes them (`<Queue url>`): the bridge is noted (they no
   * longer wait; the member's offer is done).
   */
  queueBridged?(queue: string, userId: string): string;
  /** recordingStatusCallback of a voicemail: the recording arrives there even if the caller hangs up. */
  recordingStatus(record: RecordInstruction): string;
  /** transcribeCallback of a voicemail that transcribes. */
  transcription(record: RecordInstruction): string;
}

/** Twilio rings at most 10 numbers or clients in one <Dial>. */
const MAX_NOUNS = MAX_DIAL_NOUNS;

type SayAttributes = VoiceResponse.SayAttributes;

export function renderCall(instructions: CallInstruction[], urls: CallUrls): string {
  const response = new VoiceResponse();
  for (const instruction of instructions) renderInstruction(response, instruction, urls);
  return response.toString();
}

function renderInstruction(response: VoiceResponse, instruction: CallInstruction, urls: CallUrls): void {
  switch (instruction.kind) {
    case 'say':
      renderPrompt(response, instruction.prompt, instruction.loop);
      return;
    case 'gather':
      renderGather(response, instruction, urls);
      return;
    case 'redirect':
      response.redirect({ method: 'POST' }, urls.action(instruction.to));
      return;
    case 'dial':
      renderDial(response, instruction, urls);
      return;
    case 'record':
      response.record({
        action: urls.action(instruction.action),
        method: 'POST',
        maxLength: instruction.maxSeconds,
        playBeep: true,
        recordingStatusCallback: urls.recordingStatus(instruction),
        recordingStatusCallbackMethod: 'POST',
        ...(instruction.transcribe && { transcribe: true, transcribeCallback: urls.transcription(instruction) }),
      });
      return;
    case 'hangup':
      response.hangup();
      return;
    case 'enqueue': {
      if (!urls.queueWait) throw new Error('renderCall: a queue needs urls.queueWait');
      const wait = urls.queueWait(instruction.action.applet);
      response.enqueue({ action: urls.action(instruction.action), method: 'POST', waitUrl: wait, waitUrlMethod: 'POST' }, stripXmlIllegal(instruction.queue));
      return;
    }
    case 'leave':
      response.leave();
      return;
    case 'wait-again':
      if (!urls.queueWait) throw new Error('renderCall: a wait answer needs urls.queueWait');
      response.redirect({ method: 'POST' }, urls.queueWait(instruction.applet, instruction.lastAnnounced));
      return;
    case 'dial-queue': {
      const url = urls.queueBridged?.(instruction.queue, instruction.userId);
      response.dial({}).queue(url ? { url, method: 'POST' } : {}, stripXmlIllegal(instruction.queue));
      return;
    }
  }
}

/** <Say> or <Play>, in the response or nested in a <Gather> (so that a key press interrupts it). */
function renderPrompt(parent: VoiceResponse | VoiceResponse.Gather, prompt: Prompt, loop = 1): void {
  const times = loop > 1 ? { loop } : {};
  if ('play' in prompt) {
    parent.play(times, prompt.play);
    return;
  }
  parent.say(
    {
      ...times,
      // Any Polly/Google voice name or language tag Twilio knows; the flow document validated their length only.
      ...(prompt.voice && { voice: prompt.voice as SayAttributes['voice'] }),
      ...(prompt.language && { language: prompt.language as SayAttributes['language'] }),
    },
    // Documents refuse characters XML cannot carry, but a revision published before that rule may hold
    // one: the builder would throw and every call would hear the apology.
    stripXmlIllegal(prompt.text),
  );
}

/**
 * One key, keypad only. finishOnKey="" so that `#` can be a menu option (by default it ends the input
 * and is never reported). Without an action Twilio posts the key to the current URL (screening).
 */
function renderGather(response: VoiceResponse, gather: GatherInstruction, urls: CallUrls): void {
  const node = response.gather({
    input: ['dtmf'],
    numDigits: 1,
    timeout: gather.timeoutSeconds,
    finishOnKey: '',
    ...(gather.action && { action: urls.action(gather.action), method: 'POST' }),
  });
  renderPrompt(node, gather.prompt);
}

function renderDial(response: VoiceResponse, dial: DialInstruction, urls: CallUrls): void {
  if (dial.screen && !urls.screen) throw new Error('renderCall: a screened dial needs urls.screen');
  const node = response.dial({
    action: urls.action(dial.action),
    method: 'POST',
    timeout: dial.timeoutSeconds,
    // Without callerId Twilio shows the caller's own number (and copes with a withheld one).
    ...(dial.callerId !== 'caller' && { callerId: dial.callerId }),
    // The caller keeps hearing ringback while the callee listens to the whisper (screening, announcement).
    ...((dial.screen || dial.announce !== undefined) && { answerOnBridge: true }),
    ...(dial.record && { record: 'record-from-answer-dual' as const }),
  });
  // The noun's URL runs on the callee's leg when they pick up, before the legs are bridged: the
  // announcement, the screening whisper, or (sticky dials) the note of who answered, which screens too
  // when it must. A user's leg also reports when it is answered and when it ends (longest-idle, queues).
  for (const target of dial.targets.slice(0, MAX_NOUNS)) {
    const sticky = dial.stickyKey && target.userId ? { key: dial.stickyKey, userId: target.userId } : undefined;
    const url =
      dial.announce !== undefined && urls.whisper ? urls.whisper({ applet: dial.action.applet, screen: dial.screen, ...(sticky && { sticky }) })
      : sticky && urls.answered ? urls.answered(sticky.key, sticky.userId, dial.screen)
      : dial.screen ? urls.screen
      : undefined;
    const noun = {
      ...(url && { url, method: 'POST' }),
      ...(target.userId && urls.leg && { statusCallback: urls.leg(target.userId), statusCallbackEvent: LEG_EVENTS, statusCallbackMethod: 'POST' }),
    };
    if (target.kind === 'client') node.client(noun, target.value);
    else node.number(noun, target.value);
  }
}

/** The leg events that tell us someone is on a call and when it ended. */
const LEG_EVENTS: Array<'answered' | 'completed'> = ['answered', 'completed'];

/**
 * The answer when nothing else can be answered (no flow, no call part, an outage, a bug): a short
 * apology, then a voicemail into the `unrouted` mailbox, so the call is not lost.
 */
export function safeVoiceTwiml(urls: { recordAction: string; recordingStatus: string }): string {
  const response = new VoiceResponse();
  response.say('Sorry, we cannot take your call right now. Please leave a message after the tone.');
  response.record({
    action: urls.recordAction,
    method: 'POST',
    maxLength: 120,
    playBeep: true,
    recordingStatusCallback: urls.recordingStatus,
    recordingStatusCallbackMethod: 'POST',
  });
  response.hangup();
  return response.toString();
}

// ---------------------------------------------------------------------------------------------------
// Texts

/**
 * Replies and notifications as <Message> elements, then the forward; nothing to send is `<Response/>`.
 * Never more than MAX_MESSAGES_PER_ANSWER (Twilio drops the rest): the engine already moved what does not
 * fit to `overflow`; this only makes sure, keeping the forward.
 */
export function renderSms(result: Pick<SmsResult, 'replies' | 'forward'>): string {
  const response = new MessagingResponse();
  const room = MAX_MESSAGES_PER_ANSWER - (result.forward ? 1 : 0);
  const replies = result.replies.slice(0, room);
  const messages = result.forward ? [...replies, result.forward] : replies;
  for (const message of messages) renderMessage(response, message);
  return response.toString();
}

function renderMessage(response: MessagingResponse, sms: OutgoingSms): void {
  const node = response.message(sms.to ? { to: sms.to } : {}, '');
  if (sms.body) node.body(stripXmlIllegal(sms.body));
  for (const url of sms.media ?? []) node.media(url);
}

/** An answer that sends nothing. */
export function emptyMessagingTwiml(): string {
  return new MessagingResponse().toString();
}

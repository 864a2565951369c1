// What the call engine asks the carrier to do, in carrier-neutral terms. lambdas/twilio/twiml.ts
// turns a list of these into TwiML; another carrier would need only another renderer.
import { isAnonymousCaller } from './caller-match';
import type { CallState, QueueState } from './call-state';
import type { Mailbox } from './engine';
import type { NotifyChannels } from './outbound';
import type { Prompt } from './schema';

export interface SayInstruction {
  kind: 'say';
  prompt: Prompt;
  loop: number;
}

/**
 * Wait for one key while the prompt plays. With no key the carrier goes on with the next instruction
 * (a `redirect` back to the menu); `action` absent means the key is posted back to the current URL
 * (the screening whisper uses that).
 */
export interface GatherInstruction {
  kind: 'gather';
  prompt: Prompt;
  timeoutSeconds: number;
  action?: CallState;
}

export interface RedirectInstruction {
  kind: 'redirect';
  to: CallState;
}

export interface DialTarget {
  kind: 'client' | 'number';
  value: string;
  /** The user this target belongs to (absent for a dial to a plain number). */
  userId?: string;
}

export interface DialInstruction {
  kind: 'dial';
  /** Rung together; at most 10 (Twilio's limit for one <Dial>). */
  targets: DialTarget[];
  timeoutSeconds: number;
  /** 'caller' keeps the caller's own number; otherwise the E.164 number to show (the flow's number). */
  callerId: 'caller' | string;
  record: boolean;
  /** The callee hears who is calling and presses 1 to accept (see screenPrompt). */
  screen: boolean;
  /**
   * The dial's `announce` text, spoken to whoever answers before the call is bridged (`{number}` still in
   * it: the whisper fills in the called number's name, see announcement()).
   */
  announce?: string;
  /**
   * A sticky group dial: the member who answers is remembered under this key (applet:group:caller), so
   * the carrier must tell us who picked up — a per-target URL run on the answering leg.
   */
  stickyKey?: string;
  action: CallState;
}

export interface RecordInstruction {
  kind: 'record';
  maxSeconds: number;
  transcribe: boolean;
  /** Text and/or email the mailbox's members when the message is stored (and its transcript when it comes). */
  notify: NotifyChannels;
  mailbox: Mailbox;
  action: CallState;
}

export interface HangupInstruction {
  kind: 'hangup';
}

/**
 * Put the caller in the named queue (`<Enqueue waitUrl action>`): while they wait the carrier asks the wait
 * URL of `action.applet` what to play; when they leave, it posts the result to `action`.
 */
export interface EnqueueInstruction {
  kind: 'enqueue';
  queue: string;
  action: QueueState;
}

/** Take the caller out of the queue (in a wait answer): the carrier goes on at the `<Enqueue>` action. */
export interface LeaveInstruction {
  kind: 'leave';
}

/** Ask the wait URL again (a wait answer's last verb), remembering when the position was last said. */
export interface WaitAgainInstruction {
  kind: 'wait-again';
  applet: string;
  /** The QueueTime at which the position was last announced. */
  lastAnnounced?: number;
}

/** The member who took an offer is connected to the caller at the head of the queue (`<Dial><Queue>`). */
export interface DialQueueInstruction {
  kind: 'dial-queue';
  queue: string;
  /** The member taking the call (the bridge is noted against their offer). */
  userId: string;
}

export type CallInstruction =
  | SayInstruction
  | GatherInstruction
  | RedirectInstruction
  | DialInstruction
  | RecordInstruction
  | HangupInstruction
  | EnqueueInstruction
  | LeaveInstruction
  | WaitAgainInstruction
  | DialQueueInstruction;

export const say = (prompt: Prompt, loop = 1): SayInstruction => ({ kind: 'say', prompt, loop });
export const HANGUP: HangupInstruction = { kind: 'hangup' };

// ---------------------------------------------------------------------------------------------------
// Screening: the whisper played on the callee's leg before the call is bridged.

/** Long enough to hear the number read out and reach for the keypad. */
const SCREEN_TIMEOUT_SECONDS = 10;

/**
 * What the callee hears when they pick up a screened call. No key (or hanging up) ends their leg,
 * so the dial goes on as if they had not answered. The key is posted back to the same URL.
 */
export function screenPrompt(callerNumber: string | undefined): CallInstruction[] {
  const text = `Call from ${speakableCaller(callerNumber)}. Press 1 to accept.`;
  return [{ kind: 'gather', prompt: { text }, timeoutSeconds: SCREEN_TIMEOUT_SECONDS }, HANGUP];
}

/**
 * A dial's `announce` as the answering person hears it: `{number}` is the called number's name (its digits
 * one by one when it has none), so "Call for the {number}" says "Call for the Sales line".
 */
export function announcement(template: string, number: { number: string; name?: string }): string {
  const name = number.name?.trim() || speakableCaller(number.number);
  return template.replaceAll('{number}', name);
}

/** The callee's answer to the whisper: an empty answer ends the whisper and bridges the call; anything but 1 declines. */
export function screenResult(digits: string | undefined): CallInstruction[] {
  return digits === '1' ? [] : [HANGUP];
}

/** "+15550107777" → "1 5 5 5 0 1 0 7 7 7 7", so text-to-speech reads digits, not "fifteen billion...". */
function speakableCaller(from: string | undefined): string {
  if (isAnonymousCaller(from)) return 'a withheld number';
  const caller = (from ?? '').trim();
  // A softphone caller arrives as "client:alice": say the name.
  if (caller.startsWith('client:')) return caller.slice('client:'.length);
  return caller.replace(/\D/g, '').split('').join(' ');
}

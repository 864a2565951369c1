// What the call and sms engines share: the ports through which they reach stored state, the step
// record that becomes the trace, and the guard against a chain of applets that never stops.
// The engines themselves live in call-engine.ts and sms-engine.ts; this file imports none of them.
import { isApplet } from './graph';
import type { Applet, FlowPart, MailboxRef, Prompt } from './schema';

/**
 * The little state the engine needs from storage. Keys are built by the engine from the applet and
 * group (and caller) ids; the webhook handler prefixes them with the flow id before they reach DynamoDB.
 * `StateStore` (store/state-store.ts) has exactly these methods.
 */
export interface EnginePorts {
  /**
   * Round-robin: returns the member index this call starts at and advances the counter atomically (one
   * DynamoDB update), once per `callSid`: the same call asking again (a replayed request) gets the same start.
   */
  nextRoundRobinStart(key: string, memberCount: number, callSid?: string): Promise<number>;
  /** Sticky: the user id that last answered this caller for this dial, if any (kept 30 days). */
  stickyMember(key: string): Promise<string | undefined>;
  /** Sticky: remembers who answered this caller for this dial (called once, when an answered call ends). */
  rememberSticky(key: string, userId: string, now: Date): Promise<void>;
  /**
   * Longest-idle: what is known of these users' calls, from their legs' status callbacks (one batch read;
   * users never seen on a call are absent). Not scoped to a flow: a member's calls are theirs, whichever
   * flow rang them.
   */
  presence(userIds: readonly string[]): Promise<ReadonlyMap<string, Presence>>;
}

/** A user's calls as the carrier reported them (their legs' `answered` and `completed` status callbacks). */
export interface Presence {
  /** When their last answered call ended (ISO time); absent when none is known. */
  lastCallEndedAt?: string;
  /** A leg of theirs was answered and has not ended yet. */
  onCall: boolean;
}

/** One applet visited in one request, in order: the trace's `applet` and `type`. */
export interface Step {
  applet: string;
  /**
   * The applet's type, or what stopped the run instead:
   * `guard` (too many applets in one request: a runaway chain) or `missing` (a branch that leads nowhere,
   * or a continuation that does not fit the flow's applet).
   */
  type: string;
}

/** A mailbox as the store addresses it (store/message-store.ts `mailboxKey` takes this or 'unrouted'). */
export interface Mailbox {
  kind: 'user' | 'group';
  id: string;
}

export const mailboxOf = (ref: MailboxRef): Mailbox =>
  'user' in ref ? { kind: 'user', id: ref.user } : { kind: 'group', id: ref.group };

/**
 * At most this many applets are visited in one request. A published flow cannot loop without input
 * (the checker refuses it), but a redirect between flows or a bug could: the guard ends such a run
 * safely instead of spinning until the carrier's 15-second limit.
 */
export const MAX_APPLETS_PER_REQUEST = 50;

/** Spoken when the flow cannot go on (runaway chain, missing branch): the caller still hears a person-like answer. */
export const APOLOGY: Prompt = { text: 'Sorry, we cannot take your call right now. Please try again later. Goodbye.' };

/** A branch's target, or undefined when the branch is not set ("" and absent mean the same). */
export const branchTarget = (target: string | undefined): string | undefined => (target ? target : undefined);

/** The applet `id` names, by the graph's own-key rule (graph.ts): "constructor" must not find Object.prototype's. */
export function appletAt(part: FlowPart, id: string): Applet | undefined {
  return isApplet(part, id) ? part.applets[id] : undefined;
}

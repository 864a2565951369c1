// The `queue` applet's domain (DESIGN.md section 3), as Twilio builds queues: what a waiting caller hears on
// each request of the `<Enqueue>` wait URL (their position, the hold prompt, `<Leave/>` after
// maxWaitSeconds), how the queue's result continues the call, what the member who takes an offer hears,
// and whom to offer the longest-waiting caller to. Pure: no storage, no carrier, no clock but `now`.
import { HANGUP, say, type CallInstruction } from './call-instructions';
import type { Presence } from './engine';
import type { Directory, User } from './people';
import type { AppletOf, Prompt } from './schema';

export type QueueApplet = AppletOf<'queue'>;
export type QueueTarget = QueueApplet['targets'][number];

/** What a caller hears while waiting when the applet names no `hold`. */
export const DEFAULT_HOLD: Prompt = { text: 'Thanks for waiting. Someone will be with you as soon as possible. Please stay on the line.' };

/** A wait answer covers about this much time when the position is never announced. */
const DEFAULT_WAIT_PERIOD_SECONDS = 60;
/** Speech runs at about 150 words a minute. */
const WORDS_PER_SECOND = 2.5;
/** A recording's length is not known: counted as one long track. */
const PLAY_SECONDS = 30;

/** About how long a prompt plays once: speech by its words, a recording as a long track. */
export function estimateSeconds(prompt: Prompt): number {
  if ('play' in prompt) return PLAY_SECONDS;
  const words = prompt.text.trim().split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words / WORDS_PER_SECOND));
}

/** "You are next in line." / "You are number 3 in line." */
export function positionText(position: number): string {
  return position <= 1 ? 'You are next in line.' : `You are number ${position} in line.`;
}

export interface WaitRequest {
  /** Twilio's QueueTime: seconds the caller has waited. */
  queueTime: number;
  /** Twilio's QueuePosition (1 is the head). */
  position: number;
  /** The QueueTime at which the position was last said (from our own wait URL); absent: never. */
  lastAnnounced?: number;
}

/**
 * One answer of the wait URL. Past maxWaitSeconds: `<Leave/>` (the call goes on at the `<Enqueue>` action,
 * QueueResult=leave, then `timeout`). Otherwise the position when it is due (at once, then every
 * announceEverySeconds), the hold prompt looped to cover about one announcement period (never past
 * maxWaitSeconds), and a redirect back here that remembers when the position was said.
 */
export function waitAnswer(appletId: string, queue: QueueApplet, wait: WaitRequest): CallInstruction[] {
  const queueTime = Math.max(0, wait.queueTime);
  if (queueTime >= queue.maxWaitSeconds) return [{ kind: 'leave' }];
  const every = queue.announceEverySeconds;
  const due = every > 0 && (wait.lastAnnounced === undefined || queueTime - wait.lastAnnounced >= every);
  const hold = queue.hold ?? DEFAULT_HOLD;
  const period = Math.min(every > 0 ? every : DEFAULT_WAIT_PERIOD_SECONDS, queue.maxWaitSeconds - queueTime);
  const loop = Math.max(1, Math.min(10, Math.ceil(period / estimateSeconds(hold))));
  return [
    ...(due ? [say({ text: positionText(wait.position) })] : []),
    say(hold, loop),
    { kind: 'wait-again', applet: appletId, ...((due || wait.lastAnnounced !== undefined) && { lastAnnounced: due ? queueTime : wait.lastAnnounced }) },
  ];
}

/**
 * What the `<Enqueue>` action's QueueResult means for the call: the caller left the queue without being
 * bridged (our `<Leave/>` after maxWaitSeconds, a full queue, an error): the `timeout` branch. Bridged (the
 * action comes once the conversation is over), hung up or redirected: the call is over.
 */
export function leftWithoutAgent(queueResult: string | undefined): boolean {
  return queueResult === 'leave' || queueResult === 'queue-full' || queueResult === 'error' || queueResult === 'system-error';
}

/**
 * The member who picked up an offer: told which queue, then connected to the caller at its head. When
 * nobody waits any more (taken by another member, or gone), told so and hung up.
 */
export function agentAnswer(queue: string, userId: string, someoneWaits: boolean): CallInstruction[] {
  if (!someoneWaits) return [say({ text: 'The caller is no longer waiting. Thank you. Goodbye.' }), HANGUP];
  return [say({ text: `Call from the ${queue} queue.` }), { kind: 'dial-queue', queue, userId }];
}

// ---------------------------------------------------------------------------------------------------
// Offers: whom the longest-waiting caller is offered to

/** A caller waiting in a queue, as the webhook recorded them when they joined. */
export interface WaitingCaller {
  callSid: string;
  /** When they joined (ISO). */
  since: string;
  from: string;
  /** The organisation's number they called: the offers are placed from it. */
  to: string;
  /** Who may take them: the targets of the queue applet that put them in. */
  targets: QueueTarget[];
}

/** A call placed to a member to take the head of the queue. */
export interface Offer {
  agentCallSid: string;
  userId: string;
  /** When it was placed (ISO). */
  at: string;
  /** `answered`: the member picked up and is being connected. */
  state: 'ringing' | 'answered';
}

/** How long an offer rings (Calls `Timeout`): under a mobile's own voicemail, as a dial's ring time. */
export const OFFER_RING_SECONDS = 20;
/** An offer left ringing this long past its ring time is taken as over (its status callback was lost). */
const OFFER_STALE_MS = (OFFER_RING_SECONDS + 40) * 1000;
/** An answered offer is connected within seconds; one this old is over (the member's call ended). */
const ANSWERED_STALE_MS = 5 * 60_000;
/** A member who let an offer ring out (or was busy) is not offered the queue again for this long. */
export const REOFFER_AFTER_MS = 30_000;

export interface OfferInput {
  /** The queue's waiting callers, in any order. */
  waiting: readonly WaitingCaller[];
  offers: readonly Offer[];
  /** When each member last let an offer of this queue ring out or was busy (ISO). */
  declined: ReadonlyMap<string, string>;
  /** The people the waiting callers' targets name (groups with their members). */
  directory: Directory;
  /** Of the candidates: who is on a call now (their legs' status callbacks). */
  presence: ReadonlyMap<string, Presence>;
  now: Date;
}

export interface PlacedOffer {
  userId: string;
  /** A phone number, or `client:<identity>`. */
  to: string;
  /** The number the head caller called. */
  from: string;
}

export interface OfferPlan {
  /** Members to call now. */
  call: PlacedOffer[];
  /** Ringing offers to hang up: more members ring than callers wait. */
  cancel: string[];
  /** The caller the offers are for (the longest waiting), when anyone waits. */
  head?: WaitingCaller;
}

/** The offers still in play: a ringing offer past its ring time, or an old answered one, is over. */
export function liveOffers(offers: readonly Offer[], now: Date): Offer[] {
  return offers.filter((o) => now.getTime() - Date.parse(o.at) < (o.state === 'ringing' ? OFFER_STALE_MS : ANSWERED_STALE_MS));
}

/** The users a queue's targets name, in order, once each (groups expanded in place). */
export function targetUsers(targets: readonly QueueTarget[], directory: Directory): string[] {
  const ids = targets.flatMap((t) => ('user' in t ? [t.user] : (directory.groups.get(t.group)?.members ?? [])));
  return [...new Set(ids)];
}

/** Where a member takes an offer: their phone, else their softphone. */
const reachAt = (user: User): string | undefined => user.phone ?? (user.client ? `client:${user.client}` : undefined);

/**
 * Every member who may take the longest-waiting caller rings at once (the first to answer takes the head
 * of the queue, as `<Dial><Queue>` does; the others, still ringing, take the next callers). New offers go
 * out while more callers wait (not counting those being connected to a member who picked up) than offers
 * ring: to every target member who is available, reachable, not on a call, not offered this queue already,
 * and did not let an offer of it ring out in the last REOFFER_AFTER_MS. Once every waiting caller is being
 * connected (or nobody waits), the offers still ringing are hung up.
 */
export function planOffers(input: OfferInput): OfferPlan {
  const now = input.now.getTime();
  const waiting = [...input.waiting].sort((a, b) => a.since.localeCompare(b.since) || a.callSid.localeCompare(b.callSid));
  const live = liveOffers(input.offers, input.now);
  const ringing = live.filter((o) => o.state === 'ringing').sort((a, b) => a.at.localeCompare(b.at));
  const head = waiting[0];
  // Callers not yet being connected to someone who picked up an offer.
  const pending = waiting.length - live.filter((o) => o.state === 'answered').length;
  // Nobody left for the offers still ringing: hang them up.
  if (!head || pending <= 0) return { call: [], cancel: ringing.map((o) => o.agentCallSid), ...(head && { head }) };
  // Every ringing offer can take a caller: more ring only while more callers wait than offers ring.
  if (ringing.length >= pending) return { call: [], cancel: [], head };
  const offered = new Set(live.map((o) => o.userId));
  const call: PlacedOffer[] = [];
  for (const id of targetUsers(head.targets, input.directory)) {
    const user = input.directory.users.get(id);
    const to = user && reachAt(user);
    if (!user || !to || user.available === false || offered.has(id) || input.presence.get(id)?.onCall) continue;
    const declined = input.declined.get(id);
    if (declined && now - Date.parse(declined) < REOFFER_AFTER_MS) continue;
    call.push({ userId: id, to, from: head.to });
  }
  return { call, cancel: [], head };
}

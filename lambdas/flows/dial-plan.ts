// Who a dial rings, and in which rounds. The ringing order is rebuilt on every request from the flow,
// the directory and the few values kept in the call state (round-robin offset, sticky member), so a
// dial spanning several webhook requests needs no server-side session.
import { MAX_DIAL_NOUNS } from './applets';
import { isAnonymousCaller } from './caller-match';
import type { DialTarget } from './call-instructions';
import type { DialState } from './call-state';
import type { EnginePorts, Presence } from './engine';
import type { Directory, Group, User } from './people';
import type { AppletOf } from './schema';

type DialApplet = AppletOf<'dial'>;

/** Twilio rings at most 10 numbers or clients in one <Dial>. */
export const MAX_DIAL_TARGETS = MAX_DIAL_NOUNS;

/** One entry of the ringing order: a user (or a plain number) and what to ring. No targets: skip it now. */
export interface Ringer {
  userId?: string;
  targets: DialTarget[];
}

export interface DialPlan {
  order: Ringer[];
  /** Round-robin offset this call started at. */
  rr?: number;
  /** Longest-idle: the members' positions in the group, in the order this call rings them. */
  idle?: number[];
  /** The member who last answered this caller, rung alone first. */
  sticky?: string;
}

export interface Round {
  ringers: Ringer[];
  /** Where the round after this one starts in the order. */
  next: number;
}

export const roundRobinKey = (appletId: string, groupId: string) => `${appletId}:${groupId}`;
export const stickyKey = (appletId: string, groupId: string, caller: string) => `${appletId}:${groupId}:${caller}`;

/**
 * The first time a call reaches the dial: reads the round-robin counter and the sticky member, together.
 * `callSid` keeps a replay of the same call from advancing the counter again.
 */
export async function planDial(appletId: string, dial: DialApplet, from: string, directory: Directory, ports: EnginePorts, callSid?: string): Promise<DialPlan> {
  if (!dial.group) return { order: legsOf(dial, singleOrder(dial, directory)) };
  const group = directory.groups.get(dial.group);
  // Nobody to ring: go to noAnswer without touching the counter (it should only move for calls that ring someone).
  if (!group || !group.members.some((id) => ringerFor(id, directory).targets.length > 0)) return { order: [] };

  const count = group.members.length;
  const [start, remembered, presence] = await Promise.all([
    dial.strategy === 'round-robin' ? ports.nextRoundRobinStart(roundRobinKey(appletId, group.id), count, callSid) : undefined,
    dial.sticky && !isAnonymousCaller(from) ? ports.stickyMember(stickyKey(appletId, group.id, from)) : undefined,
    dial.strategy === 'longest-idle' ? ports.presence(group.members.filter((id) => ringerFor(id, directory).targets.length > 0)) : undefined,
  ]);
  const rr = start === undefined ? undefined : wrap(start, count);
  const idle = presence ? longestIdleOrder(group.members, presence) : undefined;
  const sticky = remembered && group.members.includes(remembered) && ringerFor(remembered, directory).targets.length > 0
    ? remembered
    : undefined;
  return { order: legsOf(dial, groupOrder(group, directory, { rr, idle }, sticky)), rr, idle, sticky };
}

/**
 * Longest-idle: members by the time since their last answered call ended, longest first; a member never
 * seen on a call has been idle longest of all (group order among them). Members on a call now ring last,
 * not never: a lost `completed` callback must not make anyone unreachable.
 */
export function longestIdleOrder(members: readonly string[], presence: ReadonlyMap<string, Presence>): number[] {
  const rank = (i: number): [number, number] => {
    const p = presence.get(members[i]);
    if (p?.onCall) return [2, 0];
    const ended = p?.lastCallEndedAt ? Date.parse(p.lastCallEndedAt) : NaN;
    return Number.isFinite(ended) ? [1, ended] : [0, 0];
  };
  // Array.prototype.sort is stable: equal ranks keep group order.
  return members
    .map((_, i) => i)
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1];
    });
}

/** A later round of the same dial: the same order, from the values the call state kept. */
export function replanDial(dial: DialApplet, state: DialState, directory: Directory): DialPlan {
  if (!dial.group) return { order: legsOf(dial, singleOrder(dial, directory)) };
  const group = directory.groups.get(dial.group);
  if (!group) return { order: [] };
  const rr = state.rr === undefined ? undefined : wrap(state.rr, group.members.length);
  return { order: legsOf(dial, groupOrder(group, directory, { rr, idle: state.idle }, state.sticky)), rr, idle: state.idle, sticky: state.sticky };
}

/**
 * The ringers of the round starting at `pos`, skipping those who cannot be rung now; undefined when
 * nobody is left. The sticky member rings alone first; then `simultaneous` rings everyone left in one
 * round, `sequential` and `round-robin` ring `perRound` at a time.
 */
export function nextRound(dial: DialApplet, plan: DialPlan, pos: number): Round | undefined {
  const stickyRound = plan.sticky !== undefined && pos === 0;
  // A screened dial rings one leg per round (see legsOf); a simultaneous screened group is the checker's screen_simultaneous.
  const simultaneous = dial.strategy === 'simultaneous' && !stickyRound && !dial.screen;
  const limit = stickyRound || dial.screen ? 1 : simultaneous ? Infinity : dial.perRound;

  const ringers: Ringer[] = [];
  let targets = 0;
  let i = pos;
  for (; i < plan.order.length && ringers.length < limit; i++) {
    const ringer = plan.order[i];
    if (ringer.targets.length === 0) continue;
    // A user with a phone and a client counts twice toward Twilio's limit; keep them whole for the next round.
    if (targets + ringer.targets.length > MAX_DIAL_TARGETS) break;
    ringers.push(ringer);
    targets += ringer.targets.length;
  }
  if (ringers.length === 0) return undefined;
  // A simultaneous dial has a single round: members beyond the limit (the checker's too_many_targets) are not rung.
  return { ringers, next: simultaneous ? plan.order.length : i };
}

/**
 * The ringing order as rounds see it. Screening works one leg at a time: when several legs ring,
 * Twilio bridges the first that picks up (a mobile's voicemail, say) and hangs up the others before the
 * whisper plays. So a screened dial rings each softphone and each phone as its own entry, softphone
 * first, one per round; an unscreened dial keeps each user whole (phone and softphone together).
 */
function legsOf(dial: DialApplet, order: Ringer[]): Ringer[] {
  if (!dial.screen) return order;
  return order.flatMap((r) => (r.targets.length <= 1 ? [r] : r.targets.map((t) => ({ userId: r.userId, targets: [t] }))));
}

/** A user or a number dial: one entry. */
function singleOrder(dial: DialApplet, directory: Directory): Ringer[] {
  if (dial.number) return [{ targets: [{ kind: 'number', value: dial.number }] }];
  if (dial.user) return [ringerFor(dial.user, directory)];
  return [];
}

/**
 * Members in group order, starting at the round-robin offset and wrapping once, or in longest-idle order;
 * the sticky member first. A longest-idle order kept from an earlier request names positions: members
 * added since come last, positions past the group's end (members removed since) are dropped.
 */
function groupOrder(group: Group, directory: Directory, by: { rr?: number; idle?: number[] }, sticky: string | undefined): Ringer[] {
  let ordered: string[];
  if (by.idle) {
    const seen = new Set(by.idle.filter((i) => i < group.members.length));
    ordered = [...[...seen].map((i) => group.members[i]), ...group.members.filter((_, i) => !seen.has(i))];
  } else {
    const start = by.rr ?? 0;
    ordered = [...group.members.slice(start), ...group.members.slice(0, start)];
  }
  const ids = sticky ? [sticky, ...ordered.filter((id) => id !== sticky)] : ordered;
  return ids.map((id) => ringerFor(id, directory));
}

/** A user's softphone and/or mobile; nothing when the user is unavailable or unknown (deleted since). */
function ringerFor(userId: string, directory: Directory): Ringer {
  const user: User | undefined = directory.users.get(userId);
  if (!user || user.available === false) return { userId, targets: [] };
  const targets: DialTarget[] = [];
  if (user.client) targets.push({ kind: 'client', value: user.client, userId });
  if (user.phone) targets.push({ kind: 'number', value: user.phone, userId });
  return { userId, targets };
}

/** A counter value as an index into the members (tolerates a store that returns any integer). */
function wrap(start: number, count: number): number {
  if (count === 0 || !Number.isInteger(start)) return 0;
  return ((start % count) + count) % count;
}

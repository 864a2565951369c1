// Who a dial rings, and in which rounds. The ringing order is rebuilt on every request from the flow,
// the directory and the few values kept in the call state (round-robin offset, sticky member), so a
// dial spanning several webhook requests needs no server-side session.
import { dialListKey, MAX_DIAL_NOUNS } from './applets';
import { isAnonymousCaller } from './caller-match';
import type { DialTarget } from './call-instructions';
import type { DialState } from './call-state';
import type { EnginePorts, Presence } from './engine';
import type { Directory, User } from './people';
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
 * `callSid` keeps a replay of the same call from advancing the counter again. A group and a `targets`
 * list are ordered alike (the list is the group's members, or the targets with groups expanded in place).
 */
export async function planDial(appletId: string, dial: DialApplet, from: string, directory: Directory, ports: EnginePorts, callSid?: string): Promise<DialPlan> {
  const listKey = dialListKey(dial);
  if (listKey === undefined) return { order: legsOf(dial, singleOrder(dial, directory)) };
  const list = listOf(dial, directory);
  // Nobody to ring: go to noAnswer without touching the counter (it should only move for calls that ring someone).
  if (!list || !list.some((r) => r.targets.length > 0)) return { order: [] };

  const count = list.length;
  const [start, remembered, presence] = await Promise.all([
    dial.strategy === 'round-robin' ? ports.nextRoundRobinStart(roundRobinKey(appletId, listKey), count, callSid) : undefined,
    dial.sticky && !isAnonymousCaller(from) ? ports.stickyMember(stickyKey(appletId, listKey, from)) : undefined,
    dial.strategy === 'longest-idle' ? ports.presence(list.flatMap((r) => (r.userId !== undefined && r.targets.length > 0 ? [r.userId] : []))) : undefined,
  ]);
  const rr = start === undefined ? undefined : wrap(start, count);
  // A number on a list has no presence: it ranks as never seen on a call (list order among those).
  const idle = presence ? longestIdleOrder(list.map((r) => r.userId ?? ''), presence) : undefined;
  const sticky = remembered && list.some((r) => r.userId === remembered && r.targets.length > 0) ? remembered : undefined;
  return { order: legsOf(dial, listOrder(list, { rr, idle }, sticky)), rr, idle, sticky };
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
  if (dialListKey(dial) === undefined) return { order: legsOf(dial, singleOrder(dial, directory)) };
  const list = listOf(dial, directory);
  if (!list) return { order: [] };
  const rr = state.rr === undefined ? undefined : wrap(state.rr, list.length);
  return { order: legsOf(dial, listOrder(list, { rr, idle: state.idle }, state.sticky)), rr, idle: state.idle, sticky: state.sticky };
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
 * The list a group or `targets` dial orders, before rotation: a group's members, or the targets with each
 * group's members in its place. A person listed twice (alone and in a group, or in two groups) is rung
 * once, where they first appear. Undefined when a group dial's group is gone.
 */
function listOf(dial: DialApplet, directory: Directory): Ringer[] | undefined {
  if (!dial.targets) {
    const group = dial.group === undefined ? undefined : directory.groups.get(dial.group);
    return group ? [...new Set(group.members)].map((id) => ringerFor(id, directory)) : undefined;
  }
  const seen = new Set<string>();
  const out: Ringer[] = [];
  const user = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push(ringerFor(id, directory));
  };
  for (const entry of dial.targets) {
    if ('user' in entry) user(entry.user);
    else if ('group' in entry) for (const id of directory.groups.get(entry.group)?.members ?? []) user(id);
    else out.push({ targets: [{ kind: 'number', value: entry.number }] });
  }
  return out;
}

/**
 * The list starting at the round-robin offset and wrapping once, or in longest-idle order; the sticky
 * member first. A longest-idle order kept from an earlier request names positions: entries added since
 * come last, positions past the list's end (removed since) are dropped.
 */
function listOrder(list: Ringer[], by: { rr?: number; idle?: number[] }, sticky: string | undefined): Ringer[] {
  let rotated: Ringer[];
  if (by.idle) {
    const seen = new Set(by.idle.filter((i) => i < list.length));
    rotated = [...[...seen].map((i) => list[i]), ...list.filter((_, i) => !seen.has(i))];
  } else {
    const start = by.rr ?? 0;
    rotated = [...list.slice(start), ...list.slice(0, start)];
  }
  if (!sticky) return rotated;
  const first = rotated.find((r) => r.userId === sticky);
  return first ? [first, ...rotated.filter((r) => r !== first)] : rotated;
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

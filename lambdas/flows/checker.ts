// The flow checker (DESIGN.md section 4): does a schema-valid flow document make sense?
// Pure domain code: it looks only at the document and at the directory of users, groups and flows.
// Errors block publishing (422); warnings are saved and shown.
import type { Directory, Group, User } from './people';
import { ERROR_CODES, type Problem, type ProblemCode } from './problems';
import {
  branchesOf,
  CALL_APPLETS,
  DAYS,
  SMS_APPLETS,
  type Applet,
  type AppletOf,
  type AppletType,
  type Channel,
  type FlowDocument,
  type FlowPart,
  type MailboxRef,
} from './schema';

export interface CheckOptions {
  /** The id of the flow being checked: a `redirect` to itself is then known even before it is saved. */
  flowId?: string;
  /** "Now", to decide whether an hours override is still active. Defaults to the current time. */
  now?: Date;
}

/** Twilio rings at most 10 numbers at once in one <Dial>. */
export const MAX_SIMULTANEOUS = 10;

/** Call applets that stop and wait for the caller or the network; every other applet runs instantly. */
const WAITING_CALL_APPLETS: ReadonlySet<AppletType> = new Set(['menu', 'dial', 'voicemail']);

const ERROR_SET: ReadonlySet<ProblemCode> = new Set(ERROR_CODES);

export function checkFlow(doc: FlowDocument, directory: Directory, options: CheckOptions = {}): Problem[] {
  const problems: Problem[] = [];
  for (const channel of ['call', 'sms'] as const) {
    const part = doc[channel];
    if (!part) {
      // Without the part, calls (or texts) to the flow's numbers land unrouted: worth a warning.
      const what = channel === 'call' ? 'calls' : 'texts';
      problems.push(problem(channel === 'call' ? 'no_call_part' : 'no_sms_part', channel,
        `The flow has no ${channel} part: ${what} to its numbers will go to the unrouted mailbox.`));
      continue;
    }
    problems.push(...checkPart(part, channel, directory, options));
  }
  return problems;
}

/** Everything one part can get wrong, in a stable order: start, then applet by applet, then the graph. */
function checkPart(part: FlowPart, channel: Channel, directory: Directory, options: CheckOptions): Problem[] {
  const ctx: PartContext = { part, channel, directory, options, now: options.now ?? new Date() };
  const problems: Problem[] = [];
  const startKnown = isApplet(part, part.start);
  if (!startKnown) {
    problems.push(problem('unknown_start', channel,
      `The ${channel} part starts at "${part.start}", which is not one of its applets (${listIds(part)}).`));
  }
  for (const [id, applet] of Object.entries(part.applets)) {
    problems.push(...checkApplet(id, applet, ctx));
  }
  // With no valid start every applet would look unreachable; unknown_start already says what to fix.
  if (startKnown) problems.push(...findUnreachable(ctx));
  problems.push(...findInstantLoops(ctx));
  return problems;
}

interface PartContext {
  part: FlowPart;
  channel: Channel;
  directory: Directory;
  options: CheckOptions;
  now: Date;
}

// ---------------------------------------------------------------------------------------------------
// One applet

function checkApplet(id: string, applet: Applet, ctx: PartContext): Problem[] {
  return [
    ...checkChannel(id, applet, ctx),
    ...checkBranches(id, applet, ctx),
    ...checkReferences(id, applet, ctx),
    ...(applet.type === 'hours' ? checkHours(id, applet, ctx) : []),
  ];
}

function checkChannel(id: string, applet: Applet, { channel }: PartContext): Problem[] {
  const allowed: readonly AppletType[] = channel === 'call' ? CALL_APPLETS : SMS_APPLETS;
  if (allowed.includes(applet.type)) return [];
  const other = channel === 'call' ? 'sms' : 'call';
  return [problem('wrong_channel', channel,
    `Applet "${id}" is a ${applet.type} applet, which only works in the ${other} part; ` +
    `the ${channel} part accepts ${allowed.join(', ')}.`, id)];
}

/** An empty branch is a dead end (missing_branch); a branch naming no applet goes nowhere (unknown_applet). */
function checkBranches(id: string, applet: Applet, { part, channel }: PartContext): Problem[] {
  const problems: Problem[] = [];
  for (const { branch, target } of branchesOf(applet)) {
    if (!target) {
      // A reply without `next` simply ends the conversation: that is how an sms flow finishes.
      if (applet.type === 'reply' && branch === 'next') continue;
      problems.push(problem('missing_branch', channel,
        `Applet "${id}" (${applet.type}) has no applet set for its "${branch}" branch: ` +
        `a ${channel === 'call' ? 'call' : 'text'} that takes it would reach a dead end.`, id, branch));
    } else if (!isApplet(part, target)) {
      problems.push(problem('unknown_applet', channel,
        `Applet "${id}" (${applet.type}) sends its "${branch}" branch to "${target}", ` +
        `which is not an applet of the ${channel} part.`, id, branch));
    }
  }
  return problems;
}

/** Users, groups and flows an applet names must exist, and the people it rings must be reachable. */
function checkReferences(id: string, applet: Applet, ctx: PartContext): Problem[] {
  switch (applet.type) {
    case 'dial':
      return checkDial(id, applet, ctx);
    case 'voicemail':
    case 'inbox':
      return checkMailbox(id, applet.mailbox, ctx);
    case 'redirect':
      return checkRedirect(id, applet, ctx);
    default:
      return [];
  }
}

function checkDial(id: string, dial: AppletOf<'dial'>, ctx: PartContext): Problem[] {
  const { directory, channel } = ctx;
  if (dial.user !== undefined) {
    const user = directory.users.get(dial.user);
    if (!user) {
      return [problem('unknown_user', channel, `Applet "${id}" dials user "${dial.user}", who does not exist.`, id)];
    }
    return userUnreachable(id, user, '', ctx);
  }
  if (dial.group === undefined) return []; // a dial to a plain number needs nothing from the directory
  const group = directory.groups.get(dial.group);
  if (!group) {
    return [problem('unknown_group', channel, `Applet "${id}" dials group "${dial.group}", which does not exist.`, id)];
  }
  const problems = checkGroup(id, group, 'dials', ctx);
  if (dial.strategy === 'simultaneous' && group.members.length > MAX_SIMULTANEOUS) {
    problems.push(problem('too_many_targets', channel,
      `Applet "${id}" rings group "${group.id}" (${group.members.length} members) all at once, ` +
      `but at most ${MAX_SIMULTANEOUS} phones can ring together: use sequential or round-robin with perRound, ` +
      'or a smaller group.', id));
  }
  for (const memberId of new Set(group.members)) {
    const user = directory.users.get(memberId);
    if (user) problems.push(...userUnreachable(id, user, ` (a member of group "${group.id}")`, ctx));
  }
  return problems;
}

/** A user with neither a phone nor a softphone client cannot ring: the dial skips them. */
function userUnreachable(id: string, user: User, via: string, { channel }: PartContext): Problem[] {
  if (user.phone || user.client) return [];
  return [problem('user_unreachable', channel,
    `Applet "${id}" rings user "${user.id}" (${user.name})${via}, who has neither a phone nor a client: ` +
    'give them one, or they will never ring.', id)];
}

function checkMailbox(id: string, mailbox: MailboxRef, ctx: PartContext): Problem[] {
  const { directory, channel } = ctx;
  if ('user' in mailbox) {
    if (directory.users.has(mailbox.user)) return [];
    return [problem('unknown_user', channel,
      `Applet "${id}" stores messages in the mailbox of user "${mailbox.user}", who does not exist.`, id)];
  }
  const group = directory.groups.get(mailbox.group);
  if (!group) {
    return [problem('unknown_group', channel,
      `Applet "${id}" stores messages in the mailbox of group "${mailbox.group}", which does not exist.`, id)];
  }
  return checkGroup(id, group, 'uses the mailbox of', ctx);
}

/** A group used by an applet must have members, and every member must be a user. */
function checkGroup(id: string, group: Group, verb: string, { directory, channel }: PartContext): Problem[] {
  if (group.members.length === 0) {
    return [problem('empty_group', channel,
      `Applet "${id}" ${verb} group "${group.id}" (${group.name}), which has no members.`, id)];
  }
  return [...new Set(group.members)]
    .filter((memberId) => !directory.users.has(memberId))
    .map((memberId) => problem('unknown_user', channel,
      `Applet "${id}" ${verb} group "${group.id}" (${group.name}), whose member "${memberId}" is not a user.`, id));
}

function checkRedirect(id: string, redirect: AppletOf<'redirect'>, { directory, channel, options }: PartContext): Problem[] {
  if (directory.flowIds.has(redirect.flow) || redirect.flow === options.flowId) return [];
  return [problem('unknown_flow', channel,
    `Applet "${id}" redirects to flow "${redirect.flow}", which does not exist.`, id)];
}

// ---------------------------------------------------------------------------------------------------
// Business hours

function checkHours(id: string, hours: AppletOf<'hours'>, ctx: PartContext): Problem[] {
  const { channel } = ctx;
  const problems: Problem[] = [];
  if (!isTimeZone(hours.timezone)) {
    problems.push(problem('bad_timezone', channel,
      `Applet "${id}" uses time zone "${hours.timezone}", which is not an IANA time zone such as "America/New_York".`, id));
  }
  for (const day of DAYS) {
    for (const message of badRanges(hours.weekly[day])) {
      problems.push(problem('bad_hours', channel, `Applet "${id}" on ${day}: ${message}`, id));
    }
  }
  for (const closure of hours.closures) {
    // The schema checks the shape; a day that no calendar has (02-30) would silently never close.
    if (!isRealDate(closure.date)) {
      problems.push(problem('bad_hours', channel,
        `Applet "${id}" has a closure on "${closure.date}", which is not a real date.`, id));
    }
  }
  if (isAlwaysClosed(hours, ctx.now)) {
    problems.push(problem('always_closed', channel,
      `Applet "${id}" has no opening hours on any day, so it always takes its "closed" branch: ` +
      'add ranges to "weekly".', id));
  }
  return problems;
}

function isTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false; // RangeError: Intl does not know the zone
  }
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** What is wrong with one day's ranges: each inverted range, then each overlap between the sound ones. */
function badRanges(ranges: ReadonlyArray<readonly [string, string]>): string[] {
  const messages: string[] = [];
  const sound: Array<readonly [string, string]> = [];
  for (const range of ranges) {
    const [open, close] = range;
    if (open === '24:00') {
      messages.push(`the range ["${open}","${close}"] opens at 24:00, the end of the day; open at 00:00 instead.`);
    } else if (minutes(close) <= minutes(open)) {
      messages.push(`the range ["${open}","${close}"] closes before it opens or at the same time; ` +
        'a range past midnight is written as two ranges on two days.');
    } else {
      sound.push(range);
    }
  }
  // Sorted by opening time, two ranges overlap when one opens before the previous one closes;
  // touching ranges (12:00-13:00, 13:00-17:00) are fine.
  sound.sort((a, b) => minutes(a[0]) - minutes(b[0]));
  let latest = sound[0];
  for (const range of sound.slice(1)) {
    if (minutes(range[0]) < minutes(latest[1])) {
      messages.push(`the ranges ["${latest[0]}","${latest[1]}"] and ["${range[0]}","${range[1]}"] overlap.`);
    }
    if (minutes(range[1]) > minutes(latest[1])) latest = range;
  }
  return messages;
}

/** "YYYY-MM-DD" or "--MM-DD" (every year: 29 February is allowed, it exists in leap years). */
function isRealDate(date: string): boolean {
  const year = date.startsWith('--') ? 2000 : Number(date.slice(0, 4)); // 2000 is a leap year
  const month = Number(date.slice(-5, -3));
  const day = Number(date.slice(-2));
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Never open: no range on any day and no override keeping it open. Bad ranges are bad_hours, not this. */
function isAlwaysClosed(hours: AppletOf<'hours'>, now: Date): boolean {
  const anyRange = DAYS.some((day) => hours.weekly[day].length > 0);
  const openOverride = hours.override?.state === 'open' && Date.parse(hours.override.until) > now.getTime();
  return !anyRange && !openOverride;
}

// ---------------------------------------------------------------------------------------------------
// The graph of a part: applets are nodes, branches to existing applets are edges.

/**
 * Whether `id` is one of the part's applets. Own keys only: with `in` or a plain lookup, "constructor" or
 * "toString" would name an inherited function and pass as an applet, and the call would dead-end.
 */
const isApplet = (part: FlowPart, id: string): boolean => Object.hasOwn(part.applets, id);

/** The applets a branch of this applet leads to (unknown and empty branches are reported elsewhere). */
function successors(applet: Applet, part: FlowPart): string[] {
  return branchesOf(applet)
    .map((b) => b.target)
    .filter((t): t is string => !!t && isApplet(part, t));
}

/** Applet ids in the order a walk from start reaches them (breadth first). */
function reachableFromStart(part: FlowPart): string[] {
  if (!isApplet(part, part.start)) return [];
  const seen = new Set([part.start]);
  const order = [part.start];
  for (let i = 0; i < order.length; i++) {
    for (const next of successors(part.applets[order[i]], part)) {
      if (!seen.has(next)) {
        seen.add(next);
        order.push(next);
      }
    }
  }
  return order;
}

function findUnreachable({ part, channel }: PartContext): Problem[] {
  const reached = new Set(reachableFromStart(part));
  return Object.entries(part.applets)
    .filter(([id]) => !reached.has(id))
    .map(([id, applet]) => problem('unreachable', channel,
      `Applet "${id}" (${applet.type}) is not reached from start "${part.start}" by any path: ` +
      'link it from a branch or remove it.', id));
}

/** Whether the engine runs this applet and moves on within the same request, without anyone's input. */
function isInstant(applet: Applet, channel: Channel): boolean {
  // A text is answered in one go: nothing in the sms part waits.
  return channel === 'sms' || !WAITING_CALL_APPLETS.has(applet.type);
}

/**
 * A cycle made only of instant applets spins forever without the caller being asked anything.
 * The strongly connected components of the instant applets are exactly those cycles; each is reported
 * once, on its first applet (the one a call meets first, else the first in the document).
 */
function findInstantLoops({ part, channel, options }: PartContext): Problem[] {
  // A dial of people who may all be unavailable (a user or group dial; a number always rings) takes
  // noAnswer at once when nobody can be rung: through that branch it is instant too, so a noAnswer that
  // leads back to the dial spins (found by the property tests).
  const dialInCall = (a: Applet): a is AppletOf<'dial'> => channel === 'call' && a.type === 'dial' && !a.number;
  const instant = Object.keys(part.applets).filter((id) => isInstant(part.applets[id], channel) || dialInCall(part.applets[id]));
  const instantSet = new Set(instant);
  const edges = new Map<string, string[]>();
  for (const id of instant) {
    const applet = part.applets[id];
    const next = dialInCall(applet) ? [applet.noAnswer].filter((n): n is string => !!n && isApplet(part, n)) : successors(applet, part);
    // A redirect to this very flow starts its call part again: in effect a branch back to start.
    const restartsThisFlow = applet.type === 'redirect' && applet.flow === options.flowId;
    if (restartsThisFlow && isApplet(part, part.start)) next.push(part.start);
    edges.set(id, next.filter((n) => instantSet.has(n)));
  }

  const rank = new Map<string, number>();
  for (const id of [...reachableFromStart(part), ...Object.keys(part.applets)]) {
    if (!rank.has(id)) rank.set(id, rank.size);
  }

  const problems: Problem[] = [];
  for (const component of stronglyConnected(instant, edges)) {
    const first = component.sort((a, b) => rank.get(a)! - rank.get(b)!)[0];
    const isCycle = component.length > 1 || edges.get(first)!.includes(first);
    if (!isCycle) continue;
    const cycle = cycleThrough(first, edges, new Set(component));
    problems.push(problem('loop_without_input', channel,
      `Applets ${cycle.map((c) => `"${c}"`).join(' → ')} form a loop in which nothing waits for the ` +
      `${channel === 'call' ? 'caller' : 'sender'}: it would run forever. ` +
      (channel === 'call'
        ? cycle.some((c) => part.applets[c].type === 'dial')
          ? 'A dial whose noAnswer leads back to it runs at once when nobody can be rung: put a menu or voicemail in it, or break it.'
          : 'Put a menu, dial or voicemail in it, or break it.'
        : 'Break it.'), first));
  }
  return problems;
}

/** Tarjan's algorithm: the strongly connected components of a graph. */
function stronglyConnected(nodes: string[], edges: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };

  // At most 200 applets per part, so the recursion stays shallow.
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}

/** A shortest cycle from `start` back to itself inside one component, for the message: a → b → a. */
function cycleThrough(start: string, edges: ReadonlyMap<string, string[]>, inside: ReadonlySet<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const next of edges.get(queue[i]) ?? []) {
      if (!inside.has(next)) continue;
      if (next === start) {
        const between: string[] = [];
        for (let at = queue[i]; at !== start; at = cameFrom.get(at)!) between.unshift(at);
        return [start, ...between, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, queue[i]);
        queue.push(next);
      }
    }
  }
  return [start, start]; // not reached: a component that is a cycle always leads back
}

// ---------------------------------------------------------------------------------------------------

function problem(code: ProblemCode, channel: Channel, message: string, applet?: string, branch?: string): Problem {
  return {
    severity: ERROR_SET.has(code) ? 'error' : 'warning',
    code,
    channel,
    ...(applet !== undefined && { applet }),
    ...(branch !== undefined && { branch }),
    message,
  };
}

function listIds(part: FlowPart): string {
  const ids = Object.keys(part.applets);
  return ids.length === 0 ? 'it has none' : ids.map((id) => `"${id}"`).join(', ');
}

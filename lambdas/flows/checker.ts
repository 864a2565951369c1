// The flow checker (DESIGN.md section 4): does a schema-valid flow document make sense?
// Pure domain code: it looks only at the document and at the directory of users, groups and flows.
// Errors block publishing (422); warnings are saved and shown.
import { isReservedKeyword } from './carrier-keywords';
import { dialEntries, MAX_DIAL_NOUNS } from './applets';
import { notifyChannels } from './outbound';
import { isApplet, linksOf, successors, unreachable, walk } from './graph';
import type { Directory, Group, User } from './people';
import { MAX_FLOW_REDIRECTS } from './call-request';
import { ERROR_CODES, type Problem, type ProblemCode } from './problems';
import { badRanges, isNeverOpen, isRealDate, isTimeZone } from './schedule';
import { MAX_MESSAGES_PER_ANSWER } from './sms-engine';
import {
  CALL_APPLETS,
  DAYS,
  SMS_APPLETS,
  type Applet,
  type AppletOf,
  type AppletType,
  type Channel,
  type DialEntry,
  type FlowDocument,
  type FlowPart,
  type MailboxRef,
} from './schema';

export interface CheckOptions {
  /** The id of the flow being checked: a `redirect` to itself is then known even before it is saved. */
  flowId?: string;
  /** "Now", to decide whether an hours override is still active. Defaults to the current time. */
  now?: Date;
  /**
   * Which of the numbers the flow dials, forwards to or rings (numbersToLookUp) are the organisation's own
   * Switchboard numbers: ringing one would call back into Switchboard (`own_number`). Unknown: not checked.
   */
  ownNumbers?: ReadonlySet<string>;
  /**
   * The current call parts of the flows this one's redirects reach, directly or through others
   * (undefined for a flow without a call part): what `redirect_loop` follows. Unknown: not checked.
   */
  otherFlows?: ReadonlyMap<string, FlowPart | undefined>;
}

/** Twilio rings at most 10 nouns (<Number>, <Client>) at once in one <Dial>. */
export const MAX_SIMULTANEOUS = MAX_DIAL_NOUNS;
/** Twilio transcribes only recordings of 2-120 s (warning 13617). */
export const MAX_TRANSCRIBED_SECONDS = 120;

/** Call applets that stop and wait for the caller or the network; every other applet runs instantly. */
const WAITING_CALL_APPLETS: ReadonlySet<AppletType> = new Set(['menu', 'dial', 'voicemail', 'queue']);

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
  if (doc.call && options.otherFlows) problems.push(...findRedirectLoops(doc.call, options.flowId, options.otherFlows));
  return problems;
}

/**
 * The numbers `own_number` needs to know about: dial and forward targets, and the phones of the users
 * the flow rings or texts (dial targets, group members, notified mailbox members). The caller looks them
 * up among the organisation's numbers and passes the hits as `ownNumbers`.
 */
export function numbersToLookUp(doc: FlowDocument, directory: Directory): string[] {
  const numbers = new Set<string>();
  for (const part of [doc.call, doc.sms]) {
    for (const applet of Object.values(part?.applets ?? {})) {
      if (applet.type === 'dial') for (const entry of dialEntries(applet)) if ('number' in entry) numbers.add(entry.number);
      if (applet.type === 'forward') numbers.add(applet.to);
      for (const user of peopleReached(applet, directory)) if (user.phone) numbers.add(user.phone);
    }
  }
  return [...numbers].sort();
}

/** The users an applet rings (dial) or texts (an inbox or a voicemail that notifies by text). */
function peopleReached(applet: Applet, directory: Directory): User[] {
  const members = (mailbox: MailboxRef) => ('user' in mailbox ? [mailbox.user] : (directory.groups.get(mailbox.group)?.members ?? []));
  const ids =
    applet.type === 'dial' ? dialEntries(applet).flatMap((e) => ('user' in e ? [e.user] : 'group' in e ? (directory.groups.get(e.group)?.members ?? []) : []))
    : applet.type === 'inbox' && applet.notify ? members(applet.mailbox)
    : applet.type === 'voicemail' && notifyChannels(applet.notify).sms ? members(applet.mailbox)
    : [];
  return [...new Set(ids)].map((id) => directory.users.get(id)).filter((u): u is User => u !== undefined);
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
  if (startKnown && channel === 'call') problems.push(...findRecordingWithoutNotice(ctx));
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
    ...checkCarrierLimits(id, applet, ctx),
    ...checkVoices(id, applet, ctx),
  ];
}

/** Voices the twilio library still accepts but Twilio's <Say> documentation no longer lists (man, woman, Polly.*, Google.* only). */
const RETIRED_VOICES: ReadonlySet<string> = new Set(['alice']);

/** `voice_retired`: a prompt of the applet (say, menu, voicemail, screening...) speaks with a retired voice. */
function checkVoices(id: string, applet: Applet, { channel }: PartContext): Problem[] {
  const voices = new Set<string>();
  for (const value of Object.values(applet)) {
    const voice = value && typeof value === 'object' ? (value as { voice?: unknown }).voice : undefined;
    if (typeof voice === 'string' && RETIRED_VOICES.has(voice)) voices.add(voice);
  }
  return [...voices].map((voice) => problem('voice_retired', channel,
    `Applet "${id}" speaks with the voice "${voice}", which Twilio's <Say> documentation no longer lists (it lists man, ` +
    'woman, and the Polly.* and Google.* voices): choose one of those, e.g. Polly.Joanna-Neural.', id));
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
  for (const { branch, target, leadsTo } of linksOf(part, applet)) {
    if (leadsTo === 'empty') {
      // A reply without `next` simply ends the conversation: that is how an sms flow finishes.
      if (applet.type === 'reply' && branch === 'next') continue;
      problems.push(problem('missing_branch', channel,
        `Applet "${id}" (${applet.type}) has no applet set for its "${branch}" branch: ` +
        `a ${channel === 'call' ? 'call' : 'text'} that takes it would reach a dead end.`, id, branch));
    } else if (leadsTo === 'unknown') {
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
    case 'queue':
      return checkQueue(id, applet, ctx);
    default:
      return [];
  }
}

/** A queue's targets must exist, and someone among them must be reachable to take its callers. */
function checkQueue(id: string, queue: AppletOf<'queue'>, ctx: PartContext): Problem[] {
  const { directory, channel } = ctx;
  const problems: Problem[] = [];
  for (const target of queue.targets) {
    if ('user' in target) {
      const user = directory.users.get(target.user);
      if (!user) problems.push(problem('unknown_user', channel, `Applet "${id}" offers queue "${queue.name}" to user "${target.user}", who does not exist.`, id));
      else problems.push(...userUnreachable(id, user, '', ctx), ...ownPhone(id, user, '', ctx));
      continue;
    }
    const group = directory.groups.get(target.group);
    if (!group) {
      problems.push(problem('unknown_group', channel, `Applet "${id}" offers queue "${queue.name}" to group "${target.group}", which does not exist.`, id));
      continue;
    }
    problems.push(...checkGroup(id, group, 'offers its queue to', ctx));
    for (const memberId of new Set(group.members)) {
      const user = directory.users.get(memberId);
      if (user) problems.push(...userUnreachable(id, user, ` (a member of group "${group.id}")`, ctx), ...ownPhone(id, user, ` (a member of group "${group.id}")`, ctx));
    }
  }
  return problems;
}

function checkDial(id: string, dial: AppletOf<'dial'>, ctx: PartContext): Problem[] {
  if (dial.targets) return checkDialList(id, dial, dial.targets, ctx);
  const { directory, channel } = ctx;
  if (dial.user !== undefined) {
    const user = directory.users.get(dial.user);
    if (!user) {
      return [problem('unknown_user', channel, `Applet "${id}" dials user "${dial.user}", who does not exist.`, id)];
    }
    return [...userUnreachable(id, user, '', ctx), ...ownPhone(id, user, '', ctx)];
  }
  if (dial.group === undefined) {
    // A dial to a plain number needs nothing from the directory, unless the number is our own.
    return dial.number ? ownDialNumber(id, dial.number, ctx) : [];
  }
  const group = directory.groups.get(dial.group);
  if (!group) {
    return [problem('unknown_group', channel, `Applet "${id}" dials group "${dial.group}", which does not exist.`, id)];
  }
  const problems = checkGroup(id, group, 'dials', ctx);
  const several = dial.strategy === 'simultaneous' || dial.perRound > 1;
  if (dial.screen && several) {
    problems.push(problem('screen_simultaneous', channel,
      `Applet "${id}" screens a dial that rings several members of group "${group.id}" at once ` +
      `(${dial.strategy === 'simultaneous' ? 'strategy simultaneous' : `perRound ${dial.perRound}`}): Twilio connects the first ` +
      'leg that picks up — a voicemail, say — and hangs up the others before the whisper plays. ' +
      'Use sequential or round-robin with perRound 1, or do not screen.', id));
  } else if (!dial.screen) {
    problems.push(...checkNounCount(id, dial, group, ctx));
  }
  for (const memberId of new Set(group.members)) {
    const user = directory.users.get(memberId);
    if (user) problems.push(...userUnreachable(id, user, ` (a member of group "${group.id}")`, ctx));
    if (user) problems.push(...ownPhone(id, user, ` (a member of group "${group.id}")`, ctx));
  }
  return problems;
}

function ownDialNumber(id: string, number: string, { channel, options }: PartContext): Problem[] {
  if (!options.ownNumbers?.has(number)) return [];
  return [problem('own_number', channel,
    `Applet "${id}" dials ${number}, one of this organisation's own Switchboard numbers: ` +
    'the call would come back into Switchboard (and could loop). Dial the person, or redirect to that number\'s flow.', id)];
}

/**
 * A dial of several users, groups and numbers (`targets`): each must exist and be reachable, as for a
 * single target, and the list as rung (groups expanded in place, a person once) must fit Twilio's dial.
 */
function checkDialList(id: string, dial: AppletOf<'dial'>, targets: DialEntry[], ctx: PartContext): Problem[] {
  const { directory, channel } = ctx;
  const problems: Problem[] = [];
  /** Twilio nouns of each entry of the list as rung. */
  const nouns: number[] = [];
  const rung = new Set<string>();
  const ringUser = (user: User, via: string) => {
    if (rung.has(user.id)) return;
    rung.add(user.id);
    problems.push(...userUnreachable(id, user, via, ctx), ...ownPhone(id, user, via, ctx));
    nouns.push(nounsOf(user));
  };
  for (const entry of targets) {
    if ('number' in entry) {
      problems.push(...ownDialNumber(id, entry.number, ctx));
      nouns.push(1);
    } else if ('user' in entry) {
      const user = directory.users.get(entry.user);
      if (!user) problems.push(problem('unknown_user', channel, `Applet "${id}" dials user "${entry.user}", who does not exist.`, id));
      else ringUser(user, '');
    } else {
      const group = directory.groups.get(entry.group);
      if (!group) {
        problems.push(problem('unknown_group', channel, `Applet "${id}" dials group "${entry.group}", which does not exist.`, id));
        continue;
      }
      problems.push(...checkGroup(id, group, 'dials', ctx));
      for (const memberId of group.members) {
        const user = directory.users.get(memberId);
        if (user) ringUser(user, ` (a member of group "${group.id}")`);
      }
    }
  }
  const several = dial.strategy === 'simultaneous' || dial.perRound > 1;
  if (dial.screen && several && nouns.length > 1) {
    problems.push(problem('screen_simultaneous', channel,
      `Applet "${id}" screens a dial that rings several of its ${nouns.length} people and numbers at once ` +
      `(${dial.strategy === 'simultaneous' ? 'strategy simultaneous' : `perRound ${dial.perRound}`}): Twilio connects the first ` +
      'leg that picks up — a voicemail, say — and hangs up the others before the whisper plays. ' +
      'Use sequential or round-robin with perRound 1, or do not screen.', id));
  } else if (!dial.screen) {
    const together = dial.strategy === 'simultaneous' ? nouns.length : dial.perRound;
    const worst = [...nouns].sort((a, b) => b - a).slice(0, together).reduce((a, b) => a + b, 0);
    if (worst > MAX_SIMULTANEOUS) {
      problems.push(problem('too_many_targets', channel,
        `Applet "${id}" ${dial.strategy === 'simultaneous' ? `rings its ${nouns.length} people and numbers all at once` : `rings ${dial.perRound} of its people and numbers per round`}: ` +
        `up to ${worst} phones and softphones together, but Twilio rings at most ${MAX_SIMULTANEOUS} in one dial (each phone and ` +
        'each softphone counts) and drops the rest: ring them in order (sequential), with a smaller perRound, or list fewer.', id));
    }
  }
  return problems;
}

/** Twilio nouns a user is rung with: their softphone and their phone are one each. */
const nounsOf = (user: User | undefined): number => (user ? (user.phone ? 1 : 0) + (user.client ? 1 : 0) : 0);

/**
 * `too_many_targets`, in Twilio's terms: at most 10 nouns in one <Dial>. A simultaneous ring rings every
 * member at once; a sequential or round-robin round rings `perRound` members, and since unavailable members
 * are skipped, any `perRound` of them can share a round: the worst round is the `perRound` with the most
 * nouns. Availability is ignored (it changes without a publish).
 */
function checkNounCount(id: string, dial: AppletOf<'dial'>, group: Group, { directory, channel }: PartContext): Problem[] {
  const nouns = [...new Set(group.members)].map((m) => nounsOf(directory.users.get(m))).sort((a, b) => b - a);
  const together = dial.strategy === 'simultaneous' ? nouns.length : dial.perRound;
  const worst = nouns.slice(0, together).reduce((a, b) => a + b, 0);
  if (worst <= MAX_SIMULTANEOUS) return [];
  const how = dial.strategy === 'simultaneous'
    ? `rings group "${group.id}" (${group.members.length} members) all at once`
    : `rings ${dial.perRound} members of group "${group.id}" per round`;
  return [problem('too_many_targets', channel,
    `Applet "${id}" ${how}: up to ${worst} phones and softphones together, but Twilio rings at most ` +
    `${MAX_SIMULTANEOUS} in one dial (each phone and each softphone counts) and drops the rest: ` +
    'use sequential or round-robin with a smaller perRound, or a smaller group.', id)];
}

/** `own_number` for a user the flow rings or texts. */
function ownPhone(id: string, user: User, via: string, { channel, options }: PartContext): Problem[] {
  if (!user.phone || !options.ownNumbers?.has(user.phone)) return [];
  return [problem('own_number', channel,
    `Applet "${id}" reaches user "${user.id}" (${user.name})${via} at ${user.phone}, one of this organisation's own ` +
    'Switchboard numbers: the call or text would come back into Switchboard and could loop. Give the user their own phone.', id)];
}

/** What Twilio does not do, or does silently wrong, with an applet as written. */
function checkCarrierLimits(id: string, applet: Applet, ctx: PartContext): Problem[] {
  const { channel, options, directory } = ctx;
  switch (applet.type) {
    case 'voicemail': {
      // A notifying voicemail texts its members: a member's phone that is one of our numbers would loop.
      const problems = peopleReached(applet, directory).flatMap((u) => ownPhone(id, u, '', ctx));
      if (!applet.transcribe || applet.maxSeconds <= MAX_TRANSCRIBED_SECONDS) return problems;
      problems.push(problem('transcribe_too_long', channel,
        `Applet "${id}" records up to ${applet.maxSeconds} s and transcribes, but Twilio transcribes only recordings ` +
        `of 2-${MAX_TRANSCRIBED_SECONDS} s: a longer message gets no transcript and no error. Set maxSeconds to ` +
        `${MAX_TRANSCRIBED_SECONDS} or less.`, id));
      return problems;
    }
    case 'keyword': {
      // Twilio answers these itself and the engine never lets a rule take them (sms-engine.ts).
      const reserved = [...new Set(applet.rules.flatMap((r) => r.keywords).filter(isReservedKeyword).map((k) => k.trim().toUpperCase()))];
      if (reserved.length === 0) return [];
      return [problem('reserved_keyword', channel,
        `Applet "${id}" has a rule for ${reserved.join(', ')}: Twilio answers ${reserved.length === 1 ? 'this keyword' : 'these keywords'} itself ` +
        '(opt-out, opt back in, help) and a text that is only the keyword never reaches a rule: it is stored, ' +
        'the sender is opted out or back in, and the flow answers nothing. Choose another word.', id)];
    }
    case 'forward':
      if (!options.ownNumbers?.has(applet.to)) return [];
      return [problem('own_number', channel,
        `Applet "${id}" forwards to ${applet.to}, one of this organisation's own Switchboard numbers: ` +
        'the text would come back into Switchboard (and could loop).', id)];
    case 'inbox': {
      if (!applet.notify) return [];
      const people = peopleReached(applet, directory);
      const problems = people.flatMap((u) => ownPhone(id, u, '', ctx));
      const phones = new Set(people.map((u) => u.phone).filter(Boolean)).size;
      const replies = mostRepliesBefore(ctx.part).get(id) ?? 0;
      if (phones + replies > MAX_MESSAGES_PER_ANSWER) {
        problems.push(problem('notify_over_limit', channel,
          `Applet "${id}" notifies ${phones} phone(s)${replies ? ` after up to ${replies} repl${replies === 1 ? 'y' : 'ies'}` : ''}: ` +
          `one answer carries at most ${MAX_MESSAGES_PER_ANSWER} messages (Twilio drops the rest, warning 14109), so ` +
          `${phones + replies - MAX_MESSAGES_PER_ANSWER} notification(s) go out through the carrier REST API instead, one request each ` +
          '(a send that fails is logged and counted, and never fails the text).', id));
      }
      return problems;
    }
    default:
      return [];
  }
}

/**
 * For each applet of an sms part, the most replies a text can have collected before reaching it (the
 * longest path counted in reply applets). Paths are followed without revisiting an applet: a cycle is
 * already `loop_without_input`.
 */
function mostRepliesBefore(part: FlowPart): Map<string, number> {
  const most = new Map<string, number>();
  const visit = (id: string, before: number, onPath: Set<string>) => {
    if (!isApplet(part, id) || onPath.has(id) || (most.get(id) ?? -1) >= before) return;
    most.set(id, before);
    const applet = part.applets[id];
    const after = before + (applet.type === 'reply' ? 1 : 0);
    onPath.add(id);
    for (const next of successors(part, applet)) visit(next, after, onPath);
    onPath.delete(id);
  };
  visit(part.start, 0, new Set());
  return most;
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
  if (hours.schedule !== undefined) return checkSharedHours(id, hours.schedule, ctx);
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

/**
 * Hours of a shared schedule: it must exist (a schedule in use cannot be deleted, so this catches an id
 * mistyped or copied from another deployment). Its time zone and ranges were checked when it was saved
 * (a 400), so only whether it is ever open is left to say. Unknown schedules (no `schedules` in the
 * directory): not checked.
 */
function checkSharedHours(id: string, scheduleId: string, { directory, channel }: PartContext): Problem[] {
  if (!directory.schedules) return [];
  const schedule = directory.schedules.get(scheduleId);
  if (!schedule) {
    return [problem('unknown_schedule', channel, `Applet "${id}" uses schedule "${scheduleId}", which does not exist.`, id)];
  }
  if (!isNeverOpen(schedule)) return [];
  return [problem('always_closed', channel,
    `Applet "${id}" uses schedule "${schedule.name}", which has no opening hours on any day, so it always takes its ` +
    '"closed" branch (unless an override opens it): add weekly ranges to the schedule.', id)];
}

/** Never open: no range on any day and no override keeping it open. Bad ranges are bad_hours, not this. */
function isAlwaysClosed(hours: AppletOf<'hours'> & { schedule?: undefined }, now: Date): boolean {
  const anyRange = DAYS.some((day) => hours.weekly[day].length > 0);
  const openOverride = hours.override?.state === 'open' && Date.parse(hours.override.until) > now.getTime();
  return !anyRange && !openOverride;
}

// ---------------------------------------------------------------------------------------------------
// The graph of a part (graph.ts): applets are nodes, branches to existing applets are edges.

function findUnreachable({ part, channel }: PartContext): Problem[] {
  return unreachable(part).map((id) => problem('unreachable', channel,
    `Applet "${id}" (${part.applets[id].type}) is not reached from start "${part.start}" by any path: ` +
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
  const dialInCall = (a: Applet): a is AppletOf<'dial'> => channel === 'call' && a.type === 'dial' && !dialEntries(a).some((e) => 'number' in e);
  const instant = Object.keys(part.applets).filter((id) => isInstant(part.applets[id], channel) || dialInCall(part.applets[id]));
  const instantSet = new Set(instant);
  const edges = new Map<string, string[]>();
  for (const id of instant) {
    const applet = part.applets[id];
    const next = dialInCall(applet) ? [applet.noAnswer].filter((n): n is string => isApplet(part, n)) : successors(part, applet);
    // A redirect to this very flow starts its call part again: in effect a branch back to start.
    const restartsThisFlow = applet.type === 'redirect' && applet.flow === options.flowId;
    if (restartsThisFlow && isApplet(part, part.start)) next.push(part.start);
    edges.set(id, next.filter((n) => instantSet.has(n)));
  }

  const rank = new Map<string, number>();
  for (const id of [...walk(part), ...Object.keys(part.applets)]) {
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
// Consent: a recorded dial should be announced

/**
 * `record_without_notice`: a dial that records, reachable from start by a path that neither says nor
 * asks anything (no say, no menu) before it. Many states require both parties' consent to record.
 */
function findRecordingWithoutNotice({ part, channel }: PartContext): Problem[] {
  // A say or a menu announces: the walk does not go on past one.
  const heardNothingBefore = walk(part, { through: (applet) => applet.type !== 'say' && applet.type !== 'menu' });
  return heardNothingBefore
    .filter((id) => {
      const applet = part.applets[id];
      return applet.type === 'dial' && applet.record && !applet.recordingNotice;
    })
    .map((id) => problem('record_without_notice', channel,
      `Applet "${id}" records the call, but a caller can reach it without hearing anything first: ` +
      'give it a recording notice (e.g. "This call may be recorded"), or put a say on every path before it. ' +
      'Many states require both parties\' consent.', id));
}

// ---------------------------------------------------------------------------------------------------
// Redirects across flows

/**
 * The flows a call part hands a call to: every redirect when `fromAnywhere` (the flow being checked: a
 * call resumed after one of its menus or dials can reach any of them), else only those reached from start
 * without waiting (what happens in the same request when another flow redirects into this one).
 */
function redirectsOf(part: FlowPart, fromAnywhere: boolean): Array<{ applet: string; flow: string }> {
  const ids = fromAnywhere ? Object.keys(part.applets) : instantFromStart(part);
  return ids.flatMap((id) => {
    const applet = part.applets[id];
    return applet.type === 'redirect' ? [{ applet: id, flow: applet.flow }] : [];
  });
}

/** Applets a call reaches from start in the same request: the walk stops at applets that wait. */
const instantFromStart = (part: FlowPart): string[] => walk(part, { through: (applet) => !WAITING_CALL_APPLETS.has(applet.type) });

/**
 * `redirect_loop`: from one of this flow's redirects, the flows entered in the same request (each at its
 * start, following only redirects reached without waiting) come back to a flow already on the way — a
 * loop that ends in the apology — or go on for more than MAX_FLOW_REDIRECTS redirects, where the webhook
 * stops. A redirect to this very flow that loops without waiting is `loop_without_input` already.
 */
function findRedirectLoops(call: FlowPart, flowId: string | undefined, others: ReadonlyMap<string, FlowPart | undefined>): Problem[] {
  const self = flowId ?? '(this flow)';
  const partOf = (id: string): FlowPart | undefined => (id === flowId ? call : others.get(id));
  const problems: Problem[] = [];
  for (const { applet, flow } of redirectsOf(call, true)) {
    if (flow === flowId) continue;
    const found = followRedirects([self, flow], partOf);
    if (!found) continue;
    const chain = found.path.map((f) => `"${f}"`).join(' → ');
    problems.push(problem('redirect_loop', 'call',
      found.kind === 'cycle'
        ? `Applet "${applet}" redirects into a loop of flows: ${chain}. Each flow hands the call on without waiting ` +
          'for the caller, so the call would go round until it is cut off with the apology. Break the loop.'
        : `Applet "${applet}" starts a chain of more than ${MAX_FLOW_REDIRECTS} redirects: ${chain}. The call is cut off ` +
          `with the apology after ${MAX_FLOW_REDIRECTS}. Shorten the chain.`,
      applet));
  }
  return problems;
}

/** Depth first from the last flow of `path`: the first cycle or over-long chain met, if any. */
function followRedirects(
  path: string[],
  partOf: (id: string) => FlowPart | undefined,
): { kind: 'cycle' | 'chain'; path: string[] } | undefined {
  const redirects = path.length - 1;
  if (redirects > MAX_FLOW_REDIRECTS) return { kind: 'chain', path };
  const part = partOf(path[path.length - 1]);
  if (!part) return undefined; // unknown flow or no call part: reported elsewhere, or the safe answer
  for (const { flow } of redirectsOf(part, false)) {
    // Flows after the first were entered at their start: meeting one again is a loop. The checked flow
    // (path[0]) was left from any applet; entered at its start it may wait first, so it is followed instead.
    if (path.slice(1).includes(flow)) return { kind: 'cycle', path: [...path, flow] };
    const found = followRedirects([...path, flow], partOf);
    if (found) return found;
  }
  return undefined;
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

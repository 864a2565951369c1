// The sms engine: runs a flow's sms part for one incoming text. Every sms applet is instant, so the
// whole part runs in the one webhook request and the answer is complete: replies to the sender,
// notifications to mailbox members, a forward, and where the text is stored.
// Pure domain code: no storage, no clock but ctx.now.
import { carrierKeyword, type CarrierKeyword } from './carrier-keywords';
import { matchCaller } from './caller-match';
import { appletAt, branchTarget, mailboxOf, MAX_APPLETS_PER_REQUEST, type Mailbox, type Step } from './engine';
import { appletIsOpen, type Schedules } from './hours';
import { mailboxPhones } from './outbound';
import type { Directory } from './people';
import { MAX_SMS_TEXT, SMS_APPLETS } from './applets';
import type { Applet, AppletOf, FlowPart, MailboxRef } from './schema';

export interface SmsContext {
  now: Date;
  /** The sender's number. */
  from: string;
  /** The flow's number that was texted. */
  to: string;
  body: string;
  media: Array<{ url: string; contentType: string }>;
  directory: Directory;
  /** The shared schedules the part's `hours` applets name (absent: none known; such an applet takes `closed`). */
  schedules?: Schedules;
  /**
   * The text arrived earlier, while the flow could not be read, and is routed now (DESIGN.md section
   * 11): only replies whose applet says `lateReply: true` are sent; everything else runs as usual.
   */
  late?: boolean;
}

/** One outgoing text: to the sender when `to` is absent. */
export interface OutgoingSms {
  to?: string;
  body: string;
  media?: string[];
}

/**
 * Twilio sends at most 10 <Message> elements of one answer (warning 14109) and drops the rest; the
 * replies, notifications and forward of one text share them.
 */
export const MAX_MESSAGES_PER_ANSWER = 10;

export interface SmsResult {
  /**
   * Replies to the sender and notifications to members, in the order they were decided, as many as fit
   * in the answer next to the forward (MAX_MESSAGES_PER_ANSWER).
   */
  replies: OutgoingSms[];
  /**
   * What did not fit in the answer, in order, each with its recipient (the sender's number for a
   * reply): for the carrier REST API to send. Absent when everything fits.
   */
  overflow?: Array<OutgoingSms & { to: string }>;
  /**
   * Where the incoming text is stored (with its media). 'unrouted' when the flow could not finish
   * (a dead end or a runaway chain: the text is kept even though the flow is broken), and when a forward
   * had to be shortened to fit one SMS (`reason`): its target never read all of it, and a forward stores
   * nothing otherwise. A message is stored once, by its Sid, so a text has one store at most; inbox and
   * forward both end a run, so they never compete for it.
   */
  store?: { mailbox: Mailbox | 'unrouted'; reason?: 'forward_shortened' | 'carrier_keyword' | 'forward_opted_out' };
  forward?: OutgoingSms & { to: string };
  /**
   * The text is one of the keywords the carrier answers itself (STOP, START, HELP... carrier-keywords.ts):
   * the flow answers nothing. Its reply applets send nothing (and go on to `next`), keyword applets take
   * `otherwise` (a rule naming STOP never fires: the checker warns `reserved_keyword`), an inbox stores it
   * without notifying anyone, and a forward sends nothing and keeps it in `unrouted` (reason
   * `carrier_keyword`) so it is still kept. The caller records the opt-out or opt-in it means.
   */
  carrierKeyword?: CarrierKeyword;
  steps: Step[];
}

const SMS_TYPES: ReadonlySet<string> = new Set(SMS_APPLETS);

export function runSms(part: FlowPart, ctx: SmsContext): SmsResult {
  const keyword = carrierKeyword(ctx.body);
  const result: SmsResult = { replies: [], steps: [], ...(keyword && { carrierKeyword: keyword }) };
  let id = branchTarget(part.start);
  for (;;) {
    if (result.steps.length >= MAX_APPLETS_PER_REQUEST) {
      // A chain this long is a loop: its replies would repeat, so none is sent.
      result.replies = [];
      return stopUnrouted(result, id ?? '', 'guard');
    }
    const applet = id === undefined ? undefined : appletAt(part, id);
    if (id === undefined || !applet || !SMS_TYPES.has(applet.type)) return fitAnswer(stopUnrouted(result, id ?? '', 'missing'), ctx.from);
    result.steps.push({ applet: id, type: applet.type });
    const next = runApplet(applet, ctx, result);
    if (next === END) return fitAnswer(result, ctx.from);
    id = branchTarget(next.next);
  }
}

/**
 * Keeps the answer within MAX_MESSAGES_PER_ANSWER: the forward first (a forward is the flow's whole
 * point), then replies and notifications in the order they were decided (replies come first: they run
 * before the terminal inbox); the rest goes to `overflow`.
 */
function fitAnswer(result: SmsResult, sender: string): SmsResult {
  const room = MAX_MESSAGES_PER_ANSWER - (result.forward ? 1 : 0);
  if (result.replies.length <= room) return result;
  result.overflow = result.replies.slice(room).map((m) => ({ ...m, to: m.to ?? sender }));
  result.replies = result.replies.slice(0, room);
  return result;
}

/** Everyone a run's answer texts (the sender for a reply), once each: whose opt-outs to read. */
export function recipientsOf(result: SmsResult, sender: string): string[] {
  const all = [...result.replies, ...(result.overflow ?? [])].map((m) => m.to ?? sender);
  if (result.forward) all.push(result.forward.to);
  return [...new Set(all)];
}

/**
 * The run's answer without the texts to `optedOut` recipients (they opted out of the number texted:
 * the carrier would refuse them, 21610), fitted again into one answer. A forward whose target opted out
 * sends nothing, so the text is kept in `unrouted` (reason `forward_opted_out`) instead of nowhere.
 */
export function withoutRecipients(result: SmsResult, sender: string, optedOut: ReadonlySet<string>): SmsResult {
  if (optedOut.size === 0) return result;
  const { overflow, forward, ...rest } = result;
  const replies = [...result.replies, ...(overflow ?? [])].filter((m) => !optedOut.has(m.to ?? sender));
  const kept = forward && !optedOut.has(forward.to) ? forward : undefined;
  const store = forward && !kept ? (result.store ?? { mailbox: 'unrouted' as const, reason: 'forward_opted_out' as const }) : result.store;
  return fitAnswer({ ...rest, replies, ...(kept && { forward: kept }), ...(store && { store }) }, sender);
}

/** Returned by an applet that ends the run; otherwise the branch to follow ("" or undefined: not set). */
const END = Symbol('end');
type Next = typeof END | { next: string | undefined };

function runApplet(applet: Applet, ctx: SmsContext, result: SmsResult): Next {
  switch (applet.type) {
    case 'reply':
      if ((!ctx.late || applet.lateReply) && !result.carrierKeyword) result.replies.push({ body: applet.text, ...(applet.media?.length && { media: [...applet.media] }) });
      // Without next the reply is the end: a valid ending, not a dead end.
      return applet.next ? { next: applet.next } : END;
    case 'hours':
      return { next: appletIsOpen(applet, ctx.schedules, ctx.now) ? applet.open : applet.closed };
    case 'caller':
      return { next: matchCaller(applet, ctx.from) };
    case 'keyword':
      return { next: result.carrierKeyword ? applet.otherwise : matchKeyword(applet, ctx.body) };
    case 'inbox':
      result.store = { mailbox: mailboxOf(applet.mailbox) };
      if (applet.notify && !result.carrierKeyword) result.replies.push(...notifications(applet.mailbox, ctx));
      return END;
    case 'forward': {
      if (result.carrierKeyword) {
        result.store = { mailbox: 'unrouted', reason: 'carrier_keyword' };
        return END;
      }
      const line = fromLine(ctx);
      result.forward = { to: applet.to, body: line.body, ...(ctx.media.length > 0 && { media: ctx.media.map((m) => m.url) }) };
      if (line.shortened) result.store = { mailbox: 'unrouted', reason: 'forward_shortened' };
      return END;
    }
    default:
      // Unreachable: runSms lets only sms applets in.
      return { next: undefined };
  }
}

function stopUnrouted(result: SmsResult, applet: string, type: 'guard' | 'missing'): SmsResult {
  result.steps.push({ applet, type });
  result.store = { mailbox: 'unrouted' };
  return result;
}


/**
 * The first word of the body against each rule's keywords, case-insensitively. Punctuation around the
 * word is ignored, so "Sales!" and "stop." match SALES and STOP, as people type them.
 */
export function matchKeyword(applet: AppletOf<'keyword'>, body: string): string | undefined {
  const word = normalizeWord(body.trim().split(/\s+/)[0] ?? '');
  if (word === '') return applet.otherwise;
  const rule = applet.rules.find((r) => r.keywords.some((k) => normalizeWord(k) === word));
  return rule ? rule.next : applet.otherwise;
}

const normalizeWord = (word: string) => word.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '').toLowerCase();

/** One text per person with a mobile phone in the mailbox (a phone shared by two members gets one). */
function notifications(ref: MailboxRef, ctx: SmsContext): OutgoingSms[] {
  const body = notificationText(ctx);
  return mailboxPhones(mailboxOf(ref), ctx.directory).map((to) => ({ to, body }));
}

/**
 * "From +15550107777: the text" — what a forward target reads, so they know who wrote; media goes along.
 * At most one SMS (MAX_SMS_TEXT, error 21617 past it): the quoted text is shortened, never the number.
 */
function fromLine(ctx: SmsContext, suffix = ''): { body: string; shortened: boolean } {
  const prefix = `From ${ctx.from}`;
  const text = ctx.body.trim();
  if (!text) return { body: `${prefix}${suffix}`, shortened: false };
  const quoted = fitText(text, MAX_SMS_TEXT - prefix.length - ': '.length - suffix.length);
  return { body: `${prefix}: ${quoted}${suffix}`, shortened: quoted !== text };
}

/** A notification is a plain text (no MMS per member): it says how many attachments wait in the mailbox. */
function notificationText(ctx: SmsContext): string {
  const count = ctx.media.length;
  return fromLine(ctx, count === 0 ? '' : ` [${count} attachment${count === 1 ? '' : 's'}]`).body;
}

const ELLIPSIS = '…';

/**
 * `text` in at most `max` UTF-16 units (what Twilio counts, and at least what a carrier does), cut with
 * an ellipsis when it is longer; never between the two halves of a surrogate pair (an emoji).
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return '';
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // the high half of a pair: keep the pair out whole
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

// The sms engine: runs a flow's sms part for one incoming text. Every sms applet is instant, so the
// whole part runs in the one webhook request and the answer is complete: replies to the sender,
// notifications to mailbox members, a forward, and where the text is stored.
// Pure domain code: no storage, no clock but ctx.now.
import { matchCaller } from './caller-match';
import { branchTarget, mailboxOf, MAX_APPLETS_PER_REQUEST, type Mailbox, type Step } from './engine';
import { isOpen } from './hours';
import { mailboxPhones } from './outbound';
import type { Directory } from './people';
import { SMS_APPLETS } from './applets';
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
}

/** One outgoing text: to the sender when `to` is absent. */
export interface OutgoingSms {
  to?: string;
  body: string;
  media?: string[];
}

export interface SmsResult {
  /** Replies to the sender and notifications to members, in the order they were decided. */
  replies: OutgoingSms[];
  /**
   * Where the incoming text is stored (with its media). 'unrouted' when the flow could not finish
   * (a dead end or a runaway chain): the text is kept even though the flow is broken.
   */
  store?: { mailbox: Mailbox | 'unrouted' };
  forward?: OutgoingSms & { to: string };
  steps: Step[];
}

const SMS_TYPES: ReadonlySet<string> = new Set(SMS_APPLETS);

export function runSms(part: FlowPart, ctx: SmsContext): SmsResult {
  const result: SmsResult = { replies: [], steps: [] };
  let id = branchTarget(part.start);
  for (;;) {
    if (result.steps.length >= MAX_APPLETS_PER_REQUEST) {
      // A chain this long is a loop: its replies would repeat, so none is sent.
      result.replies = [];
      return stopUnrouted(result, id ?? '', 'guard');
    }
    const applet = id === undefined ? undefined : appletAt(part, id);
    if (id === undefined || !applet || !SMS_TYPES.has(applet.type)) return stopUnrouted(result, id ?? '', 'missing');
    result.steps.push({ applet: id, type: applet.type });
    const next = runApplet(applet, ctx, result);
    if (next === END) return result;
    id = branchTarget(next.next);
  }
}

/** Returned by an applet that ends the run; otherwise the branch to follow ("" or undefined: not set). */
const END = Symbol('end');
type Next = typeof END | { next: string | undefined };

function runApplet(applet: Applet, ctx: SmsContext, result: SmsResult): Next {
  switch (applet.type) {
    case 'reply':
      result.replies.push({ body: applet.text, ...(applet.media?.length && { media: [...applet.media] }) });
      // Without next the reply is the end: a valid ending, not a dead end.
      return applet.next ? { next: applet.next } : END;
    case 'hours':
      return { next: isOpen(applet, ctx.now) ? applet.open : applet.closed };
    case 'caller':
      return { next: matchCaller(applet, ctx.from) };
    case 'keyword':
      return { next: matchKeyword(applet, ctx.body) };
    case 'inbox':
      result.store = { mailbox: mailboxOf(applet.mailbox) };
      if (applet.notify) result.replies.push(...notifications(applet.mailbox, ctx));
      return END;
    case 'forward':
      result.forward = { to: applet.to, body: fromLine(ctx), ...(ctx.media.length > 0 && { media: ctx.media.map((m) => m.url) }) };
      return END;
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

function appletAt(part: FlowPart, id: string): Applet | undefined {
  return Object.hasOwn(part.applets, id) ? part.applets[id] : undefined;
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

/** "From +15550107777: the text" — what a forward target reads, so they know who wrote; media goes along. */
function fromLine(ctx: SmsContext): string {
  const text = ctx.body.trim();
  return text ? `From ${ctx.from}: ${text}` : `From ${ctx.from}`;
}

/** A notification is a plain text (no MMS per member): it says how many attachments wait in the mailbox. */
function notificationText(ctx: SmsContext): string {
  const count = ctx.media.length;
  return count === 0 ? fromLine(ctx) : `${fromLine(ctx)} [${count} attachment${count === 1 ? '' : 's'}]`;
}

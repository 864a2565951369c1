// Where a voicemail left during an outage belongs (DESIGN.md section 11). The caller got the safe
// answer (an apology and a recording into `unrouted`) because the number's flow could not be read; once
// the store answers, the recording goes to the mailbox of the first voicemail applet the flow's call
// part reaches *without caller input*, evaluated as of the call's arrival. Texts need nothing of their
// own: the sms engine runs them with `late: true` (sms-engine.ts).
// Pure domain code: no storage, no clock but `at`.
import { matchCaller } from './caller-match';
import { appletAt, branchTarget, mailboxOf, MAX_APPLETS_PER_REQUEST, type Mailbox } from './engine';
import { appletIsOpen, type Schedules } from './hours';
import { notifyChannels, type NotifyChannels } from './outbound';
import type { FlowPart } from './schema';

export interface LateCall {
  /** When the call arrived: hours are evaluated then, not when the store came back. */
  at: Date;
  /** The caller's number (a recording's callback carries it in our signed URL). */
  from: string;
  /**
   * The shared schedules the flows' `hours` applets name, as they are now: a schedule keeps no history,
   * so its rules (and an override still active at the arrival time) are today's.
   */
  schedules?: Schedules;
}

/** What the walk found: a voicemail's mailbox, a redirect to follow in another flow, or nothing. */
export type LateVoicemail =
  | { kind: 'voicemail'; applet: string; mailbox: Mailbox; notify: NotifyChannels; path: string[] }
  | { kind: 'redirect'; flow: string; path: string[] }
  | { kind: 'none'; reason: 'menu_option' | 'hangup' | 'dead_end' | 'loop'; path: string[] };

/**
 * Follows the call part from its start the way the call would have gone with a caller who presses
 * nothing and a dial nobody answers:
 * - `say` and `text` go on to `next` (the late call speaks nothing and texts nobody);
 * - `hours` takes `open` or `closed` at the arrival time, `caller` matches the caller's number;
 * - `dial` takes `noAnswer`: nobody was rung, so nobody answered; `queue` takes `timeout` likewise;
 * - `menu` takes `fallback`, the branch a caller who presses nothing ends on after its attempts (its
 *   options need a key, so they are never taken; a menu without a fallback stops the walk);
 * - `voicemail` is the answer; `redirect` names the flow to go on in (the caller follows it through
 *   `lateVoicemailTarget` and its loader); `hangup`, a dead end or a loop mean "no mailbox".
 * Only one branch is taken at each applet, so this is a path, not a search of the graph (graph.ts).
 */
export function lateVoicemail(part: FlowPart, call: LateCall): LateVoicemail {
  const path: string[] = [];
  const seen = new Set<string>();
  let id = branchTarget(part.start);
  for (;;) {
    const applet = id === undefined ? undefined : appletAt(part, id);
    if (id === undefined || !applet) return { kind: 'none', reason: 'dead_end', path };
    if (seen.has(id) || path.length >= MAX_APPLETS_PER_REQUEST) return { kind: 'none', reason: 'loop', path };
    seen.add(id);
    path.push(id);
    switch (applet.type) {
      case 'say':
      case 'text':
        id = branchTarget(applet.next);
        break;
      case 'hours':
        id = branchTarget(appletIsOpen(applet, call.schedules, call.at) ? applet.open : applet.closed);
        break;
      case 'caller':
        id = branchTarget(matchCaller(applet, call.from));
        break;
      case 'dial':
        id = branchTarget(applet.noAnswer);
        break;
      case 'queue':
        // Nobody took the caller: they left at maxWaitSeconds.
        id = branchTarget(applet.timeout);
        break;
      case 'menu':
        if (!branchTarget(applet.fallback)) return { kind: 'none', reason: 'menu_option', path };
        id = branchTarget(applet.fallback);
        break;
      case 'voicemail':
        return { kind: 'voicemail', applet: id, mailbox: mailboxOf(applet.mailbox), notify: notifyChannels(applet.notify), path };
      case 'redirect':
        return { kind: 'redirect', flow: applet.flow, path };
      case 'hangup':
        return { kind: 'none', reason: 'hangup', path };
      default:
        // An sms applet in the call part: a dead end the checker refuses to publish.
        return { kind: 'none', reason: 'dead_end', path };
    }
  }
}

/** At most this many redirects are followed, as a live call does (call-request.ts MAX_FLOW_REDIRECTS). */
export const MAX_LATE_REDIRECTS = 5;

/**
 * `lateVoicemail` across flows: a redirect goes on in the other flow's call part, as the flow stood at
 * the arrival time (`load`), at most MAX_LATE_REDIRECTS times. Undefined when no voicemail is reached.
 */
export async function lateVoicemailTarget(
  first: FlowPart,
  call: LateCall,
  load: (flowId: string) => Promise<FlowPart | undefined>,
): Promise<{ mailbox: Mailbox; notify: NotifyChannels } | undefined> {
  let found = lateVoicemail(first, call);
  for (let hops = 0; found.kind === 'redirect'; hops++) {
    if (hops >= MAX_LATE_REDIRECTS) return undefined;
    const next = await load(found.flow);
    if (!next) return undefined;
    found = lateVoicemail(next, call);
  }
  return found.kind === 'voicemail' ? { mailbox: found.mailbox, notify: found.notify } : undefined;
}

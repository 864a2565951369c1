// A text that closes or opens a schedule (DESIGN.md section 15), before any flow sees it: from the
// registered phone of an editor or admin with a PIN, to any of the organisation's numbers. The words are
// read by flows/override-command.ts; here: who sent it (the directory's byPhone index), whether the PIN is
// right (its salted hash; wrong ones counted per user, and past MAX_PIN_FAILURES in PIN_WINDOW_MS nothing
// is even checked), the override saved, and the answer saying what changed.
// Not a command (another first word, no PIN-shaped last word, a sender who is not an editor or admin
// with a PIN): undefined, and the text is routed by its flow as usual. A command is never stored in a
// mailbox (its PIN would be); its trace keeps the text with the PIN hidden.
import {
  ambiguousAnswer,
  changedAnswer,
  FAILED_ANSWER,
  findSchedule,
  lockedAnswer,
  MAX_PIN_FAILURES,
  maskPin,
  mayOverride,
  overrideFor,
  parseOverrideCommand,
  PIN_WINDOW_MS,
  unknownScheduleAnswer,
  WRONG_PIN_ANSWER,
} from '../flows/override-command';
import { activeOverride } from '../flows/hours';
import { errorField, logger } from '../observability/logger';
import { count, countBy, METRIC } from '../observability/metrics';
import type { PhoneUser } from '../store/directory-store';
import { verifyPin } from '../store/pins';
import type { IncomingText } from '../twilio/request';
import { renderSms } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import type { WebhookDeps } from './deps';

/** The sort key of a text's one trace item (as sms.ts writes it): a replayed command is answered once. */
const TEXT_TRACE_KEY = '#text';

export async function overrideByText(deps: WebhookDeps, text: IncomingText, now: Date): Promise<Response | undefined> {
  const command = parseOverrideCommand(text.body);
  if (!command) return undefined;
  // Who sent it decides whether it is a command at all. If that cannot be read, the text is routed as
  // any text is (and kept whatever fails there): nothing the carrier sends is lost.
  const senders = (await deps.directory.usersByPhone(text.from)).filter((u) => mayOverride(u.role) && u.pinHash);
  if (!senders.length) return undefined;
  let answer: string;
  let outcome: string;
  try {
    ({ answer, outcome } = await carryOut(deps, senders, command, now));
  } catch (err) {
    logger.error('a schedule override by text failed', { error: errorField(err) });
    ({ answer, outcome } = { answer: FAILED_ANSWER, outcome: 'failed' });
  }
  countBy(METRIC.overridesByText, 'outcome', outcome);
  const xml = renderSms({ replies: [{ body: answer }] });
  const first = await deps.traces
    .appendOnce(
      { sid: text.sid, channel: 'sms', from: text.from, to: text.to },
      [{ at: now.toISOString(), applet: 'override', type: 'override', input: { Body: maskPin(text.body) }, twiml: xml }],
      TEXT_TRACE_KEY,
    )
    .catch((err) => (logger.error('tracing an override text failed', { error: errorField(err) }), true));
  if (!first) {
    count(METRIC.replaysIgnored);
    return twiml(renderSms({ replies: [] }));
  }
  return twiml(xml);
}

async function carryOut(deps: WebhookDeps, senders: PhoneUser[], command: NonNullable<ReturnType<typeof parseOverrideCommand>>, now: Date): Promise<{ answer: string; outcome: string }> {
  // A user locked out by wrong PINs is not even checked (a text cannot keep guessing).
  const windows = await Promise.all(senders.map((u) => deps.pins.pinFailures(u.id, now)));
  const open = senders.filter((_, i) => (windows[i]?.count ?? 0) < MAX_PIN_FAILURES);
  if (!open.length) {
    const until = new Date(Math.min(...windows.map((w) => w!.until.getTime())));
    return { answer: lockedAnswer(until), outcome: 'locked' };
  }
  const checks = await Promise.all(open.map((u) => verifyPin(command.pin, u.pinHash)));
  const user = open.find((_, i) => checks[i]);
  if (!user) {
    count(METRIC.overridePinRejected);
    const counted = await Promise.all(open.map((u) => deps.pins.recordPinFailure(u.id, now, PIN_WINDOW_MS)));
    const locked = counted.filter((c) => c.count >= MAX_PIN_FAILURES);
    logger.warn('a schedule override by text was refused: wrong PIN', { users: open.map((u) => u.id), failures: counted.map((c) => c.count) });
    return { answer: locked.length === counted.length ? `${WRONG_PIN_ANSWER} ${lockedAnswer(locked[0].until)}` : WRONG_PIN_ANSWER, outcome: 'wrong_pin' };
  }
  const schedules = await deps.schedules.list();
  const match = findSchedule(schedules, command.schedule);
  if (!match) return { answer: unknownScheduleAnswer(command.schedule, schedules), outcome: 'unknown_schedule' };
  if ('ambiguous' in match) return { answer: ambiguousAnswer(command.schedule, match.ambiguous), outcome: 'ambiguous_schedule' };
  const schedule = match.found;
  const set = overrideFor(command, schedule.timezone, now);
  await deps.schedules.setOverride(schedule.id, set, now, `sms:${user.id}`);
  logger.info('a schedule override set by text', { schedule: schedule.id, user: user.id, state: set?.state ?? 'cleared', until: set?.until });
  return { answer: changedAnswer(schedule, set, activeOverride(schedule.override, now), now), outcome: set ? set.state : 'cleared' };
}

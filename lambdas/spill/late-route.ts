// Routing, when the store answers again, of a text or voicemail that arrived while its number's flow
// could not be read (DESIGN.md section 11): the item was kept for `unrouted` with the time it arrived
// (`routeAt`), and lands now where the number's flow, as it stood then, would have put it:
// - a text: where the flow's sms part stores it (its inbox), with that inbox's notifications, through the
//   carrier; replies only from reply applets marked `lateReply: true`; a forward is sent (the text is
//   kept in `unrouted`, its once-only record, as a forward stores nothing otherwise);
// - a voicemail: the mailbox of the first voicemail applet its call part reaches without caller input
//   (flows/late-routing.ts), with that applet's notifications.
// `unrouted` when the number still has no flow (or the flow no such part). Every write is the webhooks'
// own Sid-keyed one, so a second replay (or one in another order) stores nothing twice, and only the
// replay that stored the item sends its texts: a replayed item notifies nobody twice.
// The number's flow is its current one: assignments keep no history (docs/decisions.md).
import { sendTextsBestEffort, type SendReason, type TextSender } from '../carrier/text-sender';
import { mailboxOf, type Mailbox } from '../flows/engine';
import { lateVoicemailTarget } from '../flows/late-routing';
import { dashboardLink, voicemailEmails, voicemailNotices, type NotifyChannels, type OutboundText } from '../flows/outbound';
import { jobId, type EmailJob } from '../jobs/jobs';
import { putBestEffort, type JobQueue } from '../jobs/job-queue';
import type { Directory } from '../flows/people';
import type { FlowPart } from '../flows/schema';
import { runSms } from '../flows/sms-engine';
import { errorField, logger } from '../observability/logger';
import type { DirectoryStore } from '../store/directory-store';
import type { FlowStore } from '../store/flow-store';
import { mailboxKey, type MailboxKey, type MessageStore } from '../store/message-store';
import type { NumberStore } from '../store/number-store';
import type { ScheduleStore } from '../store/schedule-store';
import type { Schedule } from '../flows/schedule';
import type { OptOutStore } from '../store/state-store';
import { isStoreUnavailable } from '../store/unavailable';
import { carrierKeyword } from '../flows/carrier-keywords';
import type { SpilledText, SpilledVoicemail } from './spill';

/** What routing needs beyond the writes: the number, its flow as it stood, the people to notify, the carrier. */
export interface RoutingPorts {
  numbers: Pick<NumberStore, 'find'>;
  flows: Pick<FlowStore, 'revisionAt'>;
  directory: Pick<DirectoryStore, 'peopleFor'>;
  /** The shared schedules the flows' hours name (as they are now, overrides included: they keep no history). */
  schedules: Pick<ScheduleStore, 'schedulesFor'>;
  /** Absent: nothing is sent (logged), the item still lands in its mailbox. */
  texts?: TextSender;
  /** Where a late STOP or START is recorded (as of its arrival). Absent: not recorded. */
  optOuts?: Pick<OptOutStore, 'setOptOut'>;
  /** Where a late voicemail's emails are handed off (`notify.email`). Absent: none are sent (logged). */
  jobs?: JobQueue;
  /** The dashboard's address, for the emails' link to the voicemail. */
  dashboardUrl?: string;
}

interface Plan {
  mailbox: MailboxKey;
  /** Why it stays in `unrouted`, for the log. */
  why?: string;
  send: Array<{ text: OutboundText; reason: SendReason }>;
  /** A voicemail's mailbox to notify (its applet's `notify`), once stored, and how. */
  notify?: { mailbox: Mailbox; channels: NotifyChannels };
}

const UNROUTED = (why: string): Plan => ({ mailbox: 'unrouted', why, send: [] });

/** The arrival time; the item's own time when `routeAt` is not one. */
function arrival(routeAt: string | undefined, receivedAt: string): Date {
  const at = Date.parse(routeAt ?? '');
  return new Date(Number.isFinite(at) ? at : Date.parse(receivedAt) || Date.now());
}

/**
 * The plan, or `unrouted` when planning fails for another reason than the store being away (a bug, a
 * flow the engine cannot run): such an item must not wait in the spill forever. A store that does not
 * answer throws, so the item waits for the next replay.
 */
async function planSafely(what: string, plan: () => Promise<Plan>): Promise<Plan> {
  try {
    return await plan();
  } catch (err) {
    if (isStoreUnavailable(err)) throw err;
    logger.error('routing a late item failed: kept in unrouted', { key: what, error: errorField(err) });
    return UNROUTED('routing_failed');
  }
}

async function directoryFor(source: RoutingPorts['directory'], mailboxes: Mailbox[]): Promise<Directory> {
  const needs = { users: mailboxes.filter((m) => m.kind === 'user').map((m) => m.id), groups: mailboxes.filter((m) => m.kind === 'group').map((m) => m.id) };
  const { users, groups } = needs.users.length || needs.groups.length ? await source.peopleFor(needs) : { users: [], groups: [] };
  return { users: new Map(users.map((u) => [u.id, u])), groups: new Map(groups.map((g) => [g.id, g])), flowIds: new Set() };
}

/** Adds the schedules `part`'s hours name to `into` (one read; none when it names none). */
async function addSchedules(ports: RoutingPorts, part: FlowPart, into: Map<string, Schedule>): Promise<FlowPart> {
  const ids = Object.values(part.applets).flatMap((a) => (a.type === 'hours' && a.schedule !== undefined && !into.has(a.schedule) ? [a.schedule] : []));
  if (ids.length) for (const schedule of await ports.schedules.schedulesFor(ids)) into.set(schedule.id, schedule);
  return part;
}

async function planText(item: SpilledText, at: Date, ports: RoutingPorts): Promise<Plan> {
  const number = await ports.numbers.find(item.to);
  if (!number?.flowId) return UNROUTED(number ? 'no_flow' : 'unknown_number');
  const part: FlowPart | undefined = (await ports.flows.revisionAt(number.flowId, at))?.document.sms;
  if (!part) return UNROUTED('no_sms_part');
  // Only a notifying inbox needs people: the mailboxes it names.
  const notifying = Object.values(part.applets).flatMap((a) => (a.type === 'inbox' && a.notify ? [mailboxOf(a.mailbox)] : []));
  const schedules = new Map<string, Schedule>();
  await addSchedules(ports, part, schedules);
  const result = runSms(part, {
    schedules,
    now: at,
    from: item.from,
    to: item.to,
    body: item.body,
    media: (item.media ?? []).map((m) => ({ url: m.url, contentType: m.contentType ?? '' })),
    directory: await directoryFor(ports.directory, notifying),
    late: true,
  });
  // Nothing goes in an answer now: every reply and notification is sent through the carrier, from the number texted.
  const send: Plan['send'] = [...result.replies, ...(result.overflow ?? [])].map((m) => {
    const reply = m.to === undefined || m.to === item.from;
    return { text: { from: item.to, to: m.to ?? item.from, body: m.body, ...(m.media && { media: m.media }) }, reason: reply ? 'reply' : 'inbox_notify' };
  });
  if (result.forward) send.push({ text: { from: item.to, to: result.forward.to, body: result.forward.body, ...(result.forward.media && { media: result.forward.media }) }, reason: 'forward' });
  // A run that stores nothing (a forward, a reply that ends the flow) keeps the text in `unrouted`: it
  // must be kept somewhere, and its Sid there is what stops a second replay from sending again.
  return {
    mailbox: result.store ? mailboxKey(result.store.mailbox) : 'unrouted',
    send,
    ...(!result.store && { why: result.forward ? 'forwarded' : 'stored_nowhere' }),
  };
}

/** Routes a text spilled with `routeAt`; true when this replay stored it (and sent its texts). */
export async function routeLateText(item: SpilledText, messages: Pick<MessageStore, 'storeText'>, ports: RoutingPorts): Promise<boolean> {
  const at = arrival(item.routeAt, item.receivedAt);
  const plan = await planSafely(`text#${item.messageSid}`, () => planText(item, at, ports));
  const { kind: _kind, messageSid, mailbox: _mailbox, media, routeAt: _routeAt, ...rest } = item;
  const stored = await messages.storeText(plan.mailbox, { id: messageSid, ...rest, ...(media?.length && { media }) });
  logger.info(stored ? 'late text routed' : 'late text was already stored', { mailbox: plan.mailbox.split('#')[0], why: plan.why, sid: messageSid });
  // Recorded whatever the flow (or its absence) does with the text, and whether or not this replay stored
  // it: the write is idempotent, and never undoes a later change.
  const keyword = carrierKeyword(item.body);
  if (keyword && keyword.kind !== 'help' && ports.optOuts) {
    await ports.optOuts.setOptOut(item.to, item.from, keyword.kind === 'opt_out', at, 'keyword').catch((err) => {
      if (isStoreUnavailable(err)) throw err; // the item waits for the next replay
      logger.error('a late opt-out could not be recorded', { sid: messageSid, error: errorField(err) });
    });
  }
  if (stored) await sendAll(ports.texts, plan.send, messageSid);
  return stored;
}

async function planVoicemail(item: SpilledVoicemail, at: Date, ports: RoutingPorts): Promise<Plan> {
  if (!item.to) return UNROUTED('no_number');
  const number = await ports.numbers.find(item.to);
  if (!number?.flowId) return UNROUTED(number ? 'no_flow' : 'unknown_number');
  const part = (await ports.flows.revisionAt(number.flowId, at))?.document.call;
  if (!part) return UNROUTED('no_call_part');
  // Each flow's schedules are read as the walk enters it (the walk reads the map after each load).
  const schedules = new Map<string, Schedule>();
  await addSchedules(ports, part, schedules);
  const target = await lateVoicemailTarget(part, { at, from: item.from ?? '', schedules }, async (flowId) => {
    const next = (await ports.flows.revisionAt(flowId, at))?.document.call;
    return next && addSchedules(ports, next, schedules);
  });
  if (!target) return UNROUTED('no_voicemail_without_input');
  const notifies = target.notify.sms || target.notify.email;
  return { mailbox: mailboxKey(target.mailbox), send: [], ...(notifies && { notify: { mailbox: target.mailbox, channels: target.notify } }) };
}

/** Routes a voicemail spilled with `routeAt`; true when this replay stored it (and sent its notices). */
export async function routeLateVoicemail(item: SpilledVoicemail, messages: Pick<MessageStore, 'storeVoicemail'>, ports: RoutingPorts): Promise<boolean> {
  const at = arrival(item.routeAt, item.receivedAt);
  const plan = await planSafely(`voicemail#${item.recordingSid}`, () => planVoicemail(item, at, ports));
  const { kind: _kind, routeAt: _routeAt, ...voicemail } = item;
  const stored = await messages.storeVoicemail({ ...voicemail, mailbox: plan.mailbox });
  logger.info(stored ? 'late voicemail routed' : 'late voicemail was already stored', { mailbox: plan.mailbox.split('#')[0], why: plan.why, recordingSid: item.recordingSid });
  const notify = plan.notify;
  if (stored && notify && item.to) {
    const box = notify.mailbox;
    const facts = { caller: item.from ?? '', number: item.to, durationSeconds: item.durationSeconds };
    const sid = item.callSid || item.recordingSid;
    let people: Promise<Directory> | undefined;
    const directory = () => (people ??= directoryFor(ports.directory, [box]));
    await Promise.all([
      notify.channels.sms ? sendTextsBestEffort(ports.texts, async () => voicemailNotices(box, await directory(), facts), { reason: 'voicemail_notify', sid }) : undefined,
      notify.channels.email
        ? putBestEffort(ports.jobs, async () => {
            const [known, number] = await Promise.all([directory(), ports.numbers.find(item.to!)]);
            const mailboxName = box.kind === 'user' ? known.users.get(box.id)?.name : known.groups.get(box.id)?.name;
            const emails = voicemailEmails(box, known, {
              ...facts, numberName: number?.name, mailboxName, receivedAt: item.receivedAt, link: dashboardLink(ports.dashboardUrl, box, item.recordingSid),
            });
            return emails.map((email): EmailJob => ({ kind: 'email', id: jobId('voicemail_notify', item.recordingSid, email.to), reason: 'voicemail_notify', email, sid }));
          }, { what: 'voicemail_notify', sid })
        : undefined,
    ]);
  }
  return stored;
}

async function sendAll(sender: TextSender | undefined, send: Plan['send'], sid: string): Promise<void> {
  const reasons = [...new Set(send.map((s) => s.reason))];
  await Promise.all(reasons.map((reason) => sendTextsBestEffort(sender, send.filter((s) => s.reason === reason).map((s) => s.text), { reason, sid })));
}

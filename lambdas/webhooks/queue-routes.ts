// The voice webhook's side of the call queues (DESIGN.md section 3, `queue`): a caller joining (recorded,
// and the queue's members offered the call through the job queue) and leaving; the wait URL Twilio asks while
// they wait; and the calls placed to members: their TwiML when answered (`<Dial><Queue>`), the note on the
// caller's end when a member takes them (`<Queue url>`), and their status callbacks. Every change is handed
// to the job queue as a queue job, so the offers are placed and hung up off the carrier's clock.
import type { QueuedCaller } from '../flows/call-engine';
import type { LoadedRevision } from '../flows/call-request';
import { appletAt } from '../flows/engine';
import { agentAnswer, waitAnswer } from '../flows/queue';
import type { FlowPart } from '../flows/schema';
import { errorField, logger } from '../observability/logger';
import { queueJob, QUEUE_TICK_MS } from '../jobs/jobs';
import { putBestEffort } from '../jobs/job-queue';
import { atMost } from '../runtime/deadline';
import { renderCall } from '../twilio/twiml';
import { EMPTY_RESPONSE, twiml, type Response } from './answers';
import type { WebhookCaches } from './caches';
import type { CallRequest } from './call-links';
import type { WebhookDeps } from './deps';

/** A waiting caller is forgotten this long after their longest possible wait (TTL): only a lost callback leaves one. */
const WAITING_KEPT_MS = 3600_000;

/** Has the queue looked at again (offers placed or hung up) by the job worker. */
const lookAgain = (deps: WebhookDeps, queue: string, event: string) =>
  putBestEffort(deps.jobs, [queueJob(queue, event)], { what: 'queue', sid: event });

/**
 * A caller reached a `queue` applet (the answer puts them in it): recorded as waiting, with who may take
 * them, and the queue looked at. Best effort, bounded: the caller hears the hold prompt whatever happens;
 * without the record nobody is offered them and they leave at maxWaitSeconds for the timeout branch.
 */
export async function joinQueue(deps: WebhookDeps, call: CallRequest, revision: LoadedRevision, queued: QueuedCaller): Promise<void> {
  const applet = revision.document.call && appletAt(revision.document.call, queued.applet);
  const maxWait = applet?.type === 'queue' ? applet.maxWaitSeconds : 3600;
  const record = deps.queues
    ?.join(queued.queue, {
      callSid: call.callSid, since: call.now.toISOString(), from: call.from, to: call.to, targets: queued.targets,
      flowId: revision.flowId, revision: revision.revision, applet: queued.applet,
    }, new Date(call.now.getTime() + maxWait * 1000 + WAITING_KEPT_MS))
    .catch((err) => logger.error('a queued caller could not be recorded: nobody will be offered them', { queue: queued.queue, error: errorField(err) }));
  await atMost(Promise.resolve(record));
  await lookAgain(deps, queued.queue, `join:${call.callSid}`);
}

/**
 * The `<Enqueue>` action: the caller is out of the queue (bridged, left at maxWaitSeconds, hung up...).
 * No longer waiting; the queue is looked at (offers for them may be hung up).
 */
export async function leaveQueue(deps: WebhookDeps, call: CallRequest, part: FlowPart, appletId: string): Promise<void> {
  const applet = appletAt(part, appletId);
  if (applet?.type !== 'queue') return;
  const how = call.param('QueueResult') === 'bridged' ? 'bridged' : 'left';
  const left = deps.queues?.leave(applet.name, call.callSid, how, call.now).catch((err) => logger.error('a caller leaving a queue could not be recorded', { queue: applet.name, error: errorField(err) }));
  await atMost(Promise.resolve(left));
  await lookAgain(deps, applet.name, `leave:${call.callSid}`);
}

/**
 * `/twilio/voice/queue-wait?f&r&a[&la]`: Twilio asks it while the caller waits (QueuePosition, QueueTime),
 * and again after each answer. Position, hold prompt, or `<Leave/>` past maxWaitSeconds (flows/queue.ts).
 * At most every QUEUE_TICK_MS it also has the queue looked at: offers that rang out are made again.
 */
export async function queueWait(deps: WebhookDeps, caches: WebhookCaches, call: CallRequest): Promise<Response> {
  const [flowId, rev, appletId] = [call.query('f'), Number(call.query('r')), call.query('a')];
  const revision = flowId && Number.isInteger(rev) ? await caches.revisions.pinned(deps.flows, flowId, rev) : undefined;
  const applet = revision?.document.call && appletId ? appletAt(revision.document.call, appletId) : undefined;
  // Nothing to hold them with: out of the queue, where the action answers (or apologises and records).
  if (applet?.type !== 'queue') return twiml(renderCall([{ kind: 'leave' }], call.urls(revision)));
  const count = (name: string) => {
    const value = Number(call.param(name));
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const la = call.query('la');
  const lastAnnounced = la !== undefined && /^\d{1,5}$/.test(la) ? Number(la) : undefined;
  const instructions = waitAnswer(appletId!, applet, { queueTime: count('QueueTime') ?? 0, position: count('QueuePosition') ?? 1, ...(lastAnnounced !== undefined && { lastAnnounced }) });
  await lookAgain(deps, applet.name, `tick:${Math.floor(call.now.getTime() / QUEUE_TICK_MS)}`);
  return twiml(renderCall(instructions, call.urls(revision)));
}

/**
 * `/twilio/voice/agent?q&u`: a member picked up an offer. Connected to the head of the queue when anyone
 * waits (the offer is then `answered`), else told the caller is gone.
 */
export async function agentAnswered(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const [queue, userId] = [call.query('q'), call.query('u')];
  if (!queue || !userId || !deps.queues) return twiml(renderCall(agentAnswer(queue ?? '', userId ?? '', false), call.urls(undefined)));
  const snapshot = await deps.queues.snapshot(queue);
  const someoneWaits = snapshot.waiting.length > 0;
  if (someoneWaits) {
    await atMost(Promise.all([
      deps.queues.offerAnswered(queue, call.callSid, userId, call.now),
      deps.presence?.legAnswered(userId, call.callSid, call.now),
    ]).catch((err) => logger.error('an answered offer could not be recorded', { queue, error: errorField(err) })));
  }
  return twiml(renderCall(agentAnswer(queue, userId, someoneWaits), call.urls(undefined)));
}

/**
 * `/twilio/voice/queue-bridged?q&u&o`: run on the queued caller's end as a member takes them (`<Queue url>`,
 * CallSid = the caller's). They no longer wait; the queue is looked at (other offers may be hung up).
 */
export async function queueBridged(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const queue = call.query('q');
  if (queue && deps.queues) {
    const left = deps.queues.leave(queue, call.callSid, 'bridged', call.now).catch((err) => logger.error('a bridged caller could not be recorded', { queue, error: errorField(err) }));
    await atMost(left);
    await lookAgain(deps, queue, `bridged:${call.callSid}`);
  }
  return twiml(EMPTY_RESPONSE);
}

/** CallStatus values of an offer's call that mean the member did not take it. */
const DECLINED = new Set(['busy', 'no-answer', 'failed']);
const ENDED = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/**
 * `/twilio/voice/agent-status?q&u`: an offer's call was answered or ended. The member is on a call (or off
 * it: their idle time starts), the offer ends, a member who let it ring out is not offered again at once,
 * and the queue is looked at.
 */
export async function agentStatus(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const [queue, userId, status] = [call.query('q'), call.query('u'), call.param('CallStatus') ?? ''];
  if (!queue || !userId || !call.callSid) return twiml(EMPTY_RESPONSE);
  const work: Array<Promise<unknown> | undefined> = [];
  if (status === 'in-progress' || status === 'answered') work.push(deps.presence?.legAnswered(userId, call.callSid, call.now));
  if (ENDED.has(status)) {
    work.push(deps.presence?.legEnded(userId, call.callSid, status === 'completed', call.now));
    work.push(deps.queues?.offerEnded(queue, call.callSid, userId, DECLINED.has(status), call.now));
  }
  await atMost(Promise.all(work).catch((err) => logger.error('an offer\'s status could not be recorded', { queue, status, error: errorField(err) })));
  if (ENDED.has(status)) await lookAgain(deps, queue, `offer:${call.callSid}`);
  return twiml(EMPTY_RESPONSE);
}

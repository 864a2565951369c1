// Offers a queue's longest-waiting caller to its members (DESIGN.md section 3, `queue`): reads the queue,
// the people its head's targets name and who of them is on a call, plans the offers (flows/queue.ts), and
// places them as calls through the carrier's REST API, each answered by our agent route (`<Dial><Queue>`)
// and reporting its status to us; offers nobody needs any more are hung up. Runs off the webhook path: in
// the job worker, one queue at a time (its jobs share a FIFO message group; locally the drain runs in turn).
import type { CarrierApi } from '../carrier/carrier-link';
import { CarrierNotConfiguredError } from '../errors';
import type { Directory } from '../flows/people';
import { OFFER_RING_SECONDS, planOffers, targetUsers } from '../flows/queue';
import { errorField, logger } from '../observability/logger';
import type { DirectoryStore } from '../store/directory-store';
import type { QueueStore } from '../store/queue-store';
import type { PresenceStore } from '../store/state-store';

export interface QueueOfferPorts {
  queues: QueueStore;
  directory: Pick<DirectoryStore, 'peopleFor'>;
  presence: Pick<PresenceStore, 'presence'>;
  carrier(): Promise<Pick<CarrierApi, 'createCall' | 'cancelCall'>>;
  /** Everything before `/twilio/`, as Twilio calls it: where the offers' TwiML and status callbacks are. */
  publicUrl: string;
  now(): Date;
}

/** The URLs of one offer: its TwiML (the agent route) and its status callback, signed by Twilio like every webhook. */
export function offerUrls(publicUrl: string, queue: string, userId: string) {
  const query = new URLSearchParams({ q: queue, u: userId }).toString();
  const base = publicUrl.replace(/\/+$/, '');
  return { url: `${base}/twilio/voice/agent?${query}`, statusCallback: `${base}/twilio/voice/agent-status?${query}` };
}

export async function offerQueue(queue: string, ports: QueueOfferPorts): Promise<{ placed: number; cancelled: number }> {
  const now = ports.now();
  const snapshot = await ports.queues.snapshot(queue);
  if (snapshot.waiting.length === 0 && snapshot.offers.length === 0) return { placed: 0, cancelled: 0 };
  const head = snapshot.waiting[0];
  const needs = {
    users: (head?.targets ?? []).flatMap((t) => ('user' in t ? [t.user] : [])),
    groups: (head?.targets ?? []).flatMap((t) => ('group' in t ? [t.group] : [])),
  };
  const people = needs.users.length || needs.groups.length ? await ports.directory.peopleFor(needs) : { users: [], groups: [] };
  const directory: Directory = { users: new Map(people.users.map((u) => [u.id, u])), groups: new Map(people.groups.map((g) => [g.id, g])), flowIds: new Set() };
  const candidates = head ? targetUsers(head.targets, directory) : [];
  const presence = candidates.length ? await ports.presence.presence(candidates) : new Map();
  const plan = planOffers({ waiting: snapshot.waiting, offers: snapshot.offers, declined: snapshot.declined, directory, presence, now });
  if (plan.call.length === 0 && plan.cancel.length === 0) return { placed: 0, cancelled: 0 };

  let carrier: Awaited<ReturnType<QueueOfferPorts['carrier']>>;
  try {
    carrier = await ports.carrier();
  } catch (err) {
    // Retrying cannot help until the carrier link is configured: nobody is offered the call, and the caller
    // leaves at maxWaitSeconds for the timeout branch.
    if (err instanceof CarrierNotConfiguredError) {
      logger.error('queue offers need the carrier link (Twilio credentials): nobody was offered the call', { queue, error: errorField(err) });
      return { placed: 0, cancelled: 0 };
    }
    throw err;
  }
  let cancelled = 0;
  for (const sid of plan.cancel) {
    try {
      await carrier.cancelCall(sid);
      cancelled++;
    } catch (err) {
      // Answered meanwhile (it then finds nobody waiting and hangs up) or already over.
      logger.warn('an offer could not be hung up', { queue, agentCallSid: sid, error: errorField(err) });
    }
  }
  let placed = 0;
  for (const offer of plan.call) {
    try {
      const { sid } = await carrier.createCall({ to: offer.to, from: offer.from, ...offerUrls(ports.publicUrl, queue, offer.userId), timeoutSeconds: OFFER_RING_SECONDS });
      await ports.queues.offered(queue, { agentCallSid: sid, userId: offer.userId, at: now.toISOString() });
      placed++;
    } catch (err) {
      logger.error('an offer could not be placed', { queue, userId: offer.userId, error: errorField(err) });
    }
  }
  logger.info('queue offers', { queue, waiting: snapshot.waiting.length, placed, cancelled });
  return { placed, cancelled };
}

// GET /api/queues: every call queue (DESIGN.md section 3, `queue`; section 12): who waits and since when,
// the longest wait, and which members are being offered the call (ringing, or being connected).
import type { QueueOverview } from '../api-types';
import { liveOffers } from '../flows/queue';
import type { AdminDeps } from './flows';

export async function listQueues(deps: AdminDeps): Promise<{ queues: QueueOverview[] }> {
  const names = await deps.queues.names();
  const now = deps.now();
  const snapshots = await Promise.all(names.map((name) => deps.queues.snapshot(name)));
  const people = new Set(snapshots.flatMap((s) => s.offers.map((o) => o.userId)));
  const users = people.size ? await deps.directory.listUsers() : [];
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  const seconds = (iso: string) => Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return {
    queues: snapshots.map((s) => ({
      name: s.name,
      waiting: s.waiting.map((w) => ({ callSid: w.callSid, from: w.from, to: w.to, since: w.since, waitSeconds: seconds(w.since) })),
      longestWaitSeconds: s.waiting.length ? seconds(s.waiting[0].since) : 0,
      offered: liveOffers(s.offers, now).map((o) => ({ userId: o.userId, name: nameOf.get(o.userId), state: o.state, since: o.at })),
    })),
  };
}

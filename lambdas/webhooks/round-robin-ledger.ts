// The round-robin starts one voice request took, so that a call which took one and then got the safe
// answer gives it back: the counter moves only for calls that ring someone (DESIGN.md section 3).
// Issue 18: under load the counter advanced +97 for 40 calls that rang. The advance is made while the
// engine plans the dial; anything after it (the trace write failing, the answer deadline passing while
// the update was still on its way) turned the answer into the apology with the advance kept.
// A request's ledger is settled by its answer: the guard's safe answer calls answeredSafely(), which
// gives back every start taken so far, and any taken later (an update still in flight when the deadline
// passed lands afterwards: it is given back as soon as it does, applied or not).
import { errorField, logger } from '../observability/logger';
import { atMost, BOOKKEEPING_MS } from '../runtime/deadline';
import type { StateStore } from '../store/state-store';

type Counters = Pick<StateStore, 'nextRoundRobinStart' | 'releaseRoundRobinStart'>;

interface Taken {
  key: string;
  callSid: string;
  /** Settles (never rejects) once the advance's update has answered or failed: only then can it be given back. */
  settled: Promise<void>;
  released?: Promise<void>;
}

export class RoundRobinLedger {
  private readonly taken: Taken[] = [];
  private safe = false;

  constructor(private readonly counters: Counters) {}

  /** The store as the engine's ports see it, with every advance written down. */
  tracking<T extends Counters>(state: T): T {
    return new Proxy(state, {
      get: (target, name, receiver) =>
        name === 'nextRoundRobinStart'
          ? (key: string, memberCount: number, callSid?: string) => this.take(target.nextRoundRobinStart(key, memberCount, callSid), key, callSid)
          : Reflect.get(target, name, receiver),
    });
  }

  /**
   * This request answered with the safe TwiML: every start it took goes back. Waits (at most the
   * bookkeeping time) for the ones already known; an update still in flight is given back when it lands.
   */
  async answeredSafely(): Promise<void> {
    this.safe = true;
    if (this.taken.length === 0) return;
    await atMost(Promise.all(this.taken.map((t) => this.release(t))), BOOKKEEPING_MS);
  }

  private take(advance: Promise<number>, key: string, callSid: string | undefined): Promise<number> {
    // Without a CallSid the store remembers nothing to give back (the webhook always has one).
    if (callSid === undefined) return advance;
    const entry: Taken = { key, callSid, settled: advance.then(() => undefined, () => undefined) };
    this.taken.push(entry);
    if (this.safe) void this.release(entry);
    return advance;
  }

  /** Once per advance; an update that failed may still have been applied, so it is released all the same. */
  private release(entry: Taken): Promise<void> {
    entry.released ??= entry.settled
      .then(() => this.counters.releaseRoundRobinStart(entry.key, entry.callSid))
      .then(
        (given) => {
          if (given) logger.info('round-robin start given back: the call got the safe answer', { key: entry.key });
        },
        (err) => {
          logger.error('giving back a round-robin start failed: the counter is one ahead', { key: entry.key, error: errorField(err) });
        },
      );
    return entry.released;
  }
}

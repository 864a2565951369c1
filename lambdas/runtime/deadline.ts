// Time limits of the webhooks. Twilio waits about 5 s per attempt (15 s in all) and then goes to the
// fallback URL; DESIGN.md section 5 wants an answer within 5 s even when DynamoDB hangs.
// Here rather than in webhooks/: the spill (store-or-spill.ts) and the carrier's text sender wait on the
// same clock, and webhooks/ imports both of them. This file imports nothing, so anything may use it.

/** Past this the caller gets the safe answer rather than silence and Twilio's fallback. */
export const ANSWER_DEADLINE_MS = 3_000;

/** How long an answer waits for best-effort bookkeeping (counts, traces) when storage is slow or hung. */
export const BOOKKEEPING_MS = 1_500;

/** The work of a webhook request took longer than ANSWER_DEADLINE_MS: the guard answers safely instead. */
export class AnswerDeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'AnswerDeadlineError';
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * `work`, or what `onTimeout` gives once `ms` have passed without it. The winner is decided first, so
 * the fallback (and its side effects) runs only when the work really was too late.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const first = await Promise.race([work, late]);
    return first === TIMED_OUT ? await onTimeout() : first;
  } finally {
    clearTimeout(timer);
  }
}

/** `work`, or an AnswerDeadlineError after `ms`. */
export const within = <T>(work: Promise<T>, ms = ANSWER_DEADLINE_MS): Promise<T> =>
  withDeadline(work, ms, () => Promise.reject(new AnswerDeadlineError(ms)));

/** Waits for `work` at most `ms`; what it does after that goes on without us. */
export async function atMost(work: Promise<unknown>, ms = BOOKKEEPING_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

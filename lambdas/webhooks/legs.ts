// The answering member's leg of a dial: the announcement whispered before the call is bridged (dial
// `announce`, with screening and the sticky note when the dial has them), and the status callbacks of
// every user's leg, which say who is on a call and since when their last call ended (longest-idle, queues).
// The caller is not on these requests: each is answered whatever storage says.
import { announcement, say, screenPrompt, screenResult, type CallInstruction } from '../flows/call-instructions';
import { appletAt } from '../flows/engine';
import { errorField, logger } from '../observability/logger';
import { atMost } from '../runtime/deadline';
import { renderCall } from '../twilio/twiml';
import { EMPTY_RESPONSE, twiml, type Response } from './answers';
import type { WebhookCaches } from './caches';
import type { CallRequest } from './call-links';
import { flowPorts, type WebhookDeps } from './deps';

/**
 * `/twilio/voice/whisper?f&r&a&n[&s=1&c][&k&u]`, run on the answering leg. First request: the dial's
 * announcement (from applet `a` of the pinned revision, `{number}` = the name of number `n`), then the
 * screening question when `s=1`. The answer to that question comes back here with `Digits`: 1 bridges,
 * anything else hangs this leg up. A sticky dial (`k`, `u`) remembers the member once they accept.
 */
export async function whisper(deps: WebhookDeps, caches: WebhookCaches, call: CallRequest): Promise<Response> {
  const urls = call.urls(undefined);
  const screening = call.query('s') === '1';
  const digits = call.param('Digits');
  if (screening && digits !== undefined) {
    if (digits !== '1') return twiml(renderCall(screenResult(digits), urls));
    await rememberSticky(deps, call);
    return twiml(EMPTY_RESPONSE);
  }
  const announce = await announceText(deps, caches, call);
  const spoken: CallInstruction[] = announce ? [say({ text: announce })] : [];
  if (screening) {
    // The question is asked with the announcement in front of it; its answer comes back to this URL.
    return twiml(renderCall([...spoken, ...screenPrompt(call.query('c'))], urls));
  }
  await rememberSticky(deps, call);
  return twiml(renderCall(spoken, urls));
}

/**
 * What the answering person hears, or nothing when it cannot be known now: the member is waiting to be
 * connected, so a failing read costs the announcement, never the call.
 */
async function announceText(deps: WebhookDeps, caches: WebhookCaches, call: CallRequest): Promise<string | undefined> {
  const [flowId, rev, appletId, number] = [call.query('f'), Number(call.query('r')), call.query('a'), call.query('n') ?? ''];
  if (!flowId || !Number.isInteger(rev) || !appletId) return undefined;
  try {
    const [revision, found] = await Promise.all([caches.revisions.pinned(deps.flows, flowId, rev), deps.numbers.find(number)]);
    const applet = revision?.document.call && appletAt(revision.document.call, appletId);
    if (applet?.type !== 'dial' || applet.announce === undefined) return undefined;
    return announcement(applet.announce, { number, name: found?.name });
  } catch (err) {
    logger.error('the announcement could not be read: the call is bridged without it', { error: errorField(err) });
    return undefined;
  }
}

/** Sticky dials: remember the member who took the call for this caller. Best effort, at most a moment. */
async function rememberSticky(deps: WebhookDeps, call: CallRequest): Promise<void> {
  const [flowId, key, userId] = [call.query('f'), call.query('k'), call.query('u')];
  if (!flowId || !key || !userId) return;
  const remember = flowPorts(deps, flowId).rememberSticky(key, userId, call.now).catch((err) =>
    logger.error('remembering the sticky member failed', { error: errorField(err) }),
  );
  await atMost(remember);
}

/** CallStatus values of a leg that has ended; `completed` alone means it was answered (a conversation). */
const ENDED = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/**
 * `/twilio/voice/leg?u=<user>`: the status callback of one user's leg (events `answered` and `completed`).
 * Answered (CallStatus `in-progress`): the user is on a call. Ended: off it, and a conversation that ended
 * starts their idle time. Callbacks may be retried or come out of order; the store copes (state-store.ts).
 */
export async function legStatus(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const userId = call.query('u');
  const status = call.param('CallStatus') ?? '';
  const legSid = call.callSid;
  if (!userId || !legSid || !deps.presence) return twiml(EMPTY_RESPONSE);
  const presence = deps.presence;
  const work =
    status === 'in-progress' || status === 'answered' ? presence.legAnswered(userId, legSid, call.now)
    : ENDED.has(status) ? presence.legEnded(userId, legSid, status === 'completed', call.now)
    : undefined;
  if (work) {
    await atMost(work.catch((err) => logger.error('a leg status could not be recorded', { status, error: errorField(err) })));
  }
  return twiml(EMPTY_RESPONSE);
}

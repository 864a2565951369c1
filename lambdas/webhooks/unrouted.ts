// Traffic that cannot be routed: a number without a flow (or without the part it needs), a missing
// revision, an outage, a bug. Calls get the safe answer (an apology and a voicemail into `unrouted`);
// texts are kept in `unrouted` and answered with nothing. Either way the event is counted for the
// report and traced, best effort: storage may be what failed, and the carrier must still get its answer.
import { errorField, logger } from '../observability/logger';
import { count, countBy, METRIC } from '../observability/metrics';
import type { MailboxKey } from '../store/message-store';
import type { TraceStep } from '../store/trace-store';
import type { IncomingText } from '../twilio/request';
import { emptyMessagingTwiml, safeVoiceTwiml } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import type { CallRequest } from './call-links';
import { atMost } from './deadline';
import type { WebhookDeps } from './deps';

/** The safe answer to a caller, and the unrouted call counted and traced. */
export async function unroutedCall(deps: WebhookDeps, call: CallRequest, reason: string, steps: TraceStep[] = []): Promise<Response> {
  const xml = safeVoiceTwiml({ recordAction: call.recordingUrl('unrouted'), recordingStatus: call.recordingUrl('unrouted', true) });
  const at = call.now.toISOString();
  logger.warn('call answered with the safe TwiML', { reason, to: call.to });
  count(METRIC.callsUnrouted);
  countBy(METRIC.safeAnswers, 'reason', reason);
  const bookkeeping = Promise.all([
    deps.state.recordUnrouted({ number: call.to, sid: call.callSid, channel: 'call', at, reason }),
    deps.traces.append(call.traceHeader(), [
      ...steps.map((s) => ({ ...s, twiml: xml })),
      { at, type: 'unrouted', applet: reason, input: call.traceInput(), twiml: xml },
    ]),
  ]).catch((err) => logger.error('recording an unrouted call failed', { reason, error: errorField(err) }));
  await atMost(bookkeeping);
  return twiml(xml);
}

/** A text stored in a mailbox, keyed by its Sid (a retry stores nothing twice). */
export async function storeText(deps: WebhookDeps, text: IncomingText, mailbox: MailboxKey, now: Date): Promise<void> {
  await deps.messages.storeText(mailbox, {
    id: text.sid,
    from: text.from,
    to: text.to,
    body: text.body,
    ...(text.media.length && { media: text.media }),
    receivedAt: now.toISOString(),
  });
}

export const textTraceInput = (text: IncomingText): Record<string, string> => ({ Body: text.body, ...(text.media.length && { NumMedia: String(text.media.length) }) });

/**
 * A text kept in `unrouted`: its own write is awaited (the client's timeouts bound it) because the
 * text is what must not be lost; the count and the trace are bookkeeping the answer does not wait for.
 */
export async function keepTextUnrouted(deps: WebhookDeps, text: IncomingText, reason: string, now: Date): Promise<Response> {
  const xml = emptyMessagingTwiml();
  const at = now.toISOString();
  count(METRIC.textsUnrouted);
  countBy(METRIC.safeAnswers, 'reason', reason);
  const kept = storeText(deps, text, 'unrouted', now).then(
    () => logger.warn('text kept in unrouted', { reason, to: text.to }),
    (err) => logger.error('keeping a text in unrouted failed', { reason, error: errorField(err) }),
  );
  const bookkeeping = Promise.all([
    deps.state.recordUnrouted({ number: text.to, sid: text.sid, channel: 'sms', at, reason }),
    deps.traces.append({ sid: text.sid, channel: 'sms', from: text.from, to: text.to }, [{ at, type: 'unrouted', applet: reason, input: textTraceInput(text), twiml: xml }]),
  ]).catch((err) => logger.error('counting an unrouted text failed', { reason, error: errorField(err) }));
  await kept;
  await atMost(bookkeeping);
  return twiml(xml);
}

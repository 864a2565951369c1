// Traffic that cannot be routed: a number without a flow (or without the part it needs), a missing
// revision, an outage, a bug. Calls get the safe answer (an apology and a voicemail into `unrouted`);
// texts are kept in `unrouted` and answered with nothing. Either way the event is counted for the
// report and traced, best effort: storage may be what failed, and the carrier must still get its answer.
// What must not be lost (the text, the count) goes to the durable spill when DynamoDB cannot take it.
import { errorField, logger } from '../observability/logger';
import { count, countBy, METRIC } from '../observability/metrics';
import { storeOrSpill, type Kept } from '../spill/store-or-spill';
import type { UnroutedEvent } from '../store/state-store';
import type { MailboxKey } from '../store/message-store';
import type { TraceStep } from '../store/trace-store';
import type { IncomingText } from '../twilio/request';
import { emptyMessagingTwiml, safeVoiceTwiml } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import type { CallRequest } from './call-links';
import { atMost, BOOKKEEPING_MS } from '../runtime/deadline';
import type { WebhookDeps } from './deps';
import { keepTextToRoute, routesLater, withRouteAt } from './route-later';

/** The safe answer to a caller, and the unrouted call counted and traced. */
export async function unroutedCall(deps: WebhookDeps, call: CallRequest, reason: string, steps: TraceStep[] = []): Promise<Response> {
  // A caller whose flow could not be read records into `unrouted` for now; the recording is routed by
  // the flow as it stood when the call came in (route-later.ts).
  const url = (callback: boolean) => (routesLater(reason) ? withRouteAt(call.recordingUrl('unrouted', callback), call.now) : call.recordingUrl('unrouted', callback));
  const xml = safeVoiceTwiml({ recordAction: url(false), recordingStatus: url(true) });
  const at = call.now.toISOString();
  logger.warn('call answered with the safe TwiML', { reason, to: call.to });
  count(METRIC.callsUnrouted);
  countBy(METRIC.safeAnswers, 'reason', reason);
  const counted = countUnrouted(deps, { number: call.to, sid: call.callSid, channel: 'call', at, reason });
  const traced = deps.traces
    .append(call.traceHeader(), [
      ...steps.map((s) => ({ ...s, twiml: xml })),
      { at, type: 'unrouted', applet: reason, input: call.traceInput(), twiml: xml },
    ])
    .catch((err) => logger.error('tracing an unrouted call failed', { reason, error: errorField(err) }));
  await Promise.all([counted, atMost(traced)]);
  return twiml(xml);
}

/** The unrouted event counted for the report (once per Sid), or spilled when DynamoDB cannot take it. */
function countUnrouted(deps: WebhookDeps, event: UnroutedEvent): Promise<Kept> {
  return storeOrSpill(deps.spill, { kind: 'unrouted', ...event }, () => deps.state.recordUnrouted(event), BOOKKEEPING_MS);
}

/** A text stored in a mailbox, keyed by its Sid (a retry stores nothing twice), or spilled for that mailbox. */
export function storeText(deps: WebhookDeps, text: IncomingText, mailbox: MailboxKey, now: Date): Promise<Kept> {
  const message = { from: text.from, to: text.to, body: text.body, ...(text.media.length && { media: text.media }), receivedAt: now.toISOString() };
  return storeOrSpill(
    deps.spill,
    { kind: 'text', messageSid: text.sid, mailbox, ...message },
    () => deps.messages.storeText(mailbox, { id: text.sid, ...message }),
    BOOKKEEPING_MS,
  );
}

export const textTraceInput = (text: IncomingText): Record<string, string> => ({ Body: text.body, ...(text.media.length && { NumMedia: String(text.media.length) }) });

/**
 * A text kept in `unrouted`: its own write (or its spill) is awaited because the text is what must not
 * be lost, and so is its count (stored or spilled); the trace is bookkeeping the answer does not wait for.
 */
export async function keepTextUnrouted(deps: WebhookDeps, text: IncomingText, reason: string, now: Date): Promise<Response> {
  const xml = emptyMessagingTwiml();
  const at = now.toISOString();
  count(METRIC.textsUnrouted);
  countBy(METRIC.safeAnswers, 'reason', reason);
  const kept = (routesLater(reason) ? keepTextToRoute(deps, text, now) : storeText(deps, text, 'unrouted', now)).then((how) => {
    if (how !== 'lost') logger.warn(routesLater(reason) ? 'text kept, to be routed by its flow as it stood on arrival' : 'text kept in unrouted', { reason, to: text.to, how });
  });
  const counted = countUnrouted(deps, { number: text.to, sid: text.sid, channel: 'sms', at, reason });
  const traced = deps.traces
    .append({ sid: text.sid, channel: 'sms', from: text.from, to: text.to }, [{ at, type: 'unrouted', applet: reason, input: textTraceInput(text), twiml: xml }])
    .catch((err) => logger.error('tracing an unrouted text failed', { reason, error: errorField(err) }));
  await Promise.all([kept, counted, atMost(traced)]);
  return twiml(xml);
}

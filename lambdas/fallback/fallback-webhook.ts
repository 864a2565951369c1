// Twilio's fallback URL (/twilio/fallback, for both Voice and Messaging): Twilio calls it when the
// primary webhook failed or did not answer, which is when DynamoDB or the voice function is in trouble.
// So it needs neither: behind the same Twilio guard as the other webhooks (token, signature, 400s,
// deadline), it answers something safe (a call: the apology and a voicemail into `unrouted`, recorded by
// the voice webhook; a text, told apart by its MessageSid: an empty <Response/>) and puts what must be
// kept (the text, the unrouted event) into the durable spill, which the drain writes later.
import { errorField, logger } from '../observability/logger';
import { count, countBy, METRIC } from '../observability/metrics';
import { spillKey, type Spill, type SpillItem } from '../spill/spill';
import { bodyText, incomingText, singleParam, type TwilioParams, type WebhookEvent } from '../twilio/request';
import { emptyMessagingTwiml, safeVoiceTwiml } from '../twilio/twiml';
import { twiml, type Response } from '../webhooks/answers';
import { twilioWebhook, type TwilioRequest, type WebhookHandler } from '../webhooks/guard';
import { logTextCuts } from '../webhooks/cuts';

/**
 * webhooks/route-later.ts's ROUTE_AT_PARAM, spelled out: importing that module would bundle the replay,
 * and with it the DynamoDB client, into the one function that must work without DynamoDB.
 */
const ROUTE_AT_PARAM = 'ra';

export interface FallbackDeps {
  spill: Spill;
  authToken(): Promise<string>;
  now(): Date;
  publicUrl?: string;
}

/** The reason the report shows for traffic that only the fallback answered. */
export const FALLBACK_REASON = 'fallback';

const isText = (params: TwilioParams) => singleParam(params, 'MessageSid') !== undefined || singleParam(params, 'SmsSid') !== undefined;

function missingFallbackParams(_route: string, params: TwilioParams): string[] {
  if (isText(params)) return incomingText(params) ? [] : ['MessageSid, From or To'];
  // Absent, not empty: a withheld caller may arrive as `From=` and is still a caller.
  return ['CallSid', 'From', 'To'].filter((k) => singleParam(params, k) === undefined);
}

/** The voice webhook stores the recording (and spills it when DynamoDB fails): both go to `unrouted`. */
function safeCallAnswer(base: string, from = '', to = '', at?: Date): Response {
  // With the call's arrival time (`ra`, webhooks/route-later.ts): the recording is routed by the number's
  // flow as it stood then, once the store answers. Not without a number to route by.
  const routeAt: Record<string, string> = at && to ? { [ROUTE_AT_PARAM]: at.toISOString() } : {};
  const url = (callback: boolean) =>
    `${base}/twilio/voice/recording?${new URLSearchParams({ mb: 'unrouted', ...(from && { c: from }), ...(to && { n: to }), ...(callback && { cb: '1' }), ...routeAt })}`;
  return twiml(safeVoiceTwiml({ recordAction: url(false), recordingStatus: url(true) }));
}

/** Every item into the spill; a failure is logged and counted (nothing else can keep it), never changes the answer. */
async function keep(spill: Spill, items: SpillItem[]): Promise<void> {
  await Promise.all(
    items.map((item) =>
      spill.put(item).then(
        () => countBy(METRIC.itemsSpilled, 'kind', item.kind),
        (err) => {
          logger.error('the fallback could not spill an item: lost', { key: spillKey(item), error: errorField(err) });
          countBy(METRIC.itemsLost, 'kind', item.kind);
        },
      ),
    ),
  );
}

async function answer(deps: FallbackDeps, request: TwilioRequest): Promise<Response> {
  const at = request.now.toISOString();
  const text = incomingText(request.params);
  if (text) {
    logTextCuts(text);
    const { sid, media, cut: _cut, ...rest } = text;
    await keep(deps.spill, [
      // The flow was never read: the drain routes the text by it as it stood now (routeAt).
      { kind: 'text', messageSid: sid, mailbox: 'unrouted', ...rest, ...(media.length && { media }), receivedAt: at, routeAt: at },
      { kind: 'unrouted', number: text.to, sid, channel: 'sms', at, reason: FALLBACK_REASON },
    ]);
    logger.warn('text answered by the fallback: spilled for unrouted', { to: text.to });
    count(METRIC.textsUnrouted);
    countBy(METRIC.safeAnswers, 'reason', FALLBACK_REASON);
    return twiml(emptyMessagingTwiml());
  }
  const [callSid, from, to] = ['CallSid', 'From', 'To'].map((k) => singleParam(request.params, k) ?? '');
  await keep(deps.spill, [{ kind: 'unrouted', number: to, sid: callSid, channel: 'call', at, reason: FALLBACK_REASON }]);
  logger.warn('call answered by the fallback with the safe TwiML', { to });
  count(METRIC.callsUnrouted);
  countBy(METRIC.safeAnswers, 'reason', FALLBACK_REASON);
  return safeCallAnswer(request.base, from, to, request.now);
}

export function fallbackWebhook(deps: FallbackDeps): WebhookHandler {
  return twilioWebhook(
    {
      ...deps,
      missing: missingFallbackParams,
      // Without the token nothing can be verified, so nothing is kept; a caller still hears the safe answer.
      unverified: (event: WebhookEvent, base: string) => (/(^|&)(MessageSid|SmsSid)=/.test(bodyText(event)) ? twiml(emptyMessagingTwiml()) : safeCallAnswer(base)),
      // Past the deadline (a hung spill) or after a bug: the same answers, without waiting for the spill again.
      safeAnswer: async (request) => (isText(request.params) ? twiml(emptyMessagingTwiml()) : safeCallAnswer(request.base, singleParam(request.params, 'From'), singleParam(request.params, 'To'), request.now)),
    },
    (request) => answer(deps, request),
  );
}

// Twilio's fallback URL (/twilio/fallback, for both Voice and Messaging): Twilio calls it when the
// primary webhook failed or did not answer, which is when DynamoDB or the voice function is in trouble.
// So it needs neither: it checks the signature, answers something safe (a call: the apology and a
// voicemail into `unrouted`; a text, told apart by its MessageSid: an empty <Response/>) and puts what
// must be kept (the text, the unrouted event) into the durable spill, which the drain writes later.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { spillKey, type Spill, type SpilledText, type SpillItem } from '../spill/spill';
import { bodyText, singleParam, type TwilioParams } from '../twilio/request';
import { verifyTwilioRequest } from '../twilio/signature';
import { emptyMessagingTwiml, safeVoiceTwiml } from '../twilio/twiml';
import { baseUrlOf, log, maskNumber, plain, twiml, type Response } from '../webhooks/context';

export interface FallbackDeps {
  spill: Spill;
  authToken(): Promise<string>;
  now(): Date;
  publicUrl?: string;
}

/** The reason the report shows for traffic that only the fallback answered. */
export const FALLBACK_REASON = 'fallback';

export async function handleFallbackWebhook(deps: FallbackDeps, event: APIGatewayProxyEventV2): Promise<Response> {
  let token: string | undefined;
  try {
    token = await deps.authToken();
  } catch (err) {
    log('ERROR', 'cannot read the Twilio auth token: answering safely, keeping nothing', { error: String(err) });
  }
  // Without the token nothing can be verified, so nothing is kept; the caller still hears the safe answer.
  if (token === undefined) return unverifiedAnswer(event, deps);
  const verified = verifyTwilioRequest(event, token, deps.publicUrl);
  if (!verified.ok) {
    log('WARN', 'twilio signature rejected', { path: event.rawPath, reason: verified.reason });
    return plain(403, 'invalid Twilio signature');
  }
  const params = verified.params;
  const at = deps.now().toISOString();

  const messageSid = singleParam(params, 'MessageSid') ?? singleParam(params, 'SmsSid');
  if (messageSid) {
    const text = spilledText(params, messageSid, at);
    if (!text) return plain(400, 'missing MessageSid, From or To');
    await keep(deps.spill, [text, { kind: 'unrouted', number: text.to, sid: messageSid, channel: 'sms', at, reason: FALLBACK_REASON }]);
    log('WARN', 'text answered by the fallback; kept in the spill for unrouted', { to: maskNumber(text.to), messageSid });
    return twiml(emptyMessagingTwiml());
  }

  const [callSid, from, to] = [singleParam(params, 'CallSid'), singleParam(params, 'From'), singleParam(params, 'To')];
  // Absent, not empty: a withheld caller may arrive as `From=` and is still a caller.
  const missing = Object.entries({ CallSid: callSid, From: from, To: to }).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length) return plain(400, `missing ${missing.join(', ')}`);
  await keep(deps.spill, [{ kind: 'unrouted', number: to!, sid: callSid!, channel: 'call', at, reason: FALLBACK_REASON }]);
  log('WARN', 'call answered by the fallback with the safe TwiML', { to: maskNumber(to), callSid });
  return twiml(safeVoiceTwiml(recordingUrls(baseUrlOf(event, deps.publicUrl), from!, to!)));
}

/** The voice function stores the recording (and spills it when DynamoDB fails): both go to `unrouted`. */
function recordingUrls(base: string, from: string, to: string) {
  const url = (callback: boolean) =>
    `${base}/twilio/voice/recording?${new URLSearchParams({ mb: 'unrouted', ...(from && { c: from }), ...(to && { n: to }), ...(callback && { cb: '1' }) })}`;
  return { recordAction: url(false), recordingStatus: url(true) };
}

/** No token, no verified parameters: a text gets <Response/>, anything else the safe voice answer. */
function unverifiedAnswer(event: APIGatewayProxyEventV2, deps: FallbackDeps): Response {
  const looksLikeText = /(^|&)(MessageSid|SmsSid)=/.test(bodyText(event));
  if (looksLikeText) return twiml(emptyMessagingTwiml());
  return twiml(safeVoiceTwiml(recordingUrls(baseUrlOf(event, deps.publicUrl), '', '')));
}

function spilledText(params: TwilioParams, messageSid: string, receivedAt: string): SpilledText | undefined {
  const [from, to] = [singleParam(params, 'From'), singleParam(params, 'To')];
  if (from === undefined || !to) return undefined;
  const count = Math.min(Number(singleParam(params, 'NumMedia') ?? 0) || 0, 10);
  const media = Array.from({ length: count }, (_, i) => ({
    url: singleParam(params, `MediaUrl${i}`) ?? '',
    contentType: singleParam(params, `MediaContentType${i}`) ?? 'application/octet-stream',
  })).filter((m) => m.url);
  return { kind: 'text', messageSid, mailbox: 'unrouted', from, to, body: singleParam(params, 'Body') ?? '', ...(media.length && { media }), receivedAt };
}

/** Every item into the spill; a failure is logged (nothing else can keep it) and never changes the answer. */
async function keep(spill: Spill, items: SpillItem[]): Promise<void> {
  await Promise.all(
    items.map((item) =>
      spill.put(item).catch((err) => log('ERROR', 'the fallback could not spill an item: lost', { key: spillKey(item), error: String(err) })),
    ),
  );
}

// The sms webhook: runs the sms part of the number's flow for one text (every sms applet is instant,
// so one request does it all), stores the text where the flow says, and answers with the replies.
// A number without a flow (or without an sms part) keeps the text in `unrouted` and answers <Response/>.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { runSms, type SmsResult } from '../flows/sms-engine';
import { mailboxKey, type MailboxKey } from '../store/message-store';
import { singleParam, type TwilioParams } from '../twilio/request';
import { verifyTwilioRequest } from '../twilio/signature';
import { emptyMessagingTwiml, renderSms } from '../twilio/twiml';
import { ANSWER_DEADLINE_MS, atMost, BOOKKEEPING_MS, DirectoryCache, log, maskNumber, NO_DIRECTORY, peopleNamedIn, plain, requestTime, RevisionCache, twiml, withDeadline, type Response, type WebhookDeps } from './context';

const revisions = new RevisionCache();
const directoryCache = new DirectoryCache();

interface IncomingText {
  sid: string;
  from: string;
  to: string;
  body: string;
  media: Array<{ url: string; contentType: string }>;
}

function textOf(params: TwilioParams): IncomingText | undefined {
  const sid = singleParam(params, 'MessageSid') ?? singleParam(params, 'SmsSid');
  const from = singleParam(params, 'From');
  const to = singleParam(params, 'To');
  // Absent, not empty: a sender can arrive as `From=` and the text is still kept.
  if (!sid || from === undefined || !to) return undefined;
  const count = Math.min(Number(singleParam(params, 'NumMedia') ?? 0) || 0, 10);
  const media = Array.from({ length: count }, (_, i) => ({
    url: singleParam(params, `MediaUrl${i}`) ?? '',
    contentType: singleParam(params, `MediaContentType${i}`) ?? 'application/octet-stream',
  })).filter((m) => m.url);
  return { sid, from, to, body: singleParam(params, 'Body') ?? '', media };
}

export async function handleSmsWebhook(deps: WebhookDeps, event: APIGatewayProxyEventV2): Promise<Response> {
  let token: string;
  try {
    token = await deps.authToken();
  } catch (err) {
    // Nothing can be verified, so nothing is stored; an error answer would only send Twilio to the
    // fallback URL, which needs the same token.
    log('ERROR', 'cannot read the Twilio auth token: answering an empty <Response/>, storing nothing', { error: String(err) });
    return twiml(emptyMessagingTwiml());
  }
  const verified = verifyTwilioRequest(event, token, deps.publicUrl);
  if (!verified.ok) {
    log('WARN', 'twilio signature rejected', { path: event.rawPath, reason: verified.reason });
    return plain(403, 'invalid Twilio signature');
  }
  const text = textOf(verified.params);
  if (!text) return plain(400, 'missing MessageSid, From or To');
  const now = requestTime(deps, event.headers);
  try {
    return await withDeadline(routeText(deps, text, now), ANSWER_DEADLINE_MS, () => {
      log('ERROR', 'sms webhook too slow; keeping the text in unrouted', { messageSid: text.sid });
      return storeUnrouted(deps, text, 'timeout', now);
    });
  } catch (err) {
    log('ERROR', 'sms webhook failed; keeping the text in unrouted', { messageSid: text.sid, error: String((err as Error)?.stack ?? err) });
    return storeUnrouted(deps, text, 'error', now).catch(() => twiml(emptyMessagingTwiml()));
  }
}

async function routeText(deps: WebhookDeps, text: IncomingText, now: Date): Promise<Response> {
  const number = await deps.numbers.find(text.to);
  if (!number?.flowId) return await storeUnrouted(deps, text, number ? 'no_flow' : 'unknown_number', now);
  const revision = await revisions.current(deps.flows, number.flowId);
  if (!revision?.document.sms) return await storeUnrouted(deps, text, revision ? 'no_sms_part' : 'missing_revision', now);
  const part = revision.document.sms;
  const notifies = Object.values(part.applets).some((a) => a.type === 'inbox' && a.notify);
  const result = runSms(part, {
    now,
    from: text.from,
    to: text.to,
    body: text.body,
    media: text.media,
    directory: notifies ? await directoryCache.get(deps.directory, Date.now(), peopleNamedIn(part)) : NO_DIRECTORY,
  });
  const xml = renderSms(result);
  await Promise.all([
    result.store ? store(deps, text, result.store.mailbox === 'unrouted' ? 'unrouted' : mailboxKey(result.store.mailbox), now) : undefined,
    deps.traces.append(
      { sid: text.sid, channel: 'sms', from: text.from, to: text.to, flowId: revision.flowId, revision: revision.revision },
      result.steps.map((s, i) => ({ at: now.toISOString(), applet: s.applet, type: s.type, ...(i === 0 && { input: traceInput(text) }), twiml: xml })),
    ),
  ]);
  return twiml(xml);
}

/** Twilio's fallback URL for texts (a MessageSid): the primary answer failed, so keep the text safe. */
export async function handleUnroutedText(deps: WebhookDeps, params: TwilioParams, reason: string): Promise<Response> {
  const text = textOf(params);
  if (!text) return plain(400, 'missing MessageSid, From or To');
  return storeUnrouted(deps, text, reason, deps.now()).catch(() => twiml(emptyMessagingTwiml()));
}

async function storeUnrouted(deps: WebhookDeps, text: IncomingText, reason: string, now: Date): Promise<Response> {
  const xml = emptyMessagingTwiml();
  log('WARN', 'text kept in unrouted', { reason, to: maskNumber(text.to), messageSid: text.sid });
  const at = now.toISOString();
  // The text itself is what must not be lost: its write is awaited (the client's timeouts bound it).
  // The count and the trace are bookkeeping: when storage hangs, the answer does not wait for them.
  const kept = store(deps, text, 'unrouted', now).catch((err) => log('ERROR', 'keeping a text in unrouted failed', { messageSid: text.sid, error: String(err) }));
  const bookkeeping = Promise.all([
    deps.state.recordUnrouted({ number: text.to, sid: text.sid, channel: 'sms', at, reason }),
    deps.traces.append({ sid: text.sid, channel: 'sms', from: text.from, to: text.to }, [{ at, type: 'unrouted', applet: reason, input: traceInput(text), twiml: xml }]),
  ]).catch((err) => log('ERROR', 'counting an unrouted text failed', { messageSid: text.sid, error: String(err) }));
  await kept;
  await atMost(bookkeeping, BOOKKEEPING_MS);
  return twiml(xml);
}

async function store(deps: WebhookDeps, text: IncomingText, mailbox: MailboxKey, now: Date): Promise<void> {
  await deps.messages.storeText(mailbox, {
    id: text.sid,
    from: text.from,
    to: text.to,
    body: text.body,
    ...(text.media.length && { media: text.media }),
    receivedAt: now.toISOString(),
  });
}

function traceInput(text: IncomingText): Record<string, string> {
  return { Body: text.body, ...(text.media.length && { NumMedia: String(text.media.length) }) };
}

export type { SmsResult };

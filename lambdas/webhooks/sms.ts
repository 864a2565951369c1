// The sms webhook: POST /twilio/sms (and the outbound texts' status callbacks, POST /twilio/message-status:
// message-status.ts), as one middy pipeline around the Twilio guard. It runs the sms
// part of the number's flow for one text (every sms applet is instant, so one request does it all),
// stores the text where the flow says, and answers with the replies. A number without a flow (or
// without an sms part), and any failure, keep the text in `unrouted` and answer <Response/>.
import { carrierKeyword, type CarrierKeyword } from '../flows/carrier-keywords';
import { recipientsOf, runSms, withoutRecipients, type SmsResult } from '../flows/sms-engine';
import { errorField, logger } from '../observability/logger';
import { count, METRIC } from '../observability/metrics';
import { mailboxKey } from '../store/message-store';
import { incomingText, type IncomingText, type TwilioParams } from '../twilio/request';
import { emptyMessagingTwiml, renderSms } from '../twilio/twiml';
import { twiml, type Response } from './answers';
import { newWebhookCaches, NO_DIRECTORY, peopleNamedIn, schedulesNamedIn, type WebhookCaches } from './caches';
import { overrideByText } from './override-by-text';
import { BOOKKEEPING_MS, withDeadline } from '../runtime/deadline';
import type { WebhookDeps } from './deps';
import { twilioWebhook, type TwilioRequest, type WebhookHandler } from './guard';
import { sendTextsBestEffort } from '../carrier/text-sender';
import { keepTextUnrouted, storeText, textTraceInput } from './unrouted';
import { logTextCuts } from './cuts';
import { emptyStatusAnswer, MESSAGE_STATUS, messageStatus, missingStatusParams } from './message-status';

/** The sort key of a text's one trace item (one request per text). */
const TEXT_TRACE_KEY = '#text';

const missingSmsParams = (route: string, params: TwilioParams) =>
  route === MESSAGE_STATUS ? missingStatusParams(params) : incomingText(params) ? [] : ['MessageSid, From or To'];

/**
 * A STOP (or START) is recorded whatever the number's flow does with the text, even with no sms part:
 * the call part's `text` applet must not text the sender either. Beside the routing, never failing it.
 */
async function routeText(deps: WebhookDeps, caches: WebhookCaches, text: IncomingText, now: Date): Promise<Response> {
  // CLOSE/OPEN <schedule> ... <PIN> from an editor's phone is answered here, whatever the number's flow.
  const command = await overrideByText(deps, text, now);
  if (command) return command;
  const recorded = recordCarrierKeyword(deps, carrierKeyword(text.body), text, now);
  const [answer] = await Promise.all([routeByFlow(deps, caches, text, now), recorded]);
  return answer;
}

async function routeByFlow(deps: WebhookDeps, caches: WebhookCaches, text: IncomingText, now: Date): Promise<Response> {
  const number = await deps.numbers.find(text.to);
  if (!number?.flowId) return keepTextUnrouted(deps, text, number ? 'no_flow' : 'unknown_number', now);
  const revision = await caches.revisions.current(deps.flows, number.flowId);
  if (!revision?.document.sms) return keepTextUnrouted(deps, text, revision ? 'no_sms_part' : 'missing_revision', now);
  const part = revision.document.sms;
  const notifies = Object.values(part.applets).some((a) => a.type === 'inbox' && a.notify);
  // Together: the people an inbox notifies, and the schedules its hours name (each read only when needed).
  const [directory, schedules] = await Promise.all([
    notifies ? caches.directory.get(deps.directory, Date.now(), peopleNamedIn(part)) : NO_DIRECTORY,
    caches.schedules.get(deps.schedules, Date.now(), schedulesNamedIn(part)),
  ]);
  const run = runSms(part, { now, from: text.from, to: text.to, body: text.body, media: text.media, directory, schedules });
  // STOP, START... (the carrier answers them itself): the engine answered nothing. Otherwise the answer
  // leaves out whoever opted out of this number.
  const result = await withoutOptedOut(deps, run, text);
  const xml = renderSms(result);
  // The text is kept (stored, or spilled for the same mailbox) whatever DynamoDB does; once it is, a
  // failed trace must not turn the flow's answer into the unrouted one (and spill the text a second time).
  // The trace is written once per MessageSid: finding it already there means the carrier replayed a text
  // we handled, which must not send its replies, notifications or forward again (DESIGN.md section 5).
  // When the trace cannot be written in time the answer goes out as usual: a reply twice beats none.
  const traced = deps.traces
    .appendOnce(
      { sid: text.sid, channel: 'sms', from: text.from, to: text.to, flowId: revision.flowId, revision: revision.revision },
      result.steps.map((s, i) => ({ at: now.toISOString(), applet: s.applet, type: s.type, ...(i === 0 && { input: textTraceInput(text) }), twiml: xml })),
      TEXT_TRACE_KEY,
    )
    .catch((err) => (logger.error('tracing a text failed', { error: errorField(err) }), true));
  const [, first] = await Promise.all([
    result.store ? storeText(deps, text, mailboxKey(result.store.mailbox), now) : undefined,
    withDeadline(traced, BOOKKEEPING_MS, () => true),
  ]);
  if (!first) {
    logger.info('replayed text answered with nothing: its replies went out the first time');
    count(METRIC.replaysIgnored);
    return twiml(emptyMessagingTwiml());
  }
  // What did not fit the answer's 10 messages goes through the carrier REST API, from the number texted
  // (after the replay check: a replay must not send them again).
  const overflow = (result.overflow ?? []).map((m) => ({ from: text.to, to: m.to, body: m.body, ...(m.media && { media: m.media }) }));
  await sendTextsBestEffort(deps.texts, overflow, { reason: 'inbox_notify', sid: text.sid });
  return twiml(xml);
}

/**
 * The run's answer without the recipients who opted out of the number texted (DESIGN.md section 17).
 * When the opt-outs cannot be read in time, the answer goes out whole: the carrier refuses opted-out
 * recipients itself (21610).
 */
async function withoutOptedOut(deps: WebhookDeps, run: SmsResult, text: IncomingText): Promise<SmsResult> {
  const recipients = recipientsOf(run, text.from);
  if (!deps.optOuts || recipients.length === 0) return run;
  const read = deps.optOuts.optedOut(text.to, recipients).catch((err) => {
    logger.warn('opt-outs could not be read; answering in full', { error: errorField(err) });
    return new Set<string>();
  });
  const optedOut = await withDeadline(read, BOOKKEEPING_MS, () => new Set<string>());
  if (optedOut.size > 0) logger.info('texts left out of the answer: the recipient opted out of the number', { recipients: optedOut.size });
  return withoutRecipients(run, text.from, optedOut);
}

/** STOP (and the other opt-out words) opts the sender out of the number texted; START opts back in. */
async function recordCarrierKeyword(deps: WebhookDeps, keyword: CarrierKeyword | undefined, text: IncomingText, now: Date): Promise<void> {
  if (!keyword) return;
  logger.info('carrier keyword received: the flow answers nothing', { keyword: keyword.word, kind: keyword.kind });
  if (keyword.kind === 'help' || !deps.optOuts) return;
  const recorded = deps.optOuts.setOptOut(text.to, text.from, keyword.kind === 'opt_out', now, 'keyword').catch((err) => {
    logger.error('an opt-out could not be recorded; the carrier still enforces it', { keyword: keyword.word, error: errorField(err) });
  });
  await withDeadline(recorded, BOOKKEEPING_MS, () => undefined);
}

export function smsWebhook(deps: WebhookDeps): WebhookHandler {
  const caches = newWebhookCaches();
  // Read once per request (the handler and, after a failure, the safe answer), so its cuts are logged once.
  const texts = new WeakMap<TwilioRequest, IncomingText>();
  const textIn = (request: TwilioRequest) => {
    let text = texts.get(request);
    if (!text) {
      text = incomingText(request.params)!;
      logTextCuts(text);
      texts.set(request, text);
    }
    return text;
  };
  return twilioWebhook(
    {
      ...deps,
      missing: missingSmsParams,
      // Nothing can be verified, so nothing is stored; an error answer would only send Twilio to the
      // fallback URL, which needs the same token.
      unverified: () => twiml(emptyMessagingTwiml()),
      // A status callback is no text: nothing to keep, and nobody waits on its answer.
      safeAnswer: async (request, reason) =>
        request.route === MESSAGE_STATUS ? emptyStatusAnswer() : keepTextUnrouted(deps, textIn(request), reason, request.now).catch(() => twiml(emptyMessagingTwiml())),
    },
    (request) => (request.route === MESSAGE_STATUS ? messageStatus(deps, request) : routeText(deps, caches, textIn(request), request.now)),
  );
}

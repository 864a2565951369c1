// The voice webhook's callbacks: a member picking up a sticky dial (on their own leg), the Record
// action and the recordingStatusCallback of every voicemail, and the transcription callback. They come
// in any order, often after the call ended, and may be retried: everything is keyed by its Sid.
// Nobody is waiting on the line for most of them, so their answers never depend on storage.
import { screenPrompt, screenResult } from '../flows/call-instructions';
import type { CallState } from '../flows/call-state';
import { appletAt, mailboxOf, type Mailbox } from '../flows/engine';
import { transcriptNotices, voicemailNotices, type OutboundText } from '../flows/outbound';
import type { Directory } from '../flows/people';
import { sendTextsBestEffort, type SendReason } from '../carrier/text-sender';
import { DirectoryCache } from './caches';
import type { FlowPart } from '../flows/schema';
import { errorField, logger } from '../observability/logger';
import { storeOrSpill } from '../spill/store-or-spill';
import { mailboxKey, parseMailboxKey, type MailboxKey } from '../store/message-store';
import { renderCall } from '../twilio/twiml';
import { EMPTY_RESPONSE, HANGUP_RESPONSE, twiml, type Response } from './answers';
import type { CallRequest } from './call-links';
import { atMost, BOOKKEEPING_MS } from '../runtime/deadline';
import { flowPorts, type WebhookDeps } from './deps';
import { keptRecordingUrl } from './cuts';
import { keepVoicemailToRoute, ROUTE_AT_PARAM, routeAtOf } from './route-later';

/**
 * A member picked up a sticky dial (on their leg, before bridging): screen first when the dial screens,
 * then remember them for this caller. Best effort: the call goes on whatever the store says.
 */
export async function answered(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const urls = call.urls(undefined);
  const digits = call.param('Digits');
  if (call.query('s') === '1') {
    if (digits === undefined) return twiml(renderCall(screenPrompt(call.query('c')), urls));
    if (digits !== '1') return twiml(renderCall(screenResult(digits), urls));
  }
  const [flowId, key, userId] = [call.query('f'), call.query('k'), call.query('u')];
  if (flowId && key && userId) {
    // The member is waiting to be connected: remembering them is worth at most a moment.
    const remember = flowPorts(deps, flowId).rememberSticky(key, userId, call.now).catch((err) =>
      logger.error('remembering the sticky member failed', { error: errorField(err) }),
    );
    await atMost(remember);
  }
  return twiml(EMPTY_RESPONSE);
}

/**
 * Record action and recordingStatusCallback: both may come, each may be retried; the Sid stores it once.
 * When DynamoDB fails or hangs, the recording goes to the spill (for the same mailbox) instead.
 */
async function storeRecording(deps: WebhookDeps, call: CallRequest, mailbox: MailboxKey, notify = false, routeAt?: string): Promise<void> {
  const recordingSid = call.param('RecordingSid');
  if (!recordingSid) return;
  const voicemail = {
    recordingSid,
    mailbox,
    callSid: call.callSid,
    from: call.from,
    to: call.to,
    // Only Twilio's https URL is kept: the dashboard plays and links what is stored.
    recordingUrl: keptRecordingUrl(call.param('RecordingUrl'), recordingSid),
    durationSeconds: call.param('RecordingDuration') ? Number(call.param('RecordingDuration')) : undefined,
    receivedAt: call.now.toISOString(),
  };
  if (routeAt) {
    // The call's flow could not be read when it came in: routed by it now, or by the drain (route-later.ts).
    await keepVoicemailToRoute(deps, { kind: 'voicemail', ...voicemail, routeAt });
    return;
  }
  let stored = false;
  const kept = await storeOrSpill(deps.spill, { kind: 'voicemail', ...voicemail }, async () => (stored = await deps.messages.storeVoicemail(voicemail)), BOOKKEEPING_MS);
  if (kept === 'stored' && stored) logger.info('voicemail stored', { mailbox: mailbox.split('#')[0], recordingSid });
  // Only the request that stored it notifies: the Record action and the status callback both come.
  if (kept === 'stored' && stored && notify) {
    await notifyMailbox(deps, call, mailbox, 'voicemail_notify', (box, directory, vm) => voicemailNotices(box, directory, { ...vm, durationSeconds: voicemail.durationSeconds }));
  }
}

/**
 * Texts a voicemail's mailbox members (voicemail `notify`) from the number that was called, best effort.
 * The mailbox's people are read fresh: a callback is rare and often comes after the call, in another container.
 */
function notifyMailbox(
  deps: WebhookDeps,
  call: CallRequest,
  mailbox: MailboxKey,
  reason: SendReason,
  notices: (box: Mailbox, directory: Directory, vm: { caller: string; number: string }) => OutboundText[],
): Promise<void> {
  const [kind, id] = mailbox.split('#') as [Mailbox['kind'], string];
  if (mailbox === 'unrouted' || !id) return Promise.resolve();
  return sendTextsBestEffort(
    deps.texts,
    async () => {
      const needs = { users: kind === 'user' ? [id] : [], groups: kind === 'group' ? [id] : [] };
      return notices({ kind, id }, await new DirectoryCache().get(deps.directory, Date.now(), needs), { caller: call.from, number: call.to });
    },
    { reason, sid: call.callSid || call.param('RecordingSid') },
  );
}

/**
 * The Record action of a flow's voicemail (state `voicemail`), before the engine ends the call. Best
 * effort: the recordingStatusCallback stores the same recording (by Sid) if this fails.
 */
export async function storeVoicemailFromAction(deps: WebhookDeps, call: CallRequest, part: FlowPart, state: CallState): Promise<void> {
  const applet = appletAt(part, state.applet);
  const mailbox = applet?.type === 'voicemail' ? mailboxKey(mailboxOf(applet.mailbox)) : 'unrouted';
  await storeRecording(deps, call, mailbox, applet?.type === 'voicemail' && applet.notify);
}

/**
 * The unrouted Record action (the caller may still be on the line: always 200 and <Hangup/>) and the
 * recordingStatusCallback of every voicemail (`cb=1`; no From/To: the caller and number travel in our
 * URL). Both store the recording by its Sid; either one suffices.
 */
export async function recording(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const answer = recordingAnswer(call);
  const mailbox = parseMailboxKey(call.query('mb') ?? 'unrouted');
  if (!mailbox) {
    logger.error('recording for an unknown mailbox', { mailbox: call.query('mb') });
    return answer;
  }
  const routeAt = mailbox === 'unrouted' ? routeAtOf(call.query(ROUTE_AT_PARAM)) : undefined;
  await storeRecording(deps, call, mailbox, call.query('nt') === '1', routeAt);
  return answer;
}

/** What a recording request is answered, whatever happens: the caller is never asked to record again. */
export const recordingAnswer = (call: CallRequest): Response => twiml(call.query('cb') === '1' ? EMPTY_RESPONSE : HANGUP_RESPONSE);

export async function transcription(deps: WebhookDeps, call: CallRequest): Promise<Response> {
  const recordingSid = call.param('RecordingSid');
  const text = call.param('TranscriptionText');
  if (!recordingSid || call.param('TranscriptionStatus') !== 'completed' || !text) return twiml(EMPTY_RESPONSE);
  let first = false;
  const kept = await storeOrSpill(deps.spill, { kind: 'transcript', recordingSid, text }, async () => (first = await deps.messages.attachTranscript(recordingSid, text)), BOOKKEEPING_MS);
  // A retried callback (the transcript was there already) texts nobody twice.
  const mailbox = parseMailboxKey(call.query('mb'));
  if (kept === 'stored' && first && mailbox && call.query('nt') === '1') {
    await notifyMailbox(deps, call, mailbox, 'transcript_notify', (box, directory, vm) => transcriptNotices(box, directory, { ...vm, transcript: text }));
  }
  return twiml(EMPTY_RESPONSE);
}

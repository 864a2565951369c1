// The voice webhook's callbacks: a member picking up a sticky dial (on their own leg), the Record
// action and the recordingStatusCallback of every voicemail, and the transcription callback. They come
// in any order, often after the call ended, and may be retried: everything is keyed by its Sid.
// Nobody is waiting on the line for most of them, so their answers never depend on storage.
import { screenPrompt, screenResult } from '../flows/call-instructions';
import type { CallState } from '../flows/call-state';
import { appletAt, mailboxOf, type Mailbox } from '../flows/engine';
import {
  dashboardLink, NOTIFY_NOBODY, notifyChannels, transcriptEmails, transcriptNotices, voicemailEmails, voicemailNotices,
  type NotifyChannels, type OutboundEmail, type OutboundText, type VoicemailEmailFacts, type VoicemailFacts,
} from '../flows/outbound';
import { jobId, type EmailJob, type EmailReason } from '../jobs/jobs';
import { putBestEffort } from '../jobs/job-queue';
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
async function storeRecording(deps: WebhookDeps, call: CallRequest, mailbox: MailboxKey, notify: NotifyChannels = NOTIFY_NOBODY, transcribing = false, routeAt?: string): Promise<void> {
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
  if (kept === 'stored' && stored) {
    await notifyMailbox(deps, call, mailbox, notify, {
      recordingSid,
      texts: (box, directory, vm) => voicemailNotices(box, directory, { ...vm, durationSeconds: voicemail.durationSeconds }),
      emails: (box, directory, vm) => voicemailEmails(box, directory, { ...vm, durationSeconds: voicemail.durationSeconds, receivedAt: voicemail.receivedAt, transcribing }),
      reasons: ['voicemail_notify', 'voicemail_notify'],
    });
  }
}

interface Notices {
  recordingSid: string;
  texts: (box: Mailbox, directory: Directory, vm: VoicemailFacts) => OutboundText[];
  emails: (box: Mailbox, directory: Directory, vm: Omit<VoicemailEmailFacts, 'receivedAt'>) => OutboundEmail[];
  reasons: [SendReason, EmailReason];
}

/**
 * Tells a voicemail's mailbox members (voicemail `notify`), best effort: texts from the number that was
 * called (the carrier's REST API), emails through the job queue (composed and sent off this request). The
 * mailbox's people are read fresh, once for both: a callback is rare and often comes after the call, in
 * another container.
 */
async function notifyMailbox(deps: WebhookDeps, call: CallRequest, mailbox: MailboxKey, notify: NotifyChannels, notices: Notices): Promise<void> {
  const [kind, id] = mailbox.split('#') as [Mailbox['kind'], string];
  if (mailbox === 'unrouted' || !id || (!notify.sms && !notify.email)) return;
  const box: Mailbox = { kind, id };
  const sid = call.callSid || notices.recordingSid;
  let people: Promise<Directory> | undefined;
  const directory = () => (people ??= new DirectoryCache().get(deps.directory, Date.now(), { users: kind === 'user' ? [id] : [], groups: kind === 'group' ? [id] : [] }));
  const vm = { caller: call.from, number: call.to };
  await Promise.all([
    notify.sms ? sendTextsBestEffort(deps.texts, async () => notices.texts(box, await directory(), vm), { reason: notices.reasons[0], sid }) : undefined,
    notify.email
      ? putBestEffort(deps.jobs, async () => {
          const [people, number] = await Promise.all([directory(), deps.numbers.find(call.to).catch(() => undefined)]);
          const mailboxName = kind === 'user' ? people.users.get(id)?.name : people.groups.get(id)?.name;
          const facts = { ...vm, numberName: number?.name, mailboxName, link: dashboardLink(deps.dashboardUrl, box, notices.recordingSid) };
          return notices.emails(box, people, facts).map((email): EmailJob => ({
            kind: 'email', id: jobId(notices.reasons[1], notices.recordingSid, email.to), reason: notices.reasons[1], email, sid,
          }));
        }, { what: notices.reasons[1], sid })
      : undefined,
  ]);
}

/**
 * The Record action of a flow's voicemail (state `voicemail`), before the engine ends the call. Best
 * effort: the recordingStatusCallback stores the same recording (by Sid) if this fails.
 */
export async function storeVoicemailFromAction(deps: WebhookDeps, call: CallRequest, part: FlowPart, state: CallState): Promise<void> {
  const applet = appletAt(part, state.applet);
  if (applet?.type !== 'voicemail') return storeRecording(deps, call, 'unrouted');
  await storeRecording(deps, call, mailboxKey(mailboxOf(applet.mailbox)), notifyChannels(applet.notify), applet.transcribe);
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
  await storeRecording(deps, call, mailbox, call.notifyChannels(), call.query('tr') === '1', routeAt);
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
  // A retried callback (the transcript was there already) tells nobody twice.
  const mailbox = parseMailboxKey(call.query('mb'));
  if (kept === 'stored' && first && mailbox) {
    await notifyMailbox(deps, call, mailbox, call.notifyChannels(), {
      recordingSid,
      texts: (box, directory, vm) => transcriptNotices(box, directory, { ...vm, transcript: text }),
      emails: (box, directory, vm) => transcriptEmails(box, directory, { ...vm, receivedAt: call.now.toISOString(), transcript: text }),
      reasons: ['transcript_notify', 'transcript_notify'],
    });
  }
  return twiml(EMPTY_RESPONSE);
}

// Mailboxes that work (issue 20 item 8): a voicemail's recording played through the admin API (fetched from
// the carrier with the account's credentials, so it plays when Twilio enforces HTTP auth on media), messages
// marked read or unread, deleted here and at the carrier, and answered by text from the number they came to
// (queued for the outbound sender like every text: it reads the opt-outs and keeps the delivery record).
import { z } from 'zod';
import type { ReplySent } from '../api-types';
import { queuedTexts, type Outbox } from '../carrier/queued-text';
import { outboxFromEnv } from '../outbox/outbox-from-env';
import { NotFoundError, ValidationError } from '../errors';
import { E164, MAX_SMS_TEXT } from '../flows/applets';
import { xmlString } from '../flows/schema';
import { carrierLinkOf } from './carrier-routes';
import type { AdminDeps } from './flows';
import { parseWith, type Response } from './http';

const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;
/**
 * A Lambda answers at most 6 MB, base64 included (4.5 MB of audio). WAV as recorded is 16 KB a second:
 * up to 4 minutes it fits; longer recordings are fetched as MP3 (Twilio's other format, ~2 KB a second).
 */
export const MAX_WAV_SECONDS = 240;

async function messageOf(deps: AdminDeps, id: string) {
  const message = await deps.messages.get(id);
  if (!message) throw new NotFoundError(`message ${id}`);
  return message;
}

/**
 * `GET /api/recordings/{sid}`: the audio of a voicemail stored here (never of any other recording of the
 * account: this is no open proxy to the carrier), with the type the carrier gave it.
 */
export async function recordingMedia(deps: AdminDeps, sid: string): Promise<Response> {
  if (!RECORDING_SID.test(sid)) throw new NotFoundError(`recording ${sid}`);
  const message = await messageOf(deps, sid);
  if (message.kind !== 'voicemail') throw new NotFoundError(`recording ${sid}`);
  const format = (message.durationSeconds ?? 0) > MAX_WAV_SECONDS ? 'mp3' : 'wav';
  const media = await (await carrierLinkOf(deps).api()).fetchRecordingMedia(sid, format);
  return {
    statusCode: 200,
    headers: { 'content-type': media.contentType, 'content-length': String(media.data.length), 'cache-control': 'private, max-age=3600' },
    body: media.data.toString('base64'),
    isBase64Encoded: true,
  };
}

const readBody = z.strictObject({ read: z.boolean() });

export async function markRead(deps: AdminDeps, id: string, body: unknown) {
  const { read } = parseWith(readBody, body);
  if (!(await deps.messages.setRead(id, read))) throw new NotFoundError(`message ${id}`);
  return { id, read };
}

/**
 * Deletes a message at the carrier first (the recording, or the text with its media), then here: when the
 * carrier cannot be reached or is not configured nothing is deleted, so a recording is never left at
 * Twilio without a trace of it here. One the carrier no longer has counts as deleted there.
 */
export async function deleteMessage(deps: AdminDeps, id: string): Promise<void> {
  const message = await messageOf(deps, id);
  const carrier = await carrierLinkOf(deps).api();
  if (message.kind === 'voicemail') await carrier.deleteRecording(id);
  else await carrier.deleteMessage(id);
  await deps.messages.delete(id);
}

const replyBody = z.strictObject({ body: xmlString().trim().min(1, 'write something to send').max(MAX_SMS_TEXT) });

let envOutbox: Outbox | undefined;
const outboxOf = (deps: AdminDeps): Outbox => deps.outbox ?? (envOutbox ??= outboxFromEnv());

/**
 * Answers a voicemail or a text by text, from the number it came to, to whoever sent it: queued on the
 * outbound queue (reason `reply`), never sent here. The sender sends it, refuses a recipient who opted out
 * of that number and keeps its delivery record (`GET /api/carrier/messages/{id}`) under the id answered.
 */
export async function replyByText(deps: AdminDeps, id: string, body: unknown): Promise<ReplySent> {
  const { body: text } = parseWith(replyBody, body);
  const message = await messageOf(deps, id);
  if (!E164.test(message.from)) {
    throw new ValidationError([{ path: 'to', message: `the message came from ${message.from || 'a withheld number'}, which cannot be texted` }]);
  }
  const [queued] = queuedTexts([{ from: message.to, to: message.from, body: text }], { reason: 'reply', sid: id }, deps.now());
  await outboxOf(deps).put([queued]);
  return { id: queued.id, status: 'queued', to: queued.to, from: queued.from };
}

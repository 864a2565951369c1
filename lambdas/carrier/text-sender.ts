// How the webhooks hand over the texts the domain decided on (OutboundText), best effort: the TextSender
// port (queued-text.ts queues them for the sender function, outbound-sender.ts), never failing the call or
// the text that caused them, and waited for at most SEND_WAIT_MS. Also the opt-out rules every send follows.
import type { OutboundText } from '../flows/outbound';
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import { atMost } from '../runtime/deadline';
import type { OptOutStore } from '../store/state-store';

/** Twilio's error for a send to a recipient who opted out of the sending number (replied STOP). */
export const OPTED_OUT_CODE = 21610;

/** Why a text is sent: the applet or notification that decided it (DESIGN.md section 17). */
export const SEND_REASONS = ['text_applet', 'voicemail_notify', 'transcript_notify', 'inbox_notify', 'reply', 'forward'] as const;
export type SendReason = (typeof SEND_REASONS)[number];

export interface SendAbout {
  reason: SendReason;
  /** The CallSid or MessageSid that caused the sends, for the logs. */
  sid?: string;
}

export interface SendSummary {
  sent: number;
  failed: number;
  /** Not sent: the recipient opted out of texts from that number (DESIGN.md section 17). */
  optedOut?: number;
}

/** The port the webhooks send through (inbox notifications beyond the TwiML limit use it too): it queues. */
export interface TextSender {
  sendTexts(texts: readonly OutboundText[], about: SendAbout): Promise<SendSummary>;
}

/** Where failed sends are counted. */
export interface SendMetrics {
  sendFailures(count: number, reason: SendReason): void;
}

/**
 * The longest a webhook answer waits for its texts to be queued. The queue's own client gives up sooner
 * (spill/sqs-spill.ts spillSqsClientConfig), so by then every text is queued or counted as failed.
 */
export const SEND_WAIT_MS = 1_000;

/** Powertools metrics (EMF): CarrierSendFailures by reason, one record of its own, written at once. */
export const powertoolsSendMetrics: SendMetrics = {
  sendFailures: (count, reason) => countBy(METRIC.carrierSendFailures, 'reason', reason, count),
};

/**
 * The texts whose recipient has not opted out of texts from their sending number. When the opt-outs
 * cannot be read, every text is sent: the carrier refuses the opted-out ones itself (21610), and that
 * refusal is recorded.
 */
export async function withoutOptedOut(
  optOuts: Pick<OptOutStore, 'optedOut'> | undefined,
  texts: readonly OutboundText[],
  about: SendAbout,
): Promise<OutboundText[]> {
  if (!optOuts || texts.length === 0) return [...texts];
  const froms = [...new Set(texts.map((t) => t.from))];
  try {
    const out = new Map(await Promise.all(froms.map(async (from) => [from, await optOuts.optedOut(from, [...new Set(texts.filter((t) => t.from === from).map((t) => t.to))])] as const)));
    const kept = texts.filter((t) => !out.get(t.from)?.has(t.to));
    if (kept.length < texts.length) logger.info('texts not sent: the recipient opted out of the number', { reason: about.reason, sid: about.sid, count: texts.length - kept.length });
    return kept;
  } catch (err) {
    logger.warn('opt-outs could not be read; sending, the carrier refuses opted-out recipients', { reason: about.reason, sid: about.sid, error: errorField(err) });
    return [...texts];
  }
}

/** Records, best effort, the opt-outs the carrier told us about by refusing sends with 21610. */
export async function recordRefusals(optOuts: Pick<OptOutStore, 'setOptOut'> | undefined, refused: readonly OutboundText[]): Promise<void> {
  if (!optOuts || refused.length === 0) return;
  const now = new Date();
  await Promise.all(
    refused.map((t) =>
      optOuts.setOptOut(t.from, t.to, true, now, 'carrier_21610').catch((err) => logger.error('an opt-out the carrier reported could not be recorded', { to: t.to, from: t.from, error: errorField(err) })),
    ),
  );
}

/**
 * What a webhook calls: computes the texts (a thunk may read the directory), sends them, and returns
 * within SEND_WAIT_MS whatever happens. Never throws.
 */
export async function sendTextsBestEffort(
  sender: TextSender | undefined,
  texts: readonly OutboundText[] | (() => Promise<readonly OutboundText[]>),
  about: SendAbout,
): Promise<void> {
  const work = (async () => {
    const list = typeof texts === 'function' ? await texts() : texts;
    if (list.length === 0) return;
    if (!sender) {
      logger.warn('texts not sent: no carrier link in this handler', { reason: about.reason, sid: about.sid, count: list.length });
      return;
    }
    await sender.sendTexts(list, about);
  })().catch((err) => logger.error('preparing texts failed; nothing sent', { reason: about.reason, sid: about.sid, error: errorField(err) }));
  await atMost(work, SEND_WAIT_MS);
}

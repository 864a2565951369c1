// Sends the texts the domain decided on (OutboundText), best effort: a failed send is logged and
// counted (metric CarrierSendFailures) and never fails the call or the text that caused it, and the
// webhook waits for the sends at most SEND_WAIT_MS.
import type { CarrierError } from '../errors';
import type { OutboundText } from '../flows/outbound';
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import { atMost } from '../runtime/deadline';
import type { OptOutStore } from '../store/state-store';
import type { CarrierApi } from './carrier-link';

/** Twilio's error for a send to a recipient who opted out of the sending number (replied STOP). */
export const OPTED_OUT_CODE = 21610;

export type SendReason = 'text_applet' | 'voicemail_notify' | 'transcript_notify' | 'inbox_notify' | 'reply' | 'forward';

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

/** The port the webhooks send through (inbox notifications beyond the TwiML limit use it too). */
export interface TextSender {
  sendTexts(texts: readonly OutboundText[], about: SendAbout): Promise<SendSummary>;
}

/** Where failed sends are counted. */
export interface SendMetrics {
  sendFailures(count: number, reason: SendReason): void;
}

/**
 * The longest a webhook answer waits for its sends. The REST client's own limit for a send
 * (SEND_TIMEOUT_MS) is shorter, so by then every send has gone out or been given up and counted.
 */
export const SEND_WAIT_MS = 1_000;

/** The twilio library's request timeout for a client that sends while a webhook waits. */
export const SEND_TIMEOUT_MS = 900;

/** Powertools metrics (EMF): CarrierSendFailures by reason, one record of its own, written at once. */
export const powertoolsSendMetrics: SendMetrics = {
  sendFailures: (count, reason) => countBy(METRIC.carrierSendFailures, 'reason', reason, count),
};

export class CarrierTextSender implements TextSender {
  constructor(
    private readonly api: () => Promise<Pick<CarrierApi, 'createMessage'>>,
    private readonly metrics: SendMetrics = powertoolsSendMetrics,
    /** Where opt-outs are read before sending and recorded when the carrier refuses a send with 21610. */
    private readonly optOuts?: Pick<OptOutStore, 'optedOut' | 'setOptOut'>,
  ) {}

  async sendTexts(all: readonly OutboundText[], about: SendAbout): Promise<SendSummary> {
    if (all.length === 0) return { sent: 0, failed: 0 };
    const texts = await withoutOptedOut(this.optOuts, all, about);
    const skipped = all.length - texts.length;
    if (texts.length === 0) return { sent: 0, failed: 0, optedOut: skipped };
    let results: Array<PromiseSettledResult<unknown>>;
    try {
      const api = await this.api();
      results = await Promise.allSettled(texts.map((t) => api.createMessage({ to: t.to, from: t.from, body: t.body, ...(t.media?.length && { mediaUrl: t.media }) })));
    } catch (err) {
      results = texts.map(() => ({ status: 'rejected', reason: err }) as const);
    }
    let failed = 0;
    const refused: OutboundText[] = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return;
      failed++;
      const error = result.reason as Partial<CarrierError>;
      if (error.carrierCode === OPTED_OUT_CODE) refused.push(texts[i]);
      // The logger masks the numbers (observability/logger.ts).
      logger.error('a text could not be sent', {
        reason: about.reason,
        sid: about.sid,
        to: texts[i].to,
        from: texts[i].from,
        status: error.status,
        code: error.carrierCode,
        ...(error.maybeDelivered && { maybeDelivered: true }),
        error: String((result.reason as Error)?.message ?? result.reason),
      });
    });
    if (failed > 0) this.metrics.sendFailures(failed, about.reason);
    // The carrier knows of an opt-out we did not (a STOP we never saw, or one from before): recorded, so
    // nothing is sent to that recipient from that number again until they text START.
    await recordRefusals(this.optOuts, refused);
    return { sent: texts.length - failed, failed, ...(skipped > 0 && { optedOut: skipped }) };
  }
}

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

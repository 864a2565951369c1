// Sends the texts the domain decided on (OutboundText), best effort: a failed send is logged and
// counted (metric CarrierSendFailures) and never fails the call or the text that caused it, and the
// webhook waits for the sends at most SEND_WAIT_MS.
import type { CarrierError } from '../errors';
import type { OutboundText } from '../flows/outbound';
import { errorField, logger } from '../observability/logger';
import { countBy, METRIC } from '../observability/metrics';
import { atMost } from '../runtime/deadline';
import type { CarrierApi } from './carrier-link';

export type SendReason = 'text_applet' | 'voicemail_notify' | 'transcript_notify' | 'inbox_notify' | 'reply' | 'forward';

export interface SendAbout {
  reason: SendReason;
  /** The CallSid or MessageSid that caused the sends, for the logs. */
  sid?: string;
}

export interface SendSummary {
  sent: number;
  failed: number;
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
 * The longest a webhook answer waits for its sends. The REST client's own budget for a send
 * (SEND_POLICY, 900 ms) is shorter, so by then every send has gone out or been given up and counted.
 */
export const SEND_WAIT_MS = 1_000;

/** Powertools metrics (EMF): CarrierSendFailures by reason, one record of its own, written at once. */
export const powertoolsSendMetrics: SendMetrics = {
  sendFailures: (count, reason) => countBy(METRIC.carrierSendFailures, 'reason', reason, count),
};

export class CarrierTextSender implements TextSender {
  constructor(
    private readonly api: () => Promise<Pick<CarrierApi, 'createMessage'>>,
    private readonly metrics: SendMetrics = powertoolsSendMetrics,
  ) {}

  async sendTexts(texts: readonly OutboundText[], about: SendAbout): Promise<SendSummary> {
    if (texts.length === 0) return { sent: 0, failed: 0 };
    let results: Array<PromiseSettledResult<unknown>>;
    try {
      const api = await this.api();
      results = await Promise.allSettled(texts.map((t) => api.createMessage({ to: t.to, from: t.from, body: t.body, ...(t.media?.length && { mediaUrl: t.media }) })));
    } catch (err) {
      results = texts.map(() => ({ status: 'rejected', reason: err }) as const);
    }
    let failed = 0;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return;
      failed++;
      const error = result.reason as Partial<CarrierError>;
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
    return { sent: texts.length - failed, failed };
  }
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

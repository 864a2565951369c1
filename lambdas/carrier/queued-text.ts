// The outbound queue's item and the webhooks' side of it (DESIGN.md section 17): the webhooks never call
// the carrier's REST API while the carrier waits; each text they decide on is put on the outbound queue
// (SQS in AWS, a file spool locally: lambdas/outbox/) and the sender function sends it (outbound-sender.ts).
// Types and a little code only: this module is in every webhook bundle, the twilio library is not.
import { randomUUID } from 'node:crypto';
import type { OutboundText } from '../flows/outbound';
import { errorField, logger } from '../observability/logger';
import type { SendAbout, SendMetrics, SendSummary, TextSender } from './text-sender';
import { powertoolsSendMetrics } from './text-sender';

/** One text on the outbound queue: what to send, why, and the id its delivery record is kept under. */
export interface QueuedText extends OutboundText {
  /** Our id for this text: its delivery record's key, and in its StatusCallback URL. */
  id: string;
  reason: SendAbout['reason'];
  /** The CallSid or MessageSid that caused it (logs, the dashboard). */
  cause?: string;
  /** ISO time it was queued. */
  queuedAt: string;
}

/** Where the webhooks put their texts. `put` resolves once every text is on the queue (durable). */
export interface Outbox {
  put(texts: readonly QueuedText[]): Promise<void>;
}

/** The SQS message attribute / log key of a queued text. */
export const queuedTextKey = (text: Pick<QueuedText, 'id'>) => `text#${text.id}`;

export function queuedTexts(texts: readonly OutboundText[], about: SendAbout, now: Date): QueuedText[] {
  const queuedAt = now.toISOString();
  return texts.map((t) => ({
    id: `txt_${randomUUID().replace(/-/g, '')}`,
    from: t.from,
    to: t.to,
    body: t.body,
    ...(t.media?.length && { media: [...t.media] }),
    reason: about.reason,
    ...(about.sid && { cause: about.sid }),
    queuedAt,
  }));
}

/**
 * The TextSender the webhooks (and the drains' late routing) use: it queues, the sender function sends.
 * A text that could not be queued is logged and counted (CarrierSendFailures) as a failed send was.
 */
export class OutboxTextSender implements TextSender {
  constructor(
    private readonly outbox: Outbox,
    private readonly metrics: SendMetrics = powertoolsSendMetrics,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sendTexts(texts: readonly OutboundText[], about: SendAbout): Promise<SendSummary> {
    if (texts.length === 0) return { sent: 0, failed: 0 };
    try {
      await this.outbox.put(queuedTexts(texts, about, this.now()));
      return { sent: texts.length, failed: 0 };
    } catch (err) {
      logger.error('texts could not be queued; not sent', { reason: about.reason, sid: about.sid, count: texts.length, error: errorField(err) });
      this.metrics.sendFailures(texts.length, about.reason);
      return { sent: 0, failed: texts.length };
    }
  }
}

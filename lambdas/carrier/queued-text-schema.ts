// Reads a queued text back (an SQS message, a spool line) before it is sent: anything else is refused
// (the queue's dead-letter queue, the local spool's rejected file) rather than half-sent. zod's mini build,
// as the spill's item schema (spill/item-schema.ts).
import * as z from 'zod/mini';
import type { QueuedText } from './queued-text';
import { SEND_REASONS } from './text-sender';

const queuedText = z.object({
  id: z.string().check(z.regex(/^txt_[0-9a-f]{32}$/)),
  from: z.string().check(z.minLength(1), z.maxLength(64)),
  to: z.string().check(z.minLength(1), z.maxLength(64)),
  body: z.string().check(z.maxLength(1600)),
  media: z.optional(z.array(z.string()).check(z.maxLength(10))),
  reason: z.enum(SEND_REASONS),
  cause: z.optional(z.string().check(z.maxLength(128))),
  queuedAt: z.string(),
});

// Fails to compile when the schema and the QueuedText type drift apart.
const _sameShape: (text: z.output<typeof queuedText>) => QueuedText = (text) => text;
void _sameShape;

/** The queued text in `json`, or undefined when it is not one. */
export function parseQueuedText(json: string): QueuedText | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = queuedText.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

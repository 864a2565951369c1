// Reads a spilled item back (a queue message, a spool line) before it is replayed: anything else, such
// as the half-written last line of a spool after a crash, is refused rather than written to a table.
// zod's mini build: the drain needs a dozen checks, not the full library (about 440 KB of the bundle).
import * as z from 'zod/mini';
import { DELIVERY_STATUSES } from '../flows/delivery';
import { parseMailboxKey, type MailboxKey } from '../store/message-store';
import type { SpillItem } from './spill';

const mailbox = z.pipe(
  z.string().check(z.refine((m) => parseMailboxKey(m) !== undefined, 'not a mailbox')),
  z.transform((m) => m as MailboxKey),
);
const sid = z.string().check(z.minLength(1), z.maxLength(128));

const spillItem = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('voicemail'),
    recordingSid: sid,
    mailbox,
    callSid: z.string(),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    recordingUrl: z.optional(z.string()),
    durationSeconds: z.optional(z.number()),
    receivedAt: z.string(),
    routeAt: z.optional(z.string()),
  }),
  z.object({ kind: z.literal('transcript'), recordingSid: sid, text: z.string() }),
  z.object({
    kind: z.literal('text'),
    messageSid: sid,
    mailbox,
    from: z.string(),
    to: z.string(),
    body: z.string(),
    media: z.optional(z.array(z.object({ url: z.string(), contentType: z.optional(z.string()) }))),
    receivedAt: z.string(),
    routeAt: z.optional(z.string()),
  }),
  z.object({ kind: z.literal('unrouted'), number: z.string(), sid, channel: z.enum(['call', 'sms']), at: z.string(), reason: z.string() }),
  z.object({
    kind: z.literal('delivery'),
    id: z.string().check(z.regex(/^txt_[0-9a-f]{32}$/)),
    status: z.enum(DELIVERY_STATUSES),
    messageSid: z.optional(sid),
    errorCode: z.optional(z.number()),
    at: z.string(),
  }),
]);

// Fails to compile when the schema and the SpillItem type drift apart.
const _sameShape: (item: z.output<typeof spillItem>) => SpillItem = (item) => item;
void _sameShape;

/** The item in `json`, or undefined when it is not one. */
export function parseSpillItem(json: string): SpillItem | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = spillItem.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

// What a carrier request may weigh before anything reads it. Twilio's webhooks are a few KB with a few
// dozen parameters (a text with 10 media: about 45); anything far bigger is not Twilio, and checking its
// signature would cost seconds of CPU parsing and hashing millions of parameters (issue 18). So a body
// over 64 KB, or with more than 200 parameters, is refused with 413 before the signature is computed: by
// the webhook guard (lambdas/webhooks/guard.ts) in Lambda and locally, and by the local server
// (local/server.ts), which also stops reading such a body at the limit.
import type { WebhookEvent } from './request';

export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
export const MAX_WEBHOOK_PARAMS = 200;

/** The refusal both places answer with (413): what the limits are, so a developer sees which one. */
export const WEBHOOK_TOO_LARGE = `request too large: a carrier webhook carries at most ${MAX_WEBHOOK_BODY_BYTES / 1024} KB and ${MAX_WEBHOOK_PARAMS} parameters`;

/**
 * The decoded size of an API Gateway body in bytes: for base64 from its length and padding, without
 * decoding; for text, a string longer than the limit is over it whatever its characters (each is at
 * least one byte in UTF-8), so only a short one is measured.
 */
export function bodyBytes(event: Pick<WebhookEvent, 'body' | 'isBase64Encoded'>): number {
  if (!event.body) return 0;
  if (event.isBase64Encoded) return Buffer.byteLength(event.body, 'base64');
  return event.body.length > MAX_WEBHOOK_BODY_BYTES ? event.body.length : Buffer.byteLength(event.body, 'utf8');
}

/**
 * How many parameters `application/x-www-form-urlencoded` text holds, counted the way URLSearchParams
 * parses it (non-empty `&`-separated pieces), without parsing; stops counting past `max`.
 */
export function countFormParams(text: string, max = Number.POSITIVE_INFINITY): number {
  let count = 0;
  let start = 0;
  while (start <= text.length && count <= max) {
    const end = text.indexOf('&', start);
    const stop = end === -1 ? text.length : end;
    if (stop > start) count++;
    if (end === -1) break;
    start = end + 1;
  }
  return count;
}

/**
 * Why this webhook is too large to look at (its body over 64 KB, or over 200 parameters), or undefined.
 * Reads the body's length first: only a body within the size limit is decoded to count its parameters.
 */
export function oversizedWebhook(event: Pick<WebhookEvent, 'body' | 'isBase64Encoded'>): 'body_too_large' | 'too_many_parameters' | undefined {
  if (!event.body) return undefined;
  if (bodyBytes(event) > MAX_WEBHOOK_BODY_BYTES) return 'body_too_large';
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return countFormParams(text, MAX_WEBHOOK_PARAMS) > MAX_WEBHOOK_PARAMS ? 'too_many_parameters' : undefined;
}

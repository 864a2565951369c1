// Checks X-Twilio-Signature with the twilio library's own code. Imported from its webhooks module
// only: importing the package root would put the whole library (megabytes) into every webhook bundle.
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { bodyText, cleanParams, headerValue, parseForm, publicRequestUrl, type TwilioParams, type WebhookEvent } from './request';

export type VerifiedTwilioRequest =
  | { ok: true; params: TwilioParams; query: TwilioParams; url: string }
  | { ok: false; reason: 'missing_signature' | 'bad_signature'; url: string };

/**
 * Verifies a webhook over every posted parameter (never a fixed list: Twilio adds parameters
 * without notice) and the exact public URL, query string included. validateRequest also accepts
 * the URL with an explicit :443/:80 port. The signature covers the raw values; what the webhooks get
 * back is cleaned of characters XML cannot carry, so a text holding one is routed like any other.
 */
export function verifyTwilioRequest(event: WebhookEvent, authToken: string, publicBaseUrl?: string): VerifiedTwilioRequest {
  const url = publicRequestUrl(event, publicBaseUrl);
  const signature = headerValue(event, 'x-twilio-signature');
  if (!signature) return { ok: false, reason: 'missing_signature', url };
  const params = parseForm(bodyText(event));
  if (!isValidTwilioSignature(authToken, signature, url, params)) return { ok: false, reason: 'bad_signature', url };
  return { ok: true, params: cleanParams(params), query: cleanParams(parseForm(event.rawQueryString ?? '')), url };
}

export function isValidTwilioSignature(authToken: string, signature: string, url: string, params: TwilioParams): boolean {
  try {
    return validateRequest(authToken, signature, url, params);
  } catch {
    // validateRequest's fallback parses the URL with `new URL`, which throws on garbage.
    return false;
  }
}

/** The X-Twilio-Signature Twilio would send for a POST of `params` to `url` (tests and the carrier simulator). */
export function signTwilioRequest(url: string, params: TwilioParams, authToken: string): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

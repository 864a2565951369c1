// What the webhooks keep of what the carrier posts (issue 18; docs/decisions.md "Carrier media URLs and
// text limits"): a text body cut to the carrier's 1,600 characters, at most 10 media, and media and
// recording URLs only when they are Twilio's own (https, Twilio's API hosts). Everything else could never
// be stored (an item over DynamoDB's 400 KB) or should never be rendered (a `javascript:` link, another
// site's image). The dashboard checks stored URLs with the same function (web/src/media-links.ts), so this
// file imports only the pure domain's constants.
import { MAX_SMS_TEXT } from '../flows/applets';

/** Ends a body that was cut: the body plus the marker is MAX_SMS_TEXT characters (Twilio refuses longer, 21617). */
export const TRUNCATION_MARKER = '… [truncated]';
/** Twilio sends at most 10 media per message (error 21623). */
export const MAX_MEDIA = 10;
/** Longer media or recording URLs are dropped; Twilio's are about 150 characters. */
export const MAX_MEDIA_URL_LENGTH = 2048;

/**
 * The hosts Twilio serves recordings and message media from, as it posts them: `api.twilio.com`
 * (Recordings, Messages/{MM}/Media/{ME}), and the same API in another region, `api.{edge}.{region}.twilio.com`
 * (`api.dublin.ie1.twilio.com`, `api.sydney.au1.twilio.com`; `api.us1.twilio.com`). The media host a media
 * URL redirects to is never posted, so it is not listed.
 */
const TWILIO_MEDIA_HOST = /^api(?:(?:\.[a-z]+)?\.[a-z]{2}[0-9])?\.twilio\.com$/;

export type MediaUrlCheck = 'ok' | 'not_a_string' | 'too_long' | 'not_a_url' | 'not_https' | 'not_carrier_host';

/** Why `url` is not a carrier media URL to keep or show, or 'ok'. */
export function checkMediaUrl(url: unknown): MediaUrlCheck {
  if (typeof url !== 'string') return 'not_a_string';
  if (url.length > MAX_MEDIA_URL_LENGTH) return 'too_long';
  // Printable ASCII only: the parser would drop tabs and newlines the raw string still carries.
  if (!/^[\x21-\x7e]+$/.test(url)) return 'not_a_url';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not_a_url';
  }
  if (parsed.protocol !== 'https:' || !url.toLowerCase().startsWith('https://')) return 'not_https';
  // No credentials, no other port: `https://api.twilio.com@evil.example/` has the host evil.example.
  if (parsed.username || parsed.password || parsed.port) return 'not_carrier_host';
  return TWILIO_MEDIA_HOST.test(parsed.hostname) ? 'ok' : 'not_carrier_host';
}

export const isCarrierMediaUrl = (url: unknown): url is string => checkMediaUrl(url) === 'ok';

/** `body` cut to MAX_SMS_TEXT characters (code points: an emoji is never split), the marker included. */
export function limitTextBody(body: string): { body: string; truncatedFrom?: number } {
  if (body.length <= MAX_SMS_TEXT) return { body };
  const chars = Array.from(body);
  if (chars.length <= MAX_SMS_TEXT) return { body };
  return { body: chars.slice(0, MAX_SMS_TEXT - Array.from(TRUNCATION_MARKER).length).join('') + TRUNCATION_MARKER, truncatedFrom: chars.length };
}

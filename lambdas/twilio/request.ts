// Reads a Twilio webhook out of an API Gateway HTTP API (payload v2) event: the posted form, the
// query string, and the public URL Twilio called — the three things its signature covers.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { stripXmlIllegal } from '../flows/xml-text';
import { checkMediaUrl, limitTextBody, MAX_MEDIA, type MediaUrlCheck } from './carrier-limits';

/** Form or query parameters; a repeated name keeps all its values (the shape twilio's validateRequest expects). */
export type TwilioParams = Record<string, string | string[]>;

/** The parts of a v2 event this module reads, so the local server can build a smaller object. */
export type WebhookEvent = Pick<APIGatewayProxyEventV2, 'headers' | 'body' | 'isBase64Encoded' | 'rawPath' | 'rawQueryString'> & {
  requestContext: Pick<APIGatewayProxyEventV2['requestContext'], 'domainName'>;
};

/** HTTP API v2 lowercases header names; the lookup tolerates other casings for hand-built events. */
export function headerValue(event: Pick<WebhookEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export function bodyText(event: Pick<WebhookEvent, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** application/x-www-form-urlencoded (`+` is a space), also used for query strings. */
export function parseForm(text: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const previous = params[name];
    if (previous === undefined) params[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else params[name] = [previous, value];
  }
  return params;
}

/**
 * The parameters with every character XML cannot carry removed from their values (a Body with U+000B
 * would make the TwiML builder throw). Only after the signature was checked over the raw values.
 */
export function cleanParams(params: TwilioParams): TwilioParams {
  const clean: TwilioParams = {};
  for (const [name, value] of Object.entries(params)) {
    clean[name] = Array.isArray(value) ? value.map(stripXmlIllegal) : stripXmlIllegal(value);
  }
  return clean;
}

/** The value of a parameter that Twilio sends once; the first one when it was repeated. */
export function singleParam(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The URL Twilio requested, byte for byte as it signed it.
 *
 * How rawPath behaves (AWS "Create AWS Lambda proxy integrations for HTTP APIs" and
 * aws-powertools/powertools-lambda-python#621, logandk/serverless-wsgi#191):
 * - default execute-api domain, `$default` stage: rawPath is the route path (`/twilio/voice`);
 * - default execute-api domain, a named stage `dev`: rawPath already starts with the stage
 *   (`/dev/twilio/voice`), so domainName + rawPath is the URL Twilio called;
 * - custom domain with an API mapping key (`calls.example.com/switchboard` → the stage): rawPath
 *   does NOT contain the mapping key, so the public base must carry it: PUBLIC_URL =
 *   `https://calls.example.com/switchboard`. PUBLIC_URL is therefore "what comes before rawPath",
 *   and must not repeat a stage name that rawPath already holds.
 * rawQueryString is the query as the client sent it (not re-encoded), which is what the signature needs.
 */
export function publicRequestUrl(event: Pick<WebhookEvent, 'rawPath' | 'rawQueryString' | 'requestContext'>, publicBaseUrl?: string): string {
  const base = publicBaseUrl ? publicBaseUrl.replace(/\/+$/, '') : `https://${event.requestContext.domainName}`;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return `${base}${event.rawPath}${query}`;
}

/** A text as the carrier posted it (incoming, or to the fallback URL), cut to what can be kept. */
export interface IncomingText {
  sid: string;
  from: string;
  to: string;
  body: string;
  media: Array<{ url: string; contentType: string }>;
  /** What was cut to the carrier's limits before anything is written (textLimitsLog says so once). */
  cut?: TextCuts;
}

export interface TextCuts {
  /** The body's length in characters when it was cut to MAX_SMS_TEXT (with TRUNCATION_MARKER). */
  bodyChars?: number;
  /** Media left out: past the 10th, a URL too long, not https or not on Twilio's hosts. */
  droppedMedia: Array<{ index: number; reason: MediaUrlCheck | 'over_10' | 'empty' }>;
}

/**
 * The text in a messaging request, or undefined when it lacks its Sid, From or To (a 400). Refuses what
 * could never be stored or should never be shown (DESIGN.md section 5 "Carrier limits"): a body over
 * 1,600 characters is cut with a marker, media past the 10th and media URLs that are not Twilio's https
 * URLs are dropped. Pure: the webhook logs `cut` once (textLimitsLog).
 */
export function incomingText(params: TwilioParams): IncomingText | undefined {
  const sid = singleParam(params, 'MessageSid') ?? singleParam(params, 'SmsSid');
  const from = singleParam(params, 'From');
  const to = singleParam(params, 'To');
  // Absent, not empty: a sender can arrive as `From=` and the text is still kept.
  if (!sid || from === undefined || !to) return undefined;
  const posted = Math.max(0, Math.min(Number(singleParam(params, 'NumMedia') ?? 0) || 0, 100));
  const droppedMedia: TextCuts['droppedMedia'] = [];
  const media: IncomingText['media'] = [];
  for (let i = 0; i < posted; i++) {
    const url = singleParam(params, `MediaUrl${i}`) ?? '';
    const check = url ? checkMediaUrl(url) : 'empty';
    if (check === 'empty') continue;
    if (i >= MAX_MEDIA) droppedMedia.push({ index: i, reason: 'over_10' });
    else if (check !== 'ok') droppedMedia.push({ index: i, reason: check });
    else media.push({ url, contentType: singleParam(params, `MediaContentType${i}`) ?? 'application/octet-stream' });
  }
  const { body, truncatedFrom } = limitTextBody(singleParam(params, 'Body') ?? '');
  const cut = truncatedFrom !== undefined || droppedMedia.length ? { ...(truncatedFrom !== undefined && { bodyChars: truncatedFrom }), droppedMedia } : undefined;
  return { sid, from, to, body, media, ...(cut && { cut }) };
}

// Twilio's wire format as the Twilio-compatible server (local/fake-twilio.ts) speaks it: the error JSON
// `{ code, message, more_info, status }`, the checks of form fields every resource shares (SIDs, URLs,
// methods, booleans, names), and the dates (RFC 2822 on the 2010 API, ISO 8601 on the v1 APIs).
import { randomBytes } from 'node:crypto';

export const newTwilioSid = (prefix: string) => prefix + randomBytes(16).toString('hex');
export const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
export const iso8601 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  body(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

export type Form = Record<string, string[]>;

/** The last value of a form field (Twilio reads the last of repeated scalar fields). */
export const field = (form: Form, name: string): string | undefined => form[name]?.at(-1);

export const isSid = (prefix: string, value: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);

/** A SID field: absent, "" (clears it), or a SID of its kind; anything else is Twilio's 400 (20001). */
export function sidField(form: Form, name: string, prefix: string): string | undefined {
  const value = field(form, name);
  if (value === undefined || value === '') return value;
  if (!isSid(prefix, value)) throw new TwilioError(400, 20001, `Invalid parameter ${name}: ${value} is not a valid ${prefix} SID`);
  return value;
}

/** A URL field: absent, "" (clears it) or an http(s) URL (21502 otherwise, as Twilio answers a bad callback URL). */
export function urlField(form: Form, name: string): string | undefined {
  const value = field(form, name);
  if (value === undefined || value === '') return value;
  if (!/^https?:\/\/\S+$/.test(value) || !URL.canParse(value)) throw new TwilioError(400, 21502, `${name} is not a valid URL: ${value}`);
  return value;
}

export function methodField(form: Form, name: string): 'GET' | 'POST' | undefined {
  const value = field(form, name);
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw new TwilioError(400, 21503, `${name} must be GET or POST, not ${value}`);
  return upper;
}

export function booleanField(form: Form, name: string): boolean | undefined {
  const value = field(form, name);
  if (value === undefined) return undefined;
  if (!/^(true|false)$/i.test(value)) throw new TwilioError(400, 20001, `Invalid parameter ${name}: ${value} is not true or false`);
  return value.toLowerCase() === 'true';
}

/** Friendly names are at most 64 characters (Twilio's 20002, "Invalid FriendlyName"). */
export const MAX_FRIENDLY_NAME = 64;

export function friendlyNameField(form: Form, name = 'FriendlyName'): string | undefined {
  const value = field(form, name);
  if (value !== undefined && [...value].length > MAX_FRIENDLY_NAME) throw new TwilioError(400, 20002, `Invalid FriendlyName: it may be at most ${MAX_FRIENDLY_NAME} characters long`);
  return value;
}

export const notFound = (path: string) => new TwilioError(404, 20404, `The requested resource ${path} was not found`);

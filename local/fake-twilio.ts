// A Twilio-compatible REST server of our own, for the tests and for `npm start -- --fake-twilio`: it
// speaks the real `/2010-04-01` resources the carrier link uses (IncomingPhoneNumbers list with
// paging, fetch and update; Messages create and list), with Basic auth (account SID + auth token) and
// Twilio's error JSON `{ code, message, more_info, status }`. Field names, paging (`next_page_uri`),
// status codes and error codes are Twilio's, so the carrier adapter cannot tell it from the real API.
// Tests seed numbers, make sends fail for a recipient, and read what was sent through its methods.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const API = '/2010-04-01';
/** Twilio's default and maximum page sizes for list resources. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const MAX_BODY = 1600;
const E164 = /^\+[1-9]\d{1,14}$/;

export interface IncomingPhoneNumber {
  sid: string;
  account_sid: string;
  phone_number: string;
  friendly_name: string;
  voice_url: string | null;
  voice_method: string;
  voice_fallback_url: string | null;
  voice_fallback_method: string;
  voice_application_sid: string | null;
  voice_caller_id_lookup: boolean;
  sms_url: string | null;
  sms_method: string;
  sms_fallback_url: string | null;
  sms_fallback_method: string;
  sms_application_sid: string | null;
  status_callback: string | null;
  status_callback_method: string;
  trunk_sid: string | null;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
  origin: string;
  status: string;
  beta: boolean;
  api_version: string;
  date_created: string;
  date_updated: string;
  uri: string;
}

export interface SentMessage {
  sid: string;
  account_sid: string;
  from: string;
  to: string;
  body: string;
  num_media: string;
  num_segments: string;
  status: string;
  direction: 'outbound-api';
  error_code: null;
  error_message: null;
  api_version: string;
  date_created: string;
  date_updated: string;
  date_sent: null;
  price: null;
  price_unit: string;
  messaging_service_sid: null;
  uri: string;
  /** Not a Twilio field (Twilio lists media under subresource_uris): kept so tests can see what was attached. */
  media_urls: string[];
}

/** A request as the server received it: what the carrier adapter's request-shape test compares. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string[]>;
  contentType?: string;
  /** The decoded Basic credentials, `sid:token`. */
  auth?: string;
}

export interface SeedNumber {
  phoneNumber: string;
  friendlyName?: string;
  voiceUrl?: string;
  smsUrl?: string;
  voiceFallbackUrl?: string;
  smsFallbackUrl?: string;
  voiceMethod?: string;
  smsMethod?: string;
  voiceApplicationSid?: string;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  port?: number;
  host?: string;
  /** Called for every message sent (the local stack prints them). */
  onMessage?: (message: SentMessage) => void;
}

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

class TwilioError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
  body(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

/** The messages of Twilio's own error catalogue for the codes the fake can answer. */
const SEND_ERRORS: Record<number, string> = {
  21610: 'Attempt to send to unsubscribed recipient',
  21211: "Invalid 'To' Phone Number",
  21408: 'Permission to send an SMS has not been enabled for the region indicated by the "To" number',
  21614: "'To' number is not a valid mobile number",
  30007: 'Message filtered',
};

/**
 * Twilio's own opt-out keywords (long codes and toll-free): a text whose whole body, trimmed, is one of
 * them in any case. Kept here apart from Switchboard's list (lambdas/flows/carrier-keywords.ts): the fake
 * is the carrier, and must not agree with Switchboard by construction.
 */
const TWILIO_OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const TWILIO_OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

/**
 * What every recording of the fake sounds like: half a second of a quiet 440 Hz tone, as Twilio records
 * (8 kHz, 16-bit, mono PCM WAV), made here so a browser has real audio to play.
 */
export const TONE_WAV = (() => {
  const rate = 8000;
  const samples = rate / 2;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // PCM format chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
})();

export const newTwilioSid = (prefix: string) => prefix + randomBytes(16).toString('hex');
/** Twilio's resource dates are RFC 2822. */
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;
  readonly requests: RecordedRequest[] = [];
  readonly messages: SentMessage[] = [];
  private readonly numbers = new Map<string, IncomingPhoneNumber>();
  private readonly failures = new Map<string, number>();
  /** `<our number> <recipient>` pairs: the recipient opted out of texts from that number. */
  private readonly optOuts = new Set<string>();
  private readonly hung = new Set<string>();
  /** Recordings and messages deleted through the API (Twilio answers 404 for them afterwards). */
  readonly deletedRecordings = new Set<string>();
  readonly deletedMessages = new Set<string>();
  private statusQueue: number[] = [];
  private server?: Server;
  url = '';

  constructor(private readonly options: FakeTwilioOptions = {}) {
    this.accountSid = options.accountSid ?? newTwilioSid('AC');
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://${this.options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Test controls

  /** A number on the account, as if bought in the console (URLs default to Twilio's demo ones: "another system"). */
  addNumber(seed: SeedNumber): IncomingPhoneNumber {
    const sid = newTwilioSid('PN');
    const now = rfc2822(new Date());
    const number: IncomingPhoneNumber = {
      sid,
      account_sid: this.accountSid,
      phone_number: seed.phoneNumber,
      friendly_name: seed.friendlyName ?? formatFriendly(seed.phoneNumber),
      voice_url: seed.voiceUrl ?? 'https://demo.twilio.com/welcome/voice/',
      voice_method: seed.voiceMethod ?? 'POST',
      voice_fallback_url: seed.voiceFallbackUrl ?? null,
      voice_fallback_method: 'POST',
      voice_application_sid: seed.voiceApplicationSid ?? null,
      voice_caller_id_lookup: false,
      sms_url: seed.smsUrl ?? 'https://demo.twilio.com/welcome/sms/reply',
      sms_method: seed.smsMethod ?? 'POST',
      sms_fallback_url: seed.smsFallbackUrl ?? null,
      sms_fallback_method: 'POST',
      sms_application_sid: null,
      status_callback: null,
      status_callback_method: 'POST',
      trunk_sid: null,
      capabilities: { voice: true, sms: true, mms: true, fax: false },
      origin: 'twilio',
      status: 'in-use',
      beta: false,
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      uri: `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers/${sid}.json`,
    };
    this.numbers.set(sid, number);
    return number;
  }

  /** The account's numbers, in the order they were added. */
  listNumbers(): IncomingPhoneNumber[] {
    return [...this.numbers.values()];
  }

  numberFor(phoneNumber: string): IncomingPhoneNumber | undefined {
    return this.listNumbers().find((n) => n.phone_number === phoneNumber);
  }

  /** Releases a number from the account. */
  removeNumber(phoneNumber: string): void {
    const number = this.numberFor(phoneNumber);
    if (number) this.numbers.delete(number.sid);
  }

  /** Changes a number as someone in the Twilio console would (drift). */
  changeNumber(phoneNumber: string, patch: Partial<IncomingPhoneNumber>): void {
    const number = this.numberFor(phoneNumber);
    if (!number) throw new Error(`no number ${phoneNumber} on the fake account`);
    Object.assign(number, patch, { date_updated: rfc2822(new Date()) });
  }

  /** Every later send to `to` fails with this Twilio error code (21610: the recipient replied STOP). */
  failSendsTo(to: string, code = 21610): void {
    if (!SEND_ERRORS[code]) throw new Error(`the fake does not know error ${code}`);
    this.failures.set(to, code);
  }

  /**
   * `recipient` opted out of texts from `number` (they texted it STOP): every later send from `number` to
   * them is refused with 21610, as Twilio does, until they opt back in.
   */
  optOut(number: string, recipient: string): void {
    this.optOuts.add(`${number} ${recipient}`);
  }

  optIn(number: string, recipient: string): void {
    this.optOuts.delete(`${number} ${recipient}`);
  }

  isOptedOut(number: string, recipient: string): boolean {
    return this.optOuts.has(`${number} ${recipient}`);
  }

  /**
   * What Twilio does with a text it delivers to one of the account's numbers: a STOP (or another opt-out
   * word) opts its sender out of that number, a START opts them back in. Tests and the local carrier call
   * it for each text they deliver to the webhook. Returns what the text did.
   */
  receivedText(from: string, to: string, body: string): 'opt_out' | 'opt_in' | undefined {
    const word = body.trim().toUpperCase();
    if (TWILIO_OPT_OUT.has(word)) {
      this.optOut(to, from);
      return 'opt_out';
    }
    if (TWILIO_OPT_IN.has(word)) {
      this.optIn(to, from);
      return 'opt_in';
    }
    return undefined;
  }

  /** Sends to `to` get no answer at all (the connection stays open until the client gives up). */
  hangSendsTo(to: string): void {
    this.hung.add(to);
  }

  /** The next requests (any resource) are answered with these statuses, one each: 429 rate limit, 503... */
  answerNextWith(...statuses: Array<429 | 500 | 503>): void {
    this.statusQueue.push(...statuses);
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const form: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) (form[k] ??= []).push(v);
    const auth = basicAuth(req.headers.authorization);
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form,
      contentType: req.headers['content-type'],
      auth,
    });
    const forced = this.statusQueue.shift();
    if (forced) {
      const error = forced === 429 ? new TwilioError(429, 20429, 'Too Many Requests') : new TwilioError(forced, 20500, 'Service Unavailable');
      res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(error.body()));
      return;
    }
    if (url.pathname.endsWith('/Messages.json') && this.hung.has(form.To?.at(-1) ?? '')) return;
    try {
      const { status, body, media } = this.route(req.method ?? 'GET', url, form, auth);
      if (media) res.writeHead(status, { 'content-type': media.contentType, 'content-length': String(media.data.length) }).end(media.data);
      else if (status === 204) res.writeHead(204).end();
      else res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    } catch (err) {
      const error = err instanceof TwilioError ? err : new TwilioError(500, 20500, `Internal Server Error: ${(err as Error).message}`);
      res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(error.body()));
    }
  }

  private route(method: string, url: URL, form: Record<string, string[]>, auth: string | undefined): { status: number; body?: unknown; media?: { contentType: string; data: Buffer } } {
    if (!this.authorized(auth)) throw new TwilioError(401, 20003, 'Authenticate');
    const account = `${API}/Accounts/${this.accountSid}`;
    const path = url.pathname;
    if (!path.startsWith(`${account}/`)) {
      // Another account's resources: Twilio answers 404 to credentials of this one... or 401 for a bad SID.
      throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
    }
    const rest = path.slice(account.length);
    if (rest === '/IncomingPhoneNumbers.json' && method === 'GET') return { status: 200, body: this.listPage(url) };
    const one = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest);
    if (one && method === 'GET') return { status: 200, body: this.get(one[1], path) };
    if (one && method === 'POST') return { status: 200, body: this.update(one[1], form, path) };
    if (rest === '/Messages.json' && method === 'POST') return { status: 201, body: this.send(form) };
    if (rest === '/Messages.json' && method === 'GET') return { status: 200, body: this.messagePage(url) };
    // A recording's media (every recording the simulated calls left: Twilio keeps them all), and deletes.
    const recording = /^\/Recordings\/(RE[0-9a-f]{32})\.(wav|mp3|json)$/.exec(rest);
    if (recording) {
      const [, sid, ext] = recording;
      if (this.deletedRecordings.has(sid)) throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
      if (method === 'GET' && ext === 'wav') return { status: 200, media: { contentType: 'audio/x-wav', data: TONE_WAV } };
      if (method === 'GET' && ext === 'mp3') throw new TwilioError(404, 20404, `The requested resource ${path} was not found (this fake serves .wav)`);
      if (method === 'DELETE' && ext === 'json') {
        this.deletedRecordings.add(sid);
        return { status: 204 };
      }
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    const message = /^\/Messages\/((?:SM|MM)[0-9a-f]{32})\.json$/.exec(rest);
    if (message && method === 'DELETE') {
      if (this.deletedMessages.has(message[1])) throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
      this.deletedMessages.add(message[1]);
      const sent = this.messages.findIndex((m) => m.sid === message[1]);
      if (sent >= 0) this.messages.splice(sent, 1);
      return { status: 204 };
    }
    if (one || rest === '/IncomingPhoneNumbers.json' || rest === '/Messages.json') {
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
  }

  private authorized(auth: string | undefined): boolean {
    const expected = Buffer.from(`${this.accountSid}:${this.authToken}`);
    const given = Buffer.from(auth ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private get(sid: string, path: string): IncomingPhoneNumber {
    const number = this.numbers.get(sid);
    if (!number) throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
    return number;
  }

  /** Form fields of the update, by Twilio's names; unknown fields are ignored, as Twilio does. */
  private update(sid: string, form: Record<string, string[]>, path: string): IncomingPhoneNumber {
    const number = this.get(sid, path);
    const field = (name: string) => form[name]?.at(-1);
    const urls = { VoiceUrl: 'voice_url', VoiceFallbackUrl: 'voice_fallback_url', SmsUrl: 'sms_url', SmsFallbackUrl: 'sms_fallback_url', StatusCallback: 'status_callback' } as const;
    const methods = { VoiceMethod: 'voice_method', VoiceFallbackMethod: 'voice_fallback_method', SmsMethod: 'sms_method', SmsFallbackMethod: 'sms_fallback_method', StatusCallbackMethod: 'status_callback_method' } as const;
    const sids = { VoiceApplicationSid: 'voice_application_sid', SmsApplicationSid: 'sms_application_sid' } as const;
    const patch: Partial<Record<keyof IncomingPhoneNumber, string | null>> = {};
    for (const [name, key] of Object.entries(urls)) {
      const value = field(name);
      if (value === undefined) continue;
      if (value !== '' && !/^https?:\/\//.test(value)) throw new TwilioError(400, 21502, `${name} is not a valid URL: ${value}`);
      patch[key] = value === '' ? null : value;
    }
    for (const [name, key] of Object.entries(methods)) {
      const value = field(name);
      if (value === undefined) continue;
      if (!['GET', 'POST'].includes(value.toUpperCase())) throw new TwilioError(400, 21503, `${name} must be GET or POST`);
      patch[key] = value.toUpperCase();
    }
    for (const [name, key] of Object.entries(sids)) {
      const value = field(name);
      if (value !== undefined) patch[key] = value === '' ? null : value;
    }
    const friendly = field('FriendlyName');
    if (friendly !== undefined) patch.friendly_name = friendly;
    Object.assign(number, patch, { date_updated: rfc2822(new Date()) });
    return number;
  }

  private listPage(url: URL) {
    const filter = url.searchParams.get('PhoneNumber');
    const all = this.listNumbers().filter((n) => !filter || n.phone_number === filter);
    return this.page(url, all, 'IncomingPhoneNumbers.json', 'incoming_phone_numbers');
  }

  private messagePage(url: URL) {
    const to = url.searchParams.get('To');
    return this.page(url, [...this.messages].reverse().filter((m) => !to || m.to === to), 'Messages.json', 'messages');
  }

  /** Twilio's 2010 paging: Page (from 0) and PageSize, with next_page_uri null on the last page. */
  private page<T>(url: URL, items: T[], resource: string, key: string) {
    const pageSize = Math.min(Math.max(Number(url.searchParams.get('PageSize') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const page = Math.max(Number(url.searchParams.get('Page') ?? 0) || 0, 0);
    const start = page * pageSize;
    const slice = items.slice(start, start + pageSize);
    const base = `${API}/Accounts/${this.accountSid}/${resource}`;
    const uriFor = (p: number) => `${base}?PageSize=${pageSize}&Page=${p}`;
    const hasNext = start + pageSize < items.length;
    return {
      [key]: slice,
      first_page_uri: uriFor(0),
      next_page_uri: hasNext ? `${uriFor(page + 1)}&PageToken=PA${randomBytes(16).toString('hex')}` : null,
      previous_page_uri: page > 0 ? uriFor(page - 1) : null,
      page,
      page_size: pageSize,
      start,
      end: start + Math.max(slice.length - 1, 0),
      uri: `${base}?PageSize=${pageSize}&Page=${page}`,
    };
  }

  private send(form: Record<string, string[]>): SentMessage {
    const one = (name: string) => form[name]?.at(-1);
    const to = one('To');
    const from = one('From');
    const body = one('Body') ?? '';
    const media = form.MediaUrl ?? [];
    if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
    if (!from) throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    if (!E164.test(to)) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!body && media.length === 0) throw new TwilioError(400, 21602, 'Message body is required.');
    if ([...body].length > MAX_BODY) throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (!this.numberFor(from)) {
      throw new TwilioError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    const code = this.failures.get(to) ?? (this.isOptedOut(from, to) ? 21610 : undefined);
    if (code) throw new TwilioError(400, code, SEND_ERRORS[code]);
    const sid = newTwilioSid(media.length ? 'MM' : 'SM');
    const now = rfc2822(new Date());
    const message: SentMessage = {
      sid,
      account_sid: this.accountSid,
      from,
      to,
      body,
      num_media: String(media.length),
      num_segments: String(Math.max(1, Math.ceil([...body].length / 153))),
      status: 'queued',
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      date_sent: null,
      price: null,
      price_unit: 'USD',
      messaging_service_sid: null,
      uri: `${API}/Accounts/${this.accountSid}/Messages/${sid}.json`,
      media_urls: media,
    };
    this.messages.push(message);
    this.options.onMessage?.(message);
    return message;
  }
}

function basicAuth(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  return match ? Buffer.from(match[1], 'base64').toString('utf8') : undefined;
}

/** What the console shows for a US number: "(555) 010-0001". */
function formatFriendly(number: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : number;
}

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  return new FakeTwilio(options).start();
}

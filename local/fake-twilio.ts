// A Twilio-compatible REST server of our own, for the tests and for `npm start -- --fake-twilio`: it
// speaks the real `/2010-04-01` resources the carrier link uses (IncomingPhoneNumbers list with
// paging, fetch and update; Messages create and list), with Basic auth (account SID + auth token) and
// Twilio's error JSON `{ code, message, more_info, status }`. Field names, paging (`next_page_uri`),
// status codes and error codes are Twilio's, so the carrier adapter cannot tell it from the real API.
// It also serves Studio v2 Flows (list, and fetch with the definition) for the Studio import.
// Tests seed numbers, make sends fail for a recipient, and read what was sent through its methods.
// Delivery as Twilio does it (TWILIO.md "Delivery and opt-out"): a create answers 201 `queued` (only a bad
// request fails at once), then the message's StatusCallback gets `sent` and `delivered` posted to it,
// asynchronously and signed as Twilio signs (X-Twilio-Signature over the callback URL and every
// parameter); a recipient the fake knows as a landline gets `sent` then `undelivered` with ErrorCode 30006.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallsError, FakeCalls } from './fake-twilio-calls';

const API = '/2010-04-01';
/** Studio's own host: its list answers name pages by absolute URL (meta.next_page_url), as Twilio's do. */
const STUDIO = 'https://studio.twilio.com';
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

/** A Studio v2 Flow as Twilio's API answers it (the list leaves `definition` null). */
export interface StudioFlow {
  sid: string;
  account_sid: string;
  friendly_name: string;
  definition: unknown;
  status: 'published' | 'draft';
  revision: number;
  commit_message: string | null;
  valid: boolean;
  errors: unknown[];
  warnings: unknown[];
  date_created: string;
  date_updated: string;
  webhook_url: string;
  url: string;
  links: Record<string, string>;
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
  error_code: number | null;
  error_message: string | null;
  api_version: string;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
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
  /**
   * Recipients that are landlines: texts to them are accepted (`queued`), then end `undelivered` with
   * ErrorCode 30006, as Twilio reports a landline or a carrier that cannot take texts. More with addLandline().
   */
  landlines?: readonly string[];
  /** How long after the create (and between the two callbacks) the status callbacks are posted. @default 20 ms */
  callbackDelayMs?: number;
}

/** A status callback the fake posted: where, what, and how the receiver answered (0: no answer). */
export interface PostedCallback {
  url: string;
  params: Record<string, string>;
  status: number;
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
};

/**
 * Delivery errors Twilio reports only later, on the status callback (never in the create's answer), with
 * the status it reports them with.
 */
const DELIVERY_ERRORS: Record<number, { status: 'undelivered' | 'failed'; message: string }> = {
  30003: { status: 'undelivered', message: 'Unreachable destination handset' },
  30005: { status: 'undelivered', message: 'Unknown destination handset' },
  30006: { status: 'undelivered', message: 'Landline or unreachable carrier' },
  30007: { status: 'undelivered', message: 'Message filtered' },
  30008: { status: 'undelivered', message: 'Unknown error' },
};

/**
 * Twilio's own opt-out keywords (long codes and toll-free): a text whose whole body, trimmed, is one of
 * them in any case. Kept here apart from Switchboard's list (lambdas/flows/carrier-keywords.ts): the fake
 * is the carrier, and must not agree with Switchboard by construction.
 */
const TWILIO_OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const TWILIO_OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

export const newTwilioSid = (prefix: string) => prefix + randomBytes(16).toString('hex');
/** Twilio's resource dates are RFC 2822. */
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;
  readonly requests: RecordedRequest[] = [];
  readonly messages: SentMessage[] = [];
  private readonly numbers = new Map<string, IncomingPhoneNumber>();
  private readonly studioFlows = new Map<string, StudioFlow>();
  private readonly failures = new Map<string, number>();
  /** `<our number> <recipient>` pairs: the recipient opted out of texts from that number. */
  private readonly optOuts = new Set<string>();
  private readonly hung = new Set<string>();
  /** Recipient -> the delivery error their texts end with (30006 for a landline). */
  private readonly undeliverable = new Map<string, number>();
  /** Status callbacks posted so far, in order. */
  readonly callbacks: PostedCallback[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private statusQueue: number[] = [];
  private server?: Server;
  url = '';
  /** Calls placed through the API (a queue's offers) and the queues' members (local/fake-twilio-calls.ts). */
  readonly calls = new FakeCalls(() => ({ sid: this.accountSid, authToken: this.authToken, owns: (n) => this.numberFor(n) !== undefined }));

  constructor(private readonly options: FakeTwilioOptions = {}) {
    this.accountSid = options.accountSid ?? newTwilioSid('AC');
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    for (const number of options.landlines ?? []) this.addLandline(number);
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

  async stop(): Promise<void> {
    await this.calls.settle();
    await this.callbacksSettled();
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

  /**
   * A Studio flow on the account, as if built and published in the console. `servesNumber` points that
   * number's Voice and Messaging URLs at the flow, as the console's "Studio Flow" setting of a number does.
   */
  addStudioFlow(friendlyName: string, definition: unknown, options: { status?: 'published' | 'draft'; servesNumber?: string } = {}): StudioFlow {
    const sid = newTwilioSid('FW');
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const url = `${STUDIO}/v2/Flows/${sid}`;
    const flow: StudioFlow = {
      sid, account_sid: this.accountSid, friendly_name: friendlyName, definition, status: options.status ?? 'published', revision: 1,
      commit_message: null, valid: true, errors: [], warnings: [], date_created: now, date_updated: now,
      webhook_url: this.studioWebhookUrl(sid), url,
      links: { test_users: `${url}/TestUsers`, revisions: `${url}/Revisions`, executions: `${url}/Executions` },
    };
    this.studioFlows.set(sid, flow);
    if (options.servesNumber) this.changeNumber(options.servesNumber, { voice_url: flow.webhook_url, sms_url: flow.webhook_url });
    return flow;
  }

  /** The URL a number's Voice or Messaging URL holds when a Studio flow answers it. */
  studioWebhookUrl(flowSid: string): string {
    return `https://webhooks.twilio.com/v1/Accounts/${this.accountSid}/Flows/${flowSid}`;
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

  /** `number` is a landline: texts to it are accepted, then end `undelivered` with 30006 (on the status callback). */
  addLandline(number: string): void {
    this.failDeliveryTo(number, 30006);
  }

  /** Texts to `to` are accepted, then end with this delivery error on the status callback (30003, 30005, 30006...). */
  failDeliveryTo(to: string, code = 30006): void {
    if (!DELIVERY_ERRORS[code]) throw new Error(`the fake does not know delivery error ${code}`);
    this.undeliverable.set(to, code);
  }

  /** Resolves once every status callback due so far has been posted (and answered, or given up). */
  async callbacksSettled(): Promise<void> {
    while (this.deliveries.size) await Promise.all([...this.deliveries]);
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
    if (url.pathname.startsWith('/__sim/')) {
      try {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(this.calls.sim(req.method ?? 'GET', url.pathname, form)));
      } catch (err) {
        const e = err instanceof CallsError ? err : new CallsError(500, 20500, (err as Error).message);
        res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ code: e.code, message: e.message, status: e.status }));
      }
      return;
    }
    try {
      const { status, body } = this.route(req.method ?? 'GET', url, form, auth);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    } catch (err) {
      const error = err instanceof TwilioError ? err : new TwilioError(500, 20500, `Internal Server Error: ${(err as Error).message}`);
      res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(error.body()));
    }
  }

  private route(method: string, url: URL, form: Record<string, string[]>, auth: string | undefined): { status: number; body: unknown } {
    if (!this.authorized(auth)) throw new TwilioError(401, 20003, 'Authenticate');
    const account = `${API}/Accounts/${this.accountSid}`;
    const path = url.pathname;
    if (path === '/v2/Flows' || path.startsWith('/v2/Flows/')) return this.studio(method, url);
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
    if (rest === '/Calls.json' && method === 'POST') return { status: 201, body: this.callsDo(() => this.calls.create(form)) };
    const call = /^\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest);
    if (call && method === 'POST') return { status: 200, body: this.callsDo(() => this.calls.update(call[1], form)) };
    if (one || rest === '/IncomingPhoneNumbers.json' || rest === '/Messages.json') {
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    throw new TwilioError(404, 20404, `The requested resource ${path} was not found`);
  }

  /** A Calls operation, its refusal as Twilio's error. */
  private callsDo<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      if (err instanceof CallsError) throw new TwilioError(err.status, err.code, err.message);
      throw err;
    }
  }

  /** Studio v2: `GET /v2/Flows` (meta paging, no definitions) and `GET /v2/Flows/{sid}` (with its definition). */
  private studio(method: string, url: URL): { status: number; body: unknown } {
    const one = /^\/v2\/Flows\/(FW[0-9a-fA-F]{32})$/.exec(url.pathname);
    if (method !== 'GET' && (one || url.pathname === '/v2/Flows')) throw new TwilioError(405, 20004, 'Method not allowed');
    if (one) {
      const flow = this.studioFlows.get(one[1]);
      if (!flow) throw new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
      return { status: 200, body: flow };
    }
    if (url.pathname !== '/v2/Flows') throw new TwilioError(404, 20404, `The requested resource ${url.pathname} was not found`);
    const pageSize = Math.min(Math.max(Number(url.searchParams.get('PageSize') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const page = Math.max(Number(url.searchParams.get('Page') ?? 0) || 0, 0);
    const all = [...this.studioFlows.values()];
    const slice = all.slice(page * pageSize, (page + 1) * pageSize).map((f) => ({ ...f, definition: null }));
    const pageUrl = (p: number) => `${STUDIO}/v2/Flows?PageSize=${pageSize}&Page=${p}`;
    return {
      status: 200,
      body: {
        flows: slice,
        meta: {
          page, page_size: pageSize, first_page_url: pageUrl(0), previous_page_url: page > 0 ? pageUrl(page - 1) : null,
          url: pageUrl(page), next_page_url: (page + 1) * pageSize < all.length ? `${pageUrl(page + 1)}&PageToken=PA${randomBytes(16).toString('hex')}` : null, key: 'flows',
        },
      },
    };
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
    const callback = one('StatusCallback');
    const delivery = this.deliver(message, callback);
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
    return { ...message };
  }

  /**
   * What happens to an accepted message after the answer: it is `sent`, then `delivered` (or, to a
   * recipient known as undeliverable, `undelivered` with its error code), each posted to its StatusCallback.
   */
  private async deliver(message: SentMessage, callback: string | undefined): Promise<void> {
    const pause = () => new Promise((resolve) => setTimeout(resolve, this.options.callbackDelayMs ?? 20));
    const code = this.undeliverable.get(message.to);
    const outcome = code ? DELIVERY_ERRORS[code] : undefined;
    await pause();
    this.setStatus(message, 'sent');
    await this.postStatus(callback, message, 'sent');
    await pause();
    this.setStatus(message, outcome?.status ?? 'delivered', code, outcome?.message);
    await this.postStatus(callback, message, outcome?.status ?? 'delivered', code);
  }

  private setStatus(message: SentMessage, status: string, code?: number, words?: string): void {
    const now = rfc2822(new Date());
    Object.assign(message, { status, date_updated: now, ...(status === 'sent' && { date_sent: now }), ...(code && { error_code: code, error_message: words ?? null }) });
  }

  /** A status callback as Twilio posts it: form-encoded, signed with the account's auth token over the URL and every parameter. */
  private async postStatus(url: string | undefined, message: SentMessage, status: string, code?: number): Promise<void> {
    if (!url) return;
    const params: Record<string, string> = {
      SmsSid: message.sid,
      SmsStatus: status,
      MessageStatus: status,
      To: message.to,
      MessageSid: message.sid,
      AccountSid: this.accountSid,
      From: message.from,
      ApiVersion: '2010-04-01',
      ...(code && { ErrorCode: String(code) }),
    };
    const posted: PostedCallback = { url, params, status: 0 };
    this.callbacks.push(posted);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(this.authToken, url, params), 'user-agent': 'TwilioProxy/1.1' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(15_000),
      });
      posted.status = res.status;
      await res.arrayBuffer();
    } catch {
      // Twilio gives up on a callback that fails (error 11200 in its debugger) and does not retry it.
    }
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

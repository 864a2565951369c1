// A Twilio-compatible REST server of our own, for the tests and for `npm start -- --fake-twilio`: it
// speaks the real resources the carrier link uses, as Twilio's OpenAPI definitions (twilio-oai) give them
// (every request and answer of the carrier tests is checked against those: test/support/twilio-spec.ts):
// the 2010 API's IncomingPhoneNumbers (list with Twilio's paging and filters, fetch, update, delete) and
// Messages (create, list), Messaging v1 Services and their PhoneNumbers, Trunking v1 Trunks and their
// PhoneNumbers, Studio v2 Flows for the Studio import (local/fake-twilio-v1.ts), with Basic auth (account
// SID + auth token) and Twilio's error JSON `{ code, message, more_info, status }`. Tests seed numbers,
// make sends fail for a recipient, slow every answer down (`latencyMs`), fail requests, and read what was
// sent through its methods.
// Delivery as Twilio does it (TWILIO.md "Delivery and opt-out"): a create answers 201 `queued` (only a bad
// request fails at once), then the message's StatusCallback gets `sent` and `delivered` posted to it,
// asynchronously and signed as Twilio signs (X-Twilio-Signature over the callback URL and every
// parameter); a recipient the fake knows as a landline gets `sent` then `undelivered` with ErrorCode 30006.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { booleanField, field, friendlyNameField, iso8601, isSid, methodField, newTwilioSid, notFound, rfc2822, sidField, TwilioError, urlField, type Form } from './fake-twilio-wire';
import { page2010, type Pageable } from './fake-twilio-pages';
import { routeStudio, routeV1, STUDIO, type MessagingService, type StudioFlow, type Trunk } from './fake-twilio-v1';

export type { StudioFlow } from './fake-twilio-v1';

export type { TwilioErrorBody } from './fake-twilio-wire';
import { CallsError, FakeCalls } from './fake-twilio-calls';

const API = '/2010-04-01';
const MAX_BODY = 1600;
/** Twilio's limit on media per message (error 21623). */
const MAX_MEDIA = 10;
const E164 = /^\+[1-9]\d{1,14}$/;

/** An IncomingPhoneNumber as Twilio answers it: every field, unset ones `""` or `null` as Twilio's examples give them. */
export interface IncomingPhoneNumber {
  account_sid: string;
  address_sid: string | null;
  address_requirements: 'none' | 'any' | 'local' | 'foreign';
  api_version: string;
  beta: boolean;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
  date_created: string;
  date_updated: string;
  friendly_name: string;
  identity_sid: string | null;
  phone_number: string;
  origin: string;
  sid: string;
  /** "" when unset. */
  sms_application_sid: string;
  sms_fallback_method: string;
  /** "" when unset. */
  sms_fallback_url: string;
  sms_method: string;
  /** "" when unset. */
  sms_url: string;
  /** "" when unset. */
  status_callback: string;
  status_callback_method: string;
  /** null when unset. */
  trunk_sid: string | null;
  uri: string;
  voice_receive_mode: 'voice' | 'fax';
  /** "" when unset. */
  voice_application_sid: string;
  voice_caller_id_lookup: boolean;
  voice_fallback_method: string;
  /** null when unset. */
  voice_fallback_url: string | null;
  voice_method: string;
  /** null when unset. */
  voice_url: string | null;
  emergency_status: 'Active' | 'Inactive';
  emergency_address_sid: string | null;
  emergency_address_status: string;
  bundle_sid: string | null;
  status: string;
  subresource_uris: { assigned_add_ons: string };
}

/** How each URL or SID field of a number is written when unset (twilio-oai's examples). */
const UNSET: Partial<Record<keyof IncomingPhoneNumber, '' | null>> = {
  voice_url: null,
  voice_fallback_url: null,
  sms_url: '',
  sms_fallback_url: '',
  status_callback: '',
  voice_application_sid: '',
  sms_application_sid: '',
  trunk_sid: null,
};
const unset = (key: keyof IncomingPhoneNumber, value: string | undefined | null) => (value === undefined || value === null || value === '' ? UNSET[key] ?? null : value);

export interface SentMessage {
  sid: string;
  account_sid: string;
  /** The sender; with a Messaging Service the one Twilio picked from its pool (the create answer says null). */
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
  price: string | null;
  price_unit: string;
  messaging_service_sid: string | null;
  uri: string;
  subresource_uris: { media: string };
  /** Not a Twilio field (Twilio lists media under subresource_uris): kept so tests can see what was attached; never answered. */
  media_urls: string[];
  /** Not a Twilio field either: the StatusCallback the send asked for. */
  status_callback?: string;
}

/** A request as the server received it, and what it answered: what the carrier tests check against twilio-oai. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string[]>;
  contentType?: string;
  /** The decoded Basic credentials, `sid:token`. */
  auth?: string;
  /** The answer's status and JSON (undefined for an empty answer), once answered. */
  status?: number;
  answer?: unknown;
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
  smsApplicationSid?: string;
  trunkSid?: string;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  port?: number;
  host?: string;
  /** Every answer waits this long (a distant API: what a sync of many numbers must survive). */
  latencyMs?: number;
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

export { newTwilioSid } from './fake-twilio-wire';

interface Stored<T> extends Pageable {
  resource: T;
}

export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;
  readonly requests: RecordedRequest[] = [];
  readonly messages: SentMessage[] = [];
  /** Every answer waits this long; change it at any time. */
  latencyMs: number;
  /** @internal The v1 resources (fake-twilio-v1.ts). */
  readonly services = new Map<string, Stored<MessagingService>>();
  /** @internal Messaging Service → the SIDs of its numbers (a number is in at most one service). */
  readonly serviceNumbers = new Map<string, Map<string, { seq: number; added: Date }>>();
  /** @internal */
  readonly trunks = new Map<string, Stored<Trunk>>();
  /** @internal Studio v2 Flows (the Studio import reads them). */
  readonly studioFlows = new Map<string, Stored<StudioFlow>>();
  /** Recipient -> the delivery error their texts end with (30006 for a landline). */
  private readonly undeliverable = new Map<string, number>();
  /** Status callbacks posted so far, in order. */
  readonly callbacks: PostedCallback[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private readonly numbers = new Map<string, Stored<IncomingPhoneNumber>>();
  private readonly seqs = new Map<string, number>();
  private nextSeq = 0;
  private readonly failures = new Map<string, number>();
  /** `<our number> <recipient>` pairs: the recipient opted out of texts from that number. */
  private readonly optOuts = new Set<string>();
  private readonly hung = new Set<string>();
  /** Recordings and messages deleted through the API (Twilio answers 404 for them afterwards). */
  readonly deletedRecordings = new Set<string>();
  readonly deletedMessages = new Set<string>();
  private statusQueue: number[] = [];
  private failWhen?: { test: (r: RecordedRequest) => boolean; left: number; status: number; code?: number };
  private server?: Server;
  url = '';
  /** Calls placed through the API (a queue's offers) and the queues' members (local/fake-twilio-calls.ts). */
  readonly calls = new FakeCalls(() => ({ sid: this.accountSid, authToken: this.authToken, owns: (n) => this.numberFor(n) !== undefined }));

  constructor(private readonly options: FakeTwilioOptions = {}) {
    this.accountSid = options.accountSid ?? newTwilioSid('AC');
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.latencyMs = options.latencyMs ?? 0;
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

  /** @internal A new SID of the kind, with its place in creation order (what page tokens are made of). */
  mint(prefix: string): { sid: string; seq: number } {
    const sid = newTwilioSid(prefix);
    const seq = this.nextSeq++;
    this.seqs.set(sid, seq);
    return { sid, seq };
  }

  /** @internal The next place in creation order (a resource that has no SID of its own: a service's membership). */
  sequence(): number {
    return this.nextSeq++;
  }

  /** @internal The creation order of any SID this server made, deleted resources included. */
  seqOf = (sid: string): number | undefined => this.seqs.get(sid);

  // -------------------------------------------------------------------------------------------
  // Test controls

  /** A number on the account, as if bought in the console (URLs default to Twilio's demo ones: "another system"). */
  addNumber(seed: SeedNumber): IncomingPhoneNumber {
    const { sid, seq } = this.mint('PN');
    const now = rfc2822(new Date());
    const uri = `${API}/Accounts/${this.accountSid}/IncomingPhoneNumbers/${sid}.json`;
    const number: IncomingPhoneNumber = {
      account_sid: this.accountSid,
      address_sid: null,
      address_requirements: 'none',
      api_version: '2010-04-01',
      beta: false,
      capabilities: { voice: true, sms: true, mms: true, fax: false },
      date_created: now,
      date_updated: now,
      friendly_name: seed.friendlyName ?? formatFriendly(seed.phoneNumber),
      identity_sid: null,
      phone_number: seed.phoneNumber,
      origin: 'twilio',
      sid,
      sms_application_sid: unset('sms_application_sid', seed.smsApplicationSid) as string,
      sms_fallback_method: 'POST',
      sms_fallback_url: unset('sms_fallback_url', seed.smsFallbackUrl) as string,
      sms_method: seed.smsMethod ?? 'POST',
      sms_url: seed.smsUrl ?? 'https://demo.twilio.com/welcome/sms/reply',
      status_callback: '',
      status_callback_method: 'POST',
      trunk_sid: unset('trunk_sid', seed.trunkSid),
      uri,
      voice_receive_mode: 'voice',
      voice_application_sid: unset('voice_application_sid', seed.voiceApplicationSid) as string,
      voice_caller_id_lookup: false,
      voice_fallback_method: 'POST',
      voice_fallback_url: unset('voice_fallback_url', seed.voiceFallbackUrl),
      voice_method: seed.voiceMethod ?? 'POST',
      voice_url: seed.voiceUrl ?? 'https://demo.twilio.com/welcome/voice/',
      emergency_status: 'Inactive',
      emergency_address_sid: null,
      emergency_address_status: 'unregistered',
      bundle_sid: null,
      status: 'in-use',
      subresource_uris: { assigned_add_ons: uri.replace(/\.json$/, '/AssignedAddOns.json') },
    };
    this.numbers.set(sid, { sid, seq, resource: number });
    return number;
  }

  /** The account's numbers, in the order they were added. */
  listNumbers(): IncomingPhoneNumber[] {
    return [...this.numbers.values()].map((n) => n.resource);
  }

  numberFor(phoneNumber: string): IncomingPhoneNumber | undefined {
    return this.listNumbers().find((n) => n.phone_number === phoneNumber);
  }

  /** @internal The stored number by SID. */
  storedNumber(sid: string): Stored<IncomingPhoneNumber> | undefined {
    return this.numbers.get(sid);
  }

  /** Releases a number from the account (and from its Messaging Service; its trunk forgets it with it). */
  removeNumber(phoneNumber: string): void {
    const number = this.numberFor(phoneNumber);
    if (number) this.release(number.sid);
  }

  private release(sid: string): void {
    this.numbers.delete(sid);
    for (const members of this.serviceNumbers.values()) members.delete(sid);
  }

  /**
   * A Studio flow on the account, as if built and published in the console. `servesNumber` points that
   * number's Voice and Messaging URLs at the flow, as the console's "Studio Flow" setting of a number does.
   */
  addStudioFlow(friendlyName: string, definition: unknown, options: { status?: 'published' | 'draft'; servesNumber?: string } = {}): StudioFlow {
    const { sid, seq } = this.mint('FW');
    const now = iso8601(new Date());
    const url = `${STUDIO}/v2/Flows/${sid}`;
    const flow: StudioFlow = {
      sid, account_sid: this.accountSid, friendly_name: friendlyName, definition, status: options.status ?? 'published', revision: 1,
      commit_message: null, valid: true, errors: [], warnings: [], date_created: now, date_updated: now,
      webhook_url: this.studioWebhookUrl(sid), url,
      links: { test_users: `${url}/TestUsers`, revisions: `${url}/Revisions`, executions: `${url}/Executions` },
    };
    this.studioFlows.set(sid, { sid, seq, resource: flow });
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

  /**
   * The next `count` requests that `test` picks are answered with `status` and Twilio's `code` (an outage
   * in the middle of a long job: every number update after the 4,000th; or one number Twilio refuses to
   * change, 400). Returns a function that ends it early.
   */
  failRequests(test: (request: RecordedRequest) => boolean, count: number, status: 400 | 404 | 429 | 500 | 503 = 503, code?: number): () => void {
    const rule = { test, left: count, status, code };
    this.failWhen = rule;
    return () => {
      if (this.failWhen === rule) this.failWhen = undefined;
    };
  }

  // -------------------------------------------------------------------------------------------
  // HTTP

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const form: Form = {};
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) (form[k] ??= []).push(v);
    const auth = basicAuth(req.headers.authorization);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form,
      contentType: req.headers['content-type'],
      auth,
    };
    this.requests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      record.answer = body;
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const forced = this.statusQueue.shift() ?? this.forcedFailure(record);
    if (forced) {
      const [status, code] = typeof forced === 'number' ? [forced, undefined] : forced;
      const error =
        status === 429 ? new TwilioError(429, 20429, 'Too Many Requests')
        : status === 404 ? notFound(record.path)
        : status === 400 ? new TwilioError(400, code ?? 20001, `Twilio refused the request (error ${code ?? 20001})`)
        : new TwilioError(status, 20500, 'Service Unavailable');
      return answer(error.status, error.body());
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
      const { status, body, media } = this.route(record.method, url, form, auth);
      if (media) {
        // Audio, not JSON: recorded as an answer without a body (the spec check knows the media suffixes).
        record.status = status;
        res.writeHead(status, { 'content-type': media.contentType, 'content-length': String(media.data.length) }).end(media.data);
      } else answer(status, body);
    } catch (err) {
      const error = err instanceof TwilioError ? err : new TwilioError(500, 20500, `Internal Server Error: ${(err as Error).message}`);
      answer(error.status, error.body());
    }
  }

  private forcedFailure(record: RecordedRequest): [number, number | undefined] | undefined {
    const rule = this.failWhen;
    if (!rule || !rule.test(record)) return undefined;
    if (--rule.left <= 0) this.failWhen = undefined;
    return [rule.status, rule.code];
  }

  private route(method: string, url: URL, form: Form, auth: string | undefined): { status: number; body?: unknown; media?: { contentType: string; data: Buffer } } {
    if (!this.authorized(auth)) throw new TwilioError(401, 20003, 'Authenticate');
    const path = url.pathname;
    if (path.startsWith('/v1/')) return routeV1(this, method, url, form);
    if (path === '/v2/Flows' || path.startsWith('/v2/Flows/')) return routeStudio(this, method, url);
    const account = `${API}/Accounts/${this.accountSid}`;
    if (!path.startsWith(`${account}/`)) {
      // Another account's resources: Twilio answers 404 to credentials of this one... or 401 for a bad SID.
      throw notFound(path);
    }
    const rest = path.slice(account.length);
    if (rest === '/IncomingPhoneNumbers.json') {
      if (method === 'GET') return { status: 200, body: this.listPage(url) };
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    const one = /^\/IncomingPhoneNumbers\/([^/]+)\.json$/.exec(rest);
    if (rest === '/Calls.json' && method === 'POST') return { status: 201, body: this.callsDo(() => this.calls.create(form)) };
    const call = /^\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest);
    if (call && method === 'POST') return { status: 200, body: this.callsDo(() => this.calls.update(call[1], form)) };
    if (one) {
      // A malformed SID names no resource: Twilio's 404, like an unknown one.
      const stored = isSid('PN', one[1]) ? this.numbers.get(one[1]) : undefined;
      if (!stored) throw notFound(path);
      if (method === 'GET') return { status: 200, body: stored.resource };
      if (method === 'POST') return { status: 200, body: this.update(stored.resource, form) };
      if (method === 'DELETE') {
        this.release(stored.sid);
        return { status: 204, body: undefined };
      }
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    if (rest === '/Messages.json') {
      if (method === 'POST') return { status: 201, body: messageJson(this.send(form)) };
      if (method === 'GET') return { status: 200, body: this.messagePage(url) };
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    // A recording's media (every recording the simulated calls left: Twilio keeps them all) and its delete.
    const recording = /^\/Recordings\/([^/]+)\.(wav|mp3|json)$/.exec(rest);
    if (recording) {
      const [, sid, ext] = recording;
      if (!isSid('RE', sid) || this.deletedRecordings.has(sid)) throw notFound(path);
      if (method === 'GET' && ext === 'wav') return { status: 200, media: { contentType: 'audio/x-wav', data: TONE_WAV } };
      // This server records WAV only: its MP3 would be another file to make.
      if (method === 'GET' && ext === 'mp3') throw notFound(path);
      if (method === 'DELETE' && ext === 'json') {
        this.deletedRecordings.add(sid);
        return { status: 204, body: undefined };
      }
      throw new TwilioError(405, 20004, 'Method not allowed');
    }
    // A message's delete: gone from the list, 404 afterwards.
    const message = /^\/Messages\/([^/]+)\.json$/.exec(rest);
    if (message && method === 'DELETE') {
      const sid = message[1];
      if (!(isSid('SM', sid) || isSid('MM', sid)) || this.deletedMessages.has(sid)) throw notFound(path);
      this.deletedMessages.add(sid);
      const sent = this.messages.findIndex((m) => m.sid === sid);
      if (sent >= 0) this.messages.splice(sent, 1);
      return { status: 204, body: undefined };
    }
    throw notFound(path);
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

  private authorized(auth: string | undefined): boolean {
    const expected = Buffer.from(`${this.accountSid}:${this.authToken}`);
    const given = Buffer.from(auth ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Form fields of the update, by Twilio's names; unknown fields are ignored, as Twilio does. All checked before anything changes. */
  private update(number: IncomingPhoneNumber, form: Form): IncomingPhoneNumber {
    const patch: Partial<Record<keyof IncomingPhoneNumber, unknown>> = {};
    const urls = { VoiceUrl: 'voice_url', VoiceFallbackUrl: 'voice_fallback_url', SmsUrl: 'sms_url', SmsFallbackUrl: 'sms_fallback_url', StatusCallback: 'status_callback' } as const;
    for (const [name, key] of Object.entries(urls)) {
      const value = urlField(form, name);
      if (value !== undefined) patch[key] = unset(key, value);
    }
    const methods = { VoiceMethod: 'voice_method', VoiceFallbackMethod: 'voice_fallback_method', SmsMethod: 'sms_method', SmsFallbackMethod: 'sms_fallback_method', StatusCallbackMethod: 'status_callback_method' } as const;
    for (const [name, key] of Object.entries(methods)) {
      const value = methodField(form, name);
      if (value !== undefined) patch[key] = value;
    }
    const voiceApp = sidField(form, 'VoiceApplicationSid', 'AP');
    const smsApp = sidField(form, 'SmsApplicationSid', 'AP');
    const trunk = sidField(form, 'TrunkSid', 'TK');
    if (voiceApp && trunk) throw new TwilioError(400, 20001, 'VoiceApplicationSid and TrunkSid cannot both be set: a number’s calls go to one of them');
    if (trunk && !this.trunks.has(trunk)) throw new TwilioError(400, 20001, `Invalid parameter TrunkSid: trunk ${trunk} not found`);
    if (voiceApp !== undefined) patch.voice_application_sid = unset('voice_application_sid', voiceApp);
    if (smsApp !== undefined) patch.sms_application_sid = unset('sms_application_sid', smsApp);
    if (trunk !== undefined) patch.trunk_sid = unset('trunk_sid', trunk);
    // Twilio: setting one of a voice application and a trunk deletes the other.
    if (voiceApp) patch.trunk_sid = null;
    if (trunk) patch.voice_application_sid = '';
    const lookup = booleanField(form, 'VoiceCallerIdLookup');
    if (lookup !== undefined) patch.voice_caller_id_lookup = lookup;
    const friendly = friendlyNameField(form);
    if (friendly !== undefined) patch.friendly_name = friendly || formatFriendly(number.phone_number);
    Object.assign(number, patch, { date_updated: rfc2822(new Date()) });
    return number;
  }

  private listPage(url: URL) {
    const phone = url.searchParams.get('PhoneNumber');
    const friendly = url.searchParams.get('FriendlyName');
    // A partial number matches anywhere; `*` stands for any digit (Twilio's rule for this filter).
    const pattern = phone ? new RegExp(phone.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '\\d')) : undefined;
    const all = [...this.numbers.values()].filter((n) => (!pattern || pattern.test(n.resource.phone_number)) && (friendly === null || n.resource.friendly_name === friendly));
    return page2010(url, all, 'incoming_phone_numbers', this.seqOf, (n) => n.resource);
  }

  private messagePage(url: URL) {
    const to = url.searchParams.get('To');
    const from = url.searchParams.get('From');
    const all = this.messages.map((m) => ({ sid: m.sid, seq: this.seqs.get(m.sid)!, resource: m })).filter((m) => (!to || m.resource.to === to) && (!from || m.resource.from === from));
    // Newest first, as Twilio lists messages.
    return page2010(url, all.map((m) => ({ ...m, seq: -m.seq })), 'messages', (sid) => (this.seqs.has(sid) ? -this.seqs.get(sid)! : undefined), (m) => messageJson(m.resource));
  }

  private send(form: Form): SentMessage {
    const to = field(form, 'To');
    const from = field(form, 'From');
    const serviceSid = sidField(form, 'MessagingServiceSid', 'MG');
    const body = field(form, 'Body') ?? '';
    const media = form.MediaUrl ?? [];
    if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
    if (!from && !serviceSid) throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    if (!E164.test(to)) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!body && media.length === 0) throw new TwilioError(400, 21602, 'Message body is required.');
    if ([...body].length > MAX_BODY) throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (media.length > MAX_MEDIA) throw new TwilioError(400, 21623, `Number of media files exceeds allowed limit: at most ${MAX_MEDIA}, got ${media.length}.`);
    const badMedia = media.find((m) => !/^https?:\/\/\S+$/.test(m) || !URL.canParse(m));
    if (badMedia !== undefined) throw new TwilioError(400, 21620, `Invalid media URL: ${badMedia}`);
    const statusCallback = urlField(form, 'StatusCallback');
    let sender = from;
    if (serviceSid) {
      const members = this.serviceNumbers.get(serviceSid);
      if (!members) throw new TwilioError(400, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
      if (from && !this.serviceHas(serviceSid, from)) throw new TwilioError(400, 21606, `The From phone number ${from} is not in the Messaging Service ${serviceSid}.`);
      // Twilio picks a sender from the pool (sticky sender, geomatch...): here the first number added.
      sender ??= [...members.keys()].map((sid) => this.numbers.get(sid)?.resource.phone_number).find(Boolean);
      if (!sender) throw new TwilioError(400, 21704, `The Messaging Service ${serviceSid} contains no phone numbers.`);
    } else if (!this.numberFor(sender!)) {
      throw new TwilioError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    const code = this.failures.get(to) ?? (this.isOptedOut(sender!, to) ? 21610 : undefined);
    if (code) throw new TwilioError(400, code, SEND_ERRORS[code]);
    const { sid } = this.mint(media.length ? 'MM' : 'SM');
    const now = rfc2822(new Date());
    const uri = `${API}/Accounts/${this.accountSid}/Messages/${sid}.json`;
    const message: SentMessage = {
      sid,
      account_sid: this.accountSid,
      from: sender!,
      to,
      body,
      num_media: String(media.length),
      num_segments: String(Math.max(1, Math.ceil([...body].length / 153))),
      // With a Messaging Service Twilio accepts the message first and picks the sender after.
      status: serviceSid && !from ? 'accepted' : 'queued',
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      date_sent: null,
      price: null,
      price_unit: 'USD',
      messaging_service_sid: serviceSid || null,
      uri,
      subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
      media_urls: media,
      ...(statusCallback && { status_callback: statusCallback }),
    };
    this.messages.push(message);
    this.options.onMessage?.(message);
    const delivery = this.deliver(message, statusCallback || undefined);
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
    return message;
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
      ...(message.messaging_service_sid && { MessagingServiceSid: message.messaging_service_sid }),
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

  private serviceHas(serviceSid: string, phoneNumber: string): boolean {
    const number = this.numberFor(phoneNumber);
    return !!number && !!this.serviceNumbers.get(serviceSid)?.has(number.sid);
  }
}

/** A message as Twilio answers it: without the fake's own bookkeeping; a service's sender is not chosen yet at creation. */
function messageJson(message: SentMessage): Omit<SentMessage, 'media_urls' | 'status_callback'> {
  const { media_urls: _media, status_callback: _callback, ...json } = message;
  return json.status === 'accepted' ? { ...json, from: null as unknown as string } : json;
}

function basicAuth(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  return match ? Buffer.from(match[1], 'base64').toString('utf8') : undefined;
}

/** What the console shows for a US number: "(555) 010-0001". */
export function formatFriendly(number: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : number;
}

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  return new FakeTwilio(options).start();
}

export { TwilioError };

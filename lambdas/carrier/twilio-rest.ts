// The carrier link's REST client: the three Twilio resources Switchboard uses (IncomingPhoneNumbers
// list/update, Messages create), over fetch. Not the twilio library's client: its narrowest REST import
// (base client + RequestClient with axios, qs, https-proxy-agent, jsonwebtoken) bundles to 385 KB and the
// Api domain to 937 KB (docs/decisions.md), more than the whole voice webhook. Its requests are checked
// against the library's own, request by request, in test/integration/carrier-rest-shape.test.ts.
import { CarrierError } from '../errors';
import type { TwilioCredentials } from '../twilio/auth-token';
import { DEFAULT_TWILIO_API_URL } from './carrier-env';

/** An IncomingPhoneNumber, with the fields the carrier link reads, in Twilio's JSON names. */
export interface TwilioNumberResource {
  sid: string;
  phone_number: string;
  friendly_name: string;
  voice_url: string | null;
  voice_method: string | null;
  voice_fallback_url: string | null;
  voice_fallback_method: string | null;
  voice_application_sid: string | null;
  sms_url: string | null;
  sms_method: string | null;
  sms_fallback_url: string | null;
  sms_fallback_method: string | null;
  sms_application_sid: string | null;
  trunk_sid?: string | null;
  /** RFC 2822, e.g. "Tue, 01 Dec 2026 09:00:00 +0000": when the number was last changed. */
  date_updated?: string;
}

/** The form fields of an IncomingPhoneNumber update, by Twilio's names. */
export interface NumberUpdate {
  VoiceUrl?: string;
  VoiceMethod?: 'GET' | 'POST';
  VoiceFallbackUrl?: string;
  VoiceFallbackMethod?: 'GET' | 'POST';
  /** "" detaches a TwiML app, which would otherwise take the number's calls instead of VoiceUrl. */
  VoiceApplicationSid?: string;
  SmsUrl?: string;
  SmsMethod?: 'GET' | 'POST';
  SmsFallbackUrl?: string;
  SmsFallbackMethod?: 'GET' | 'POST';
  SmsApplicationSid?: string;
}

export interface NewMessage {
  to: string;
  from: string;
  body: string;
  mediaUrl?: string[];
}

/**
 * A failure the API answered (Twilio's error JSON: `carrierCode` is Twilio's error number), or one of the
 * network (status 0, no number). A CarrierError, so the admin API answers it as 502 carrier_error.
 */
export class TwilioApiError extends CarrierError {}

/**
 * How long one call may take and when it is tried again. A webhook's send has a budget of about a
 * second in all and is retried only when Twilio certainly did not take it (429, or no connection), so a
 * text is never sent twice; the admin API's idempotent reads and updates may wait longer and retry more.
 */
export interface RetryPolicy {
  /** The whole call, retries included. */
  budgetMs: number;
  attempts: number;
  /** Whether a timed-out attempt is tried again (only for idempotent requests). */
  retryTimeouts: boolean;
}

/** Less than the webhook's wait (SEND_WAIT_MS): a send is given up, logged and counted before the answer goes. */
export const SEND_POLICY: RetryPolicy = { budgetMs: 900, attempts: 2, retryTimeouts: false };
export const ADMIN_POLICY: RetryPolicy = { budgetMs: 8_000, attempts: 3, retryTimeouts: true };

export interface TwilioRestOptions {
  /** TWILIO_API_URL: any Twilio-compatible server. */
  baseUrl?: string;
  /** PageSize of list requests (Twilio's maximum is 1,000). */
  pageSize?: number;
  fetch?: typeof fetch;
  /** For reads and updates; sends always use SEND_POLICY. */
  policy?: RetryPolicy;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Network errors that mean the request never reached the server, so even a send may be tried again. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Pages of an account's numbers followed at most: 1,000 per page, 100,000 numbers. */
const MAX_PAGES = 100;

export class TwilioRestClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly pageSize: number;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly credentials: TwilioCredentials,
    options: TwilioRestOptions = {},
  ) {
    this.base = (options.baseUrl || DEFAULT_TWILIO_API_URL).replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
    this.pageSize = options.pageSize ?? 1000;
    this.policy = options.policy ?? ADMIN_POLICY;
  }

  private get account(): string {
    return `/2010-04-01/Accounts/${encodeURIComponent(this.credentials.accountSid)}`;
  }

  /** Every number of the account, following next_page_uri to the last page. */
  async listIncomingPhoneNumbers(): Promise<TwilioNumberResource[]> {
    const numbers: TwilioNumberResource[] = [];
    let path: string | null = `${this.account}/IncomingPhoneNumbers.json?PageSize=${this.pageSize}`;
    for (let pages = 0; path; pages++) {
      if (pages >= MAX_PAGES) throw new TwilioApiError(`more than ${MAX_PAGES} pages of numbers`, 0);
      const page = (await this.request('GET', path, undefined, this.policy)) as { incoming_phone_numbers?: TwilioNumberResource[]; next_page_uri?: string | null };
      numbers.push(...(page.incoming_phone_numbers ?? []));
      path = page.next_page_uri ?? null;
    }
    return numbers;
  }

  async updateIncomingPhoneNumber(sid: string, update: NumberUpdate): Promise<TwilioNumberResource> {
    const form = new URLSearchParams(Object.entries(update).filter((e): e is [string, string] => e[1] !== undefined));
    return (await this.request('POST', `${this.account}/IncomingPhoneNumbers/${encodeURIComponent(sid)}.json`, form, this.policy)) as TwilioNumberResource;
  }

  async createMessage(message: NewMessage): Promise<{ sid: string; status: string }> {
    const form = new URLSearchParams({ To: message.to, From: message.from, Body: message.body });
    for (const url of message.mediaUrl ?? []) form.append('MediaUrl', url);
    const out = (await this.request('POST', `${this.account}/Messages.json`, form, SEND_POLICY)) as { sid: string; status: string };
    return { sid: out.sid, status: out.status };
  }

  /**
   * A recording's audio, fetched with the account's credentials (Twilio may require HTTP auth on media):
   * WAV, as recorded, or MP3, about a tenth of the size (what fits a Lambda's 6 MB answer past ~4 minutes).
   */
  async fetchRecording(sid: string, format: 'wav' | 'mp3'): Promise<{ contentType: string; data: Buffer }> {
    return this.exchange('GET', `${this.account}/Recordings/${encodeURIComponent(sid)}.${format}`, undefined, this.policy, format === 'wav' ? 'audio/*' : 'audio/mpeg', async (res) => ({
      contentType: res.headers.get('content-type') ?? (format === 'wav' ? 'audio/x-wav' : 'audio/mpeg'),
      data: Buffer.from(await res.arrayBuffer()),
    }));
  }

  /** Deletes a recording at Twilio; one already gone (404) is not an error. */
  async deleteRecording(sid: string): Promise<void> {
    await this.deleteGone(`${this.account}/Recordings/${encodeURIComponent(sid)}.json`);
  }

  /** Deletes a message (its body and media) at Twilio; one already gone (404) is not an error. */
  async deleteMessage(sid: string): Promise<void> {
    await this.deleteGone(`${this.account}/Messages/${encodeURIComponent(sid)}.json`);
  }

  private async deleteGone(path: string): Promise<void> {
    try {
      await this.exchange('DELETE', path, undefined, this.policy, 'application/json', async () => undefined);
    } catch (err) {
      if (!(err instanceof TwilioApiError && err.status === 404)) throw err;
    }
  }

  private request(method: 'GET' | 'POST', path: string, form: URLSearchParams | undefined, policy: RetryPolicy): Promise<unknown> {
    return this.exchange(method, path, form, policy, 'application/json', async (res) => {
      const text = await res.text();
      return text ? JSON.parse(text) : {};
    });
  }

  private async exchange<T>(method: 'GET' | 'POST' | 'DELETE', path: string, form: URLSearchParams | undefined, policy: RetryPolicy, accept: string, read: (res: Response) => Promise<T>): Promise<T> {
    const deadline = Date.now() + policy.budgetMs;
    const headers: Record<string, string> = {
      authorization: `Basic ${Buffer.from(`${this.credentials.accountSid}:${this.credentials.authToken}`).toString('base64')}`,
      accept,
      'accept-charset': 'utf-8',
      'user-agent': 'switchboard-carrier-link',
      ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
    };
    for (let attempt = 1; ; attempt++) {
      const left = deadline - Date.now();
      let error: TwilioApiError;
      let retryable: boolean;
      try {
        const res = await this.fetch(`${this.base}${path}`, { method, headers, body: form?.toString(), signal: AbortSignal.timeout(Math.max(left, 1)) });
        if (res.ok) return await read(res);
        error = apiError(res.status, await res.text());
        retryable = RETRY_STATUSES.has(res.status) && (method !== 'POST' || policy.retryTimeouts || res.status === 429);
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
        // A refused or unresolvable connection never reached Twilio; a timeout or a reset may have.
        const neverSent = !timedOut && NEVER_CONNECTED.has(causeOf(err));
        error = new TwilioApiError(
          timedOut ? `no answer from the Twilio API within ${policy.budgetMs} ms` : `cannot reach the Twilio API: ${causeOf(err)}`,
          0, undefined, undefined, method !== 'GET' && !neverSent,
        );
        retryable = neverSent || policy.retryTimeouts;
      }
      const backoff = 100 * attempt;
      if (!retryable || attempt >= policy.attempts || deadline - Date.now() < backoff + 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }
}

function apiError(status: number, text: string): TwilioApiError {
  try {
    const body = JSON.parse(text) as { code?: number; message?: string; more_info?: string };
    return new TwilioApiError(`Twilio ${status}${body.code ? ` (error ${body.code})` : ''}: ${body.message ?? 'no message'}`, status, body.code, body.more_info);
  } catch {
    return new TwilioApiError(`Twilio ${status}: ${text.slice(0, 200)}`, status);
  }
}

function causeOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

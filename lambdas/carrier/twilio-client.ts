// The carrier link's REST client: the twilio library's own (`twilio(accountSid, authToken, opts)`), with
// `autoRetry` on 429, behind the CarrierApi port (carrier-link.ts). It is megabytes (DESIGN.md section 10),
// so only functions off the webhook path load it: the admin API, the report, the outbound text sender.
// TWILIO_API_URL points every domain of the library at another Twilio-compatible server (ours in the
// tests and `npm start -- --fake-twilio`) through the library's own extension point, a custom httpClient:
// the library builds each request's URL on https://<domain>.twilio.com and hands it to the httpClient,
// which here swaps that origin for TWILIO_API_URL before the library's RequestClient sends it.
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import RestException from 'twilio/lib/base/RestException';
import TwilioServiceException from 'twilio/lib/base/TwilioServiceException';
import type { IncomingPhoneNumberInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber';
import type { FlowInstance } from 'twilio/lib/rest/studio/v2/flow';
import { CarrierError } from '../errors';
import type { TwilioCredentials } from '../twilio/auth-token';
import { DEFAULT_TWILIO_API_URL } from './carrier-env';
import type { ServiceInstance } from 'twilio/lib/rest/messaging/v1/service';
import type { CarrierApi, MessagingServiceResource, NewCall, NewMessage, NumberPage, NumberUpdate, ServiceUpdate, StudioFlowResource, TwilioNumberResource } from './carrier-link';

/**
 * A failure the API answered (Twilio's error JSON: `carrierCode` is Twilio's error number), or one of the
 * network (status 0, no number). A CarrierError, so the admin API answers it as 502 carrier_error.
 */
export class TwilioApiError extends CarrierError {}

export interface TwilioClientOptions {
  /** TWILIO_API_URL: any Twilio-compatible server; https://api.twilio.com when unset. */
  apiUrl?: string;
  /** One request's limit (the library's `timeout`), 429 retries included in none of it. @default 8000 */
  timeoutMs?: number;
  /** Retries of a request answered 429 (the library's `maxRetries`, exponential backoff with jitter). @default 3 */
  maxRetries?: number;
  /** PageSize of list requests (Twilio's maximum is 1,000). @default 1000 */
  pageSize?: number;
}

/** Where Twilio's hosts (api., messaging., trunking.twilio.com...) are, for the library's requests. */
const TWILIO_HOST = /(^|\.)twilio\.com$/;

/**
 * The library's RequestClient, sending to `apiUrl` instead of Twilio's hosts: every domain the library
 * knows keeps its paths (/2010-04-01/..., /v1/...), only the scheme, host and port (and a path prefix
 * of apiUrl, if any) change. Retries, timeouts, auth and form encoding stay the library's.
 */
export class RebasedRequestClient extends RequestClient {
  private readonly base: URL;

  constructor(apiUrl: string, opts: ConstructorParameters<typeof RequestClient>[0]) {
    super(opts);
    this.base = new URL(apiUrl);
  }

  request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: this.rebase(opts.uri) });
  }

  /**
   * A media file (a recording's .wav or .mp3) through the library's own transport (its agent, timeout and
   * 429 retries): the library's `request` reads every answer as text (JSON), which would mangle audio, and
   * no resource of it fetches media (Twilio's helper libraries do not), so only the answer's type differs.
   * Twilio may redirect media to storage: redirects are followed.
   */
  async media(uri: string, username: string, password: string, timeoutMs: number): Promise<{ status: number; contentType: string; data: Buffer; text: string }> {
    const res = await this.axios.request<ArrayBuffer>({
      url: this.rebase(uri),
      method: 'get',
      auth: { username, password },
      headers: { Accept: 'audio/*', 'Accept-Charset': 'utf-8' },
      responseType: 'arraybuffer',
      timeout: timeoutMs,
      maxRedirects: 5,
      proxy: false,
      validateStatus: (status) => status >= 100 && status < 600,
    });
    const data = Buffer.from(res.data);
    return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), data, text: res.status >= 400 ? data.toString('utf8') : '' };
  }

  rebase(uri: string): string {
    const url = new URL(uri);
    if (!TWILIO_HOST.test(url.hostname)) return uri;
    const prefix = this.base.pathname.replace(/\/+$/, '');
    return `${this.base.origin}${prefix}${url.pathname}${url.search}`;
  }
}

/** The CarrierApi port through the twilio library. */
export class TwilioLibraryApi implements CarrierApi {
  readonly client: twilio.Twilio;
  private readonly pageSize: number;
  private readonly http: RebasedRequestClient;
  private readonly timeoutMs: number;

  constructor(private readonly credentials: TwilioCredentials, options: TwilioClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 8_000;
    const transport = { timeout: this.timeoutMs, autoRetry: true, maxRetries: options.maxRetries ?? 3 };
    this.http = new RebasedRequestClient(options.apiUrl || DEFAULT_TWILIO_API_URL, transport);
    this.client = twilio(credentials.accountSid, credentials.authToken, { ...transport, httpClient: this.http });
    this.pageSize = options.pageSize ?? 1000;
  }

  /** Every number of the account: the library follows next_page_uri to the last page. */
  async listIncomingPhoneNumbers(): Promise<TwilioNumberResource[]> {
    const numbers = await carrierCall(() => this.client.api.v2010.account.incomingPhoneNumbers.list({ pageSize: this.pageSize }));
    return numbers.map(numberResource);
  }

  async pageIncomingPhoneNumbers(next?: string): Promise<NumberPage> {
    const numbers = this.client.api.v2010.account.incomingPhoneNumbers;
    const page = await carrierCall(() => (next ? numbers.getPage(next) : numbers.page({ pageSize: this.pageSize })));
    return { numbers: page.instances.map(numberResource), next: page.nextPageUrl ?? null };
  }

  async listMessagingServices(): Promise<MessagingServiceResource[]> {
    const services = await carrierCall(() => this.client.messaging.v1.services.list({ pageSize: this.pageSize }));
    return Promise.all(
      services.map(async (s) => {
        const members = await carrierCall(() => this.client.messaging.v1.services(s.sid).phoneNumbers.list({ pageSize: this.pageSize }));
        return serviceResource(s, members.map((m) => m.sid));
      }),
    );
  }

  async updateMessagingService(sid: string, update: ServiceUpdate): Promise<MessagingServiceResource> {
    const options = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), v]));
    const service = await carrierCall(() => this.client.messaging.v1.services(sid).update(options));
    const members = await carrierCall(() => this.client.messaging.v1.services(sid).phoneNumbers.list({ pageSize: this.pageSize }));
    return serviceResource(service, members.map((m) => m.sid));
  }

  async updateIncomingPhoneNumber(sid: string, update: NumberUpdate): Promise<TwilioNumberResource> {
    // The library's option names are Twilio's form fields with a lower-case first letter (VoiceUrl: voiceUrl).
    const options = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), v]));
    return numberResource(await carrierCall(() => this.client.api.v2010.account.incomingPhoneNumbers(sid).update(options)));
  }

  async createMessage(message: NewMessage): Promise<{ sid: string; status: string }> {
    const sent = await carrierCall(() =>
      this.client.messages.create({
        to: message.to,
        from: message.from,
        body: message.body,
        ...(message.mediaUrl?.length && { mediaUrl: message.mediaUrl }),
        ...(message.statusCallback && { statusCallback: message.statusCallback }),
      }),
    );
    return { sid: sent.sid, status: sent.status };
  }

  /** Places a call (an offer of a queue's caller to a member): Twilio fetches `url` when it is answered. */
  async createCall(call: NewCall): Promise<{ sid: string; status: string }> {
    const placed = await carrierCall(() =>
      this.client.calls.create({
        to: call.to,
        from: call.from,
        url: call.url,
        method: 'POST',
        timeout: call.timeoutSeconds,
        statusCallback: call.statusCallback,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['answered', 'completed'],
      }),
    );
    return { sid: placed.sid, status: placed.status };
  }

  /** Hangs up a call that is still ringing (Status=canceled; Twilio ignores it once the call is answered). */
  async cancelCall(sid: string): Promise<void> {
    await carrierCall(() => this.client.calls(sid).update({ status: 'canceled' }));
  }

  /** Every Studio flow of the account (Studio v2): the library follows meta.next_page_url to the last page. */
  async listStudioFlows(): Promise<StudioFlowResource[]> {
    const flows = await carrierCall(() => this.client.studio.v2.flows.list({ pageSize: Math.min(this.pageSize, 1000) }));
    return flows.map(studioFlowResource);
  }

  async fetchStudioFlow(sid: string): Promise<StudioFlowResource & { definition: unknown }> {
    const flow = await carrierCall(() => this.client.studio.v2.flows(sid).fetch());
    return { ...studioFlowResource(flow), definition: flow.definition };
  }

  /**
   * A recording's media: the library's Recording resource URL with Twilio's documented media suffix
   * (.wav, .mp3) instead of .json, fetched with the account's credentials (HTTP auth on media may be on).
   */
  async fetchRecordingMedia(sid: string, format: 'wav' | 'mp3'): Promise<{ contentType: string; data: Buffer }> {
    // The resource's own URI (protected in the library's types): /Accounts/{AccountSid}/Recordings/{Sid}.json.
    const resource = this.client.api.v2010.account.recordings(sid) as unknown as { _uri: string };
    const uri = this.client.api.v2010.absoluteUrl(resource._uri.replace(/\.json$/, `.${format}`));
    const res = await carrierCall(() => this.http.media(uri, this.credentials.accountSid, this.credentials.authToken, this.timeoutMs));
    if (res.status >= 400) throw mediaError(res.status, res.text);
    return { contentType: res.contentType || (format === 'wav' ? 'audio/x-wav' : 'audio/mpeg'), data: res.data };
  }

  async deleteRecording(sid: string): Promise<void> {
    await goneIsDone(() => this.client.recordings(sid).remove());
  }

  async deleteMessage(sid: string): Promise<void> {
    await goneIsDone(() => this.client.messages(sid).remove());
  }
}

function studioFlowResource(f: FlowInstance): StudioFlowResource {
  return {
    sid: f.sid,
    friendly_name: f.friendlyName,
    status: f.status,
    revision: f.revision,
    ...(f.dateUpdated instanceof Date && !Number.isNaN(f.dateUpdated.getTime()) && { date_updated: f.dateUpdated.toISOString() }),
  };
}

/** The library's resource in Twilio's JSON names, the shape the use cases (and the fake server) speak. */
function numberResource(n: IncomingPhoneNumberInstance): TwilioNumberResource {
  return {
    sid: n.sid,
    phone_number: n.phoneNumber,
    friendly_name: n.friendlyName,
    voice_url: n.voiceUrl ?? null,
    voice_method: n.voiceMethod ?? null,
    voice_fallback_url: n.voiceFallbackUrl ?? null,
    voice_fallback_method: n.voiceFallbackMethod ?? null,
    voice_application_sid: n.voiceApplicationSid ?? null,
    sms_url: n.smsUrl ?? null,
    sms_method: n.smsMethod ?? null,
    sms_fallback_url: n.smsFallbackUrl ?? null,
    sms_fallback_method: n.smsFallbackMethod ?? null,
    sms_application_sid: n.smsApplicationSid ?? null,
    trunk_sid: n.trunkSid ?? null,
    ...(n.dateUpdated instanceof Date && !Number.isNaN(n.dateUpdated.getTime()) && { date_updated: n.dateUpdated.toISOString() }),
  };
}

function serviceResource(s: ServiceInstance, numberSids: string[]): MessagingServiceResource {
  return {
    sid: s.sid,
    friendly_name: s.friendlyName,
    inbound_request_url: s.inboundRequestUrl ?? null,
    inbound_method: s.inboundMethod ?? null,
    fallback_url: s.fallbackUrl ?? null,
    use_inbound_webhook_on_number: s.useInboundWebhookOnNumber === true,
    phone_number_sids: numberSids,
  };
}

/** A delete at Twilio: one already gone (404) is done. */
async function goneIsDone(remove: () => Promise<unknown>): Promise<void> {
  try {
    await carrierCall(remove);
  } catch (err) {
    if (!(err instanceof TwilioApiError && err.status === 404)) throw err;
  }
}

/** A media request's refusal, in Twilio's error JSON when it is that. */
function mediaError(status: number, text: string): TwilioApiError {
  let body: { code?: number; message?: string; more_info?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the status says it
  }
  return new TwilioApiError(`Twilio ${status}${body.code ? ` (error ${body.code})` : ''}: ${body.message || 'no message'}`, status, body.code, body.more_info);
}

/** Network errors that mean the request never reached the server: nothing was sent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Runs one library call and names its failure as the carrier link's error. */
async function carrierCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw carrierErrorOf(err);
  }
}

/**
 * Twilio's refusal (the library's RestException, or TwilioServiceException for an RFC 9457 answer: the
 * status, Twilio's error number, its link) or a transport failure: one that never connected sent nothing
 * (`maybeDelivered` false); a timeout or a reset may have.
 */
export function carrierErrorOf(err: unknown): TwilioApiError {
  if (err instanceof TwilioApiError) return err;
  if (err instanceof RestException || err instanceof TwilioServiceException) {
    const message = err instanceof TwilioServiceException ? err.detail || err.title : err.message;
    const moreInfo = err instanceof RestException ? err.moreInfo : err.type;
    return new TwilioApiError(`Twilio ${err.status}${err.code ? ` (error ${err.code})` : ''}: ${message || 'no message'}`, err.status, err.code, moreInfo);
  }
  const e = err as Error & { code?: string };
  const code = e.code ?? e.name;
  const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '');
  const neverSent = NEVER_CONNECTED.has(code);
  return new TwilioApiError(
    timedOut ? `no answer from the Twilio API in time (${e.message})` : `cannot reach the Twilio API: ${code}`,
    0, undefined, undefined, !neverSent,
  );
}

// The account's numbers at the carrier, against Switchboard's: which ones Switchboard knows
// (`registered`) and which ones send their calls and texts here (`connected`), and if not, what at the
// carrier takes them and what mends it (DESIGN.md section 13; TWILIO.md, "What overrides a number's own
// URLs"). The sync that changes them is a job: sync-job.ts.
import type { CarrierNumberView, NotConnectedReason } from '../api-types';
import type { NumberPageKey, NumberRecord, NumberStore } from '../store/number-store';
import { trimUrl, type CarrierApi, type MessagingServiceResource, type NumberUpdate, type ServiceUpdate, type TwilioNumberResource } from './carrier-link';

export type { CarrierNumberView, NotConnectedReason };

export interface WebhookUrls {
  voice: string;
  sms: string;
  fallback: string;
}

/** This deployment's webhook URLs under its public base URL. */
export function webhookUrls(publicUrl: string): WebhookUrls {
  const base = trimUrl(publicUrl) ?? '';
  return { voice: `${base}/twilio/voice`, sms: `${base}/twilio/sms`, fallback: `${base}/twilio/fallback` };
}

/** The update that points a number here: four URLs, HTTP POST, and no TwiML app taking precedence. */
export function connectUpdate(urls: WebhookUrls): Required<NumberUpdate> {
  return {
    VoiceUrl: urls.voice,
    VoiceMethod: 'POST',
    VoiceFallbackUrl: urls.fallback,
    VoiceFallbackMethod: 'POST',
    VoiceApplicationSid: '',
    SmsUrl: urls.sms,
    SmsMethod: 'POST',
    SmsFallbackUrl: urls.fallback,
    SmsFallbackMethod: 'POST',
    SmsApplicationSid: '',
  };
}

const post = (method: string | null) => (method ?? 'POST').toUpperCase() === 'POST';

/** All four of the number's own URLs are ours with POST (what a sync writes). */
export function urlsAreOurs(n: TwilioNumberResource, urls: WebhookUrls): boolean {
  return (
    n.voice_url === urls.voice && post(n.voice_method) &&
    n.voice_fallback_url === urls.fallback && post(n.voice_fallback_method) &&
    n.sms_url === urls.sms && post(n.sms_method) &&
    n.sms_fallback_url === urls.fallback && post(n.sms_fallback_method)
  );
}

/** What a sync mends on the number itself: its URLs and its TwiML apps (Twilio uses an app's URLs instead). */
export const ownSettingsAreOurs = (n: TwilioNumberResource, urls: WebhookUrls) => urlsAreOurs(n, urls) && !n.voice_application_sid && !n.sms_application_sid;

/**
 * Whether texts to the service's numbers go to its inbound URL rather than to each number's own, and that
 * URL is not ours. `use_inbound_webhook_on_number` hands them to the number's Messaging URL.
 */
export function serviceTakesTexts(service: MessagingServiceResource, urls: WebhookUrls): boolean {
  return !service.use_inbound_webhook_on_number && !(service.inbound_request_url === urls.sms && post(service.inbound_method));
}

/** The Messaging Service each number is in (a number is in one at most), by the number's SID. */
export function servicesByNumber(services: readonly MessagingServiceResource[]): Map<string, MessagingServiceResource> {
  return new Map(services.flatMap((s) => s.phone_number_sids.map((pn) => [pn, s] as const)));
}

export type Connection = { connected: true } | { connected: false; reason: NotConnectedReason; fix: string };

/**
 * Where a number's calls and texts go. What a sync cannot mend comes first: a SIP trunk takes every call
 * whatever the URLs (Twilio ignores them), a Messaging Service the texts; then a TwiML app, then the URLs.
 */
export function connectionOf(n: TwilioNumberResource, urls: WebhookUrls, service?: MessagingServiceResource): Connection {
  const reason: NotConnectedReason | undefined = n.trunk_sid
    ? 'sip_trunk'
    : service && serviceTakesTexts(service, urls)
      ? 'messaging_service'
      : n.voice_application_sid || n.sms_application_sid
        ? 'twiml_app'
        : urlsAreOurs(n, urls)
          ? undefined
          : 'urls';
  return reason ? { connected: false, reason, fix: fixOf(reason, n, service) } : { connected: true };
}

/** The call that mends it, in words an operator acts on (the API call, and the CLI beside it). */
export function fixOf(reason: NotConnectedReason, n: Pick<TwilioNumberResource, 'sid' | 'trunk_sid' | 'voice_application_sid' | 'sms_application_sid'>, service?: Pick<MessagingServiceResource, 'sid' | 'friendly_name'>): string {
  switch (reason) {
    case 'urls':
      return 'POST /api/carrier/sync (npm run carrier -- sync): points its Voice, Messaging and fallback URLs here';
    case 'twiml_app':
      return `POST /api/carrier/sync (npm run carrier -- sync): detaches its TwiML app (${n.voice_application_sid || n.sms_application_sid}) and points its URLs here`;
    case 'sip_trunk':
      return `SIP trunk ${n.trunk_sid} takes its calls, whatever its URLs: take the number off the trunk in Twilio (Elastic SIP Trunking, the trunk's Numbers; or DELETE https://trunking.twilio.com/v1/Trunks/${n.trunk_sid}/PhoneNumbers/${n.sid}), then sync. The sync never changes a trunk`;
    case 'messaging_service':
      return `Messaging Service ${service?.sid} ("${service?.friendly_name}") takes its texts: POST /api/carrier/sync {"includeServices":"inbound_url"} (npm run carrier -- sync --include-services=inbound-url) sets that service's inbound URL here, for all its numbers; {"includeServices":"number_webhooks"} (--include-services=number-webhooks) makes it use each number's own Messaging URL`;
  }
}

/** The update that makes a service hand its texts here, as the user chose (DESIGN.md section 13). */
export function serviceUpdate(choice: 'inbound_url' | 'number_webhooks', urls: WebhookUrls): ServiceUpdate {
  return choice === 'inbound_url'
    ? { InboundRequestUrl: urls.sms, InboundMethod: 'POST', FallbackUrl: urls.fallback, FallbackMethod: 'POST' }
    : { UseInboundWebhookOnNumber: true };
}

/** The account as the carrier link sees it: its numbers and its Messaging Services. */
export interface CarrierAccount {
  numbers: TwilioNumberResource[];
  services: MessagingServiceResource[];
}

/** Reads the account: every number (every page) and every Messaging Service with its numbers, at once. */
export async function readCarrierAccount(api: Pick<CarrierApi, 'listIncomingPhoneNumbers' | 'listMessagingServices'>): Promise<CarrierAccount> {
  const [numbers, services] = await Promise.all([api.listIncomingPhoneNumbers(), api.listMessagingServices()]);
  return { numbers, services };
}

/** Each number of the account with its connection: what the report and `GET /api/carrier/numbers` show. */
export function connections(account: CarrierAccount, urls: WebhookUrls): Array<{ number: TwilioNumberResource; connection: Connection }> {
  const byNumber = servicesByNumber(account.services);
  return account.numbers.map((number) => ({ number, connection: connectionOf(number, urls, byNumber.get(number.sid)) }));
}

export interface CarrierNumbersDeps {
  numbers: Pick<NumberStore, 'page'>;
  carrier: Pick<CarrierApi, 'listIncomingPhoneNumbers' | 'listMessagingServices'>;
}

/** Switchboard's names are at most 200 characters (the admin API's rule); a blank friendly name is the number. */
export const nameFromFriendly = (n: Pick<TwilioNumberResource, 'friendly_name' | 'phone_number'>) => n.friendly_name?.trim().slice(0, 200) || n.phone_number;

/** `GET /api/carrier/numbers`: the account's numbers read live, in the carrier's order. */
export async function listCarrierNumbers(deps: CarrierNumbersDeps, publicUrl: string): Promise<{ numbers: CarrierNumberView[] }> {
  const urls = webhookUrls(publicUrl);
  const [account, known] = await Promise.all([readCarrierAccount(deps.carrier), knownNumbers(deps)]);
  return {
    numbers: connections(account, urls).map(({ number: n, connection }) => ({
      number: n.phone_number,
      sid: n.sid,
      friendlyName: n.friendly_name,
      registered: known.has(n.phone_number),
      connected: connection.connected,
      ...(!connection.connected && { reason: connection.reason, fix: connection.fix }),
      voiceUrl: n.voice_url,
      smsUrl: n.sms_url,
    })),
  };
}

/** Every registered number, page after page (the view compares the whole account with the whole table). */
async function knownNumbers(deps: Pick<CarrierNumbersDeps, 'numbers'>): Promise<Map<string, NumberRecord>> {
  const known = new Map<string, NumberRecord>();
  let after: NumberPageKey | undefined;
  do {
    const page = await deps.numbers.page({ limit: 1000, after });
    for (const r of page.records) known.set(r.number, r);
    after = page.next;
  } while (after);
  return known;
}

// The account's numbers at the carrier, against Switchboard's: which ones Switchboard knows
// (`registered`) and which ones send their calls and texts here (`connected`), and the sync that
// registers the unknown ones and points every number here (DESIGN.md section 13).
import type { NumberPageKey, NumberRecord, NumberStore } from '../store/number-store';
import { trimUrl, type CarrierApi, type NumberUpdate, type TwilioNumberResource } from './carrier-link';

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

/**
 * Calls and texts reach Switchboard only when all four URLs are ours with POST, and no TwiML app is set
 * on the number (Twilio then uses the app's URLs and ignores the number's own).
 */
export function isConnected(n: TwilioNumberResource, urls: WebhookUrls): boolean {
  return (
    n.voice_url === urls.voice && post(n.voice_method) &&
    n.voice_fallback_url === urls.fallback && post(n.voice_fallback_method) &&
    n.sms_url === urls.sms && post(n.sms_method) &&
    n.sms_fallback_url === urls.fallback && post(n.sms_fallback_method) &&
    !n.voice_application_sid && !n.sms_application_sid
  );
}

export interface CarrierNumberView {
  number: string;
  sid: string;
  friendlyName: string;
  registered: boolean;
  connected: boolean;
  voiceUrl: string | null;
  smsUrl: string | null;
}

export interface CarrierNumbersDeps {
  numbers: Pick<NumberStore, 'page' | 'register'>;
  carrier: Pick<CarrierApi, 'listIncomingPhoneNumbers' | 'updateIncomingPhoneNumber'>;
  now(): Date;
}

/** Switchboard's names are at most 200 characters (the admin API's rule); a blank friendly name is the number. */
export const nameFromFriendly = (n: Pick<TwilioNumberResource, 'friendly_name' | 'phone_number'>) => n.friendly_name?.trim().slice(0, 200) || n.phone_number;

/** `GET /api/carrier/numbers`: the account's numbers read live, in the carrier's order. */
export async function listCarrierNumbers(deps: CarrierNumbersDeps, publicUrl: string): Promise<{ numbers: CarrierNumberView[] }> {
  const urls = webhookUrls(publicUrl);
  const [remote, known] = await Promise.all([deps.carrier.listIncomingPhoneNumbers(), knownNumbers(deps)]);
  return {
    numbers: remote.map((n) => ({
      number: n.phone_number,
      sid: n.sid,
      friendlyName: n.friendly_name,
      registered: known.has(n.phone_number),
      connected: isConnected(n, urls),
      voiceUrl: n.voice_url,
      smsUrl: n.sms_url,
    })),
  };
}

export interface SyncResult {
  /** Numbers registered now (under their friendly names, without a flow: the report lists them). */
  imported: number;
  /** Numbers whose URLs were pointed here now. */
  connected: number;
  /** Numbers already registered and connected: nothing was written for them. */
  unchanged: number;
}

/**
 * `POST /api/carrier/sync`: registers every account number Switchboard does not know and points every
 * number that does not already send here at this deployment. Idempotent: a second run changes nothing.
 * Numbers are handled one after another, so a large account does not trip Twilio's rate limit.
 */
export async function syncCarrierNumbers(deps: CarrierNumbersDeps, publicUrl: string): Promise<SyncResult> {
  const urls = webhookUrls(publicUrl);
  const [remote, known] = await Promise.all([deps.carrier.listIncomingPhoneNumbers(), knownNumbers(deps)]);
  const result: SyncResult = { imported: 0, connected: 0, unchanged: 0 };
  for (const n of remote) {
    let changed = false;
    if (!known.has(n.phone_number)) {
      const { created } = await deps.numbers.register(n.phone_number, nameFromFriendly(n), undefined, deps.now());
      if (created) result.imported++;
      changed = created;
    }
    if (!isConnected(n, urls)) {
      await deps.carrier.updateIncomingPhoneNumber(n.sid, connectUpdate(urls));
      result.connected++;
      changed = true;
    }
    if (!changed) result.unchanged++;
  }
  return result;
}

/** Every registered number, page after page (a sync compares the whole account with the whole table). */
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

// The carrier link as the handlers get it: the CarrierApi port, served by the twilio library's REST
// client (twilio-client.ts) built once per process from the credentials (Secrets Manager or the
// environment, lambdas/twilio/auth-token.ts), and the base URL the account's numbers must point at.
// Configuration is read at cold start; the secret on first use. Only functions off the webhook path
// build one (the library is megabytes): the admin API, the report, the outbound text sender.
import { CarrierNotConfiguredError } from '../errors';
import { twilioCredentials } from '../twilio/auth-token';
import { ENV } from '../config/env';
import { TwilioLibraryApi, type TwilioClientOptions } from './twilio-client';

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
  /** When the number was last changed (a date Date.parse reads). */
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
  /** Where Twilio posts the message's status changes (sent, delivered, undelivered, failed). */
  statusCallback?: string;
}

/** One page of the account's numbers, and where the next one is (null after the last): what a sync job resumes from. */
export interface NumberPage {
  numbers: TwilioNumberResource[];
  /** The next page's URL as Twilio gives it (its PageToken pins where it starts); null on the last page. */
  next: string | null;
}

/**
 * A Messaging v1 Service, with the SIDs of its phone numbers, in Twilio's JSON names: where texts to its
 * numbers go (its `inbound_request_url`) unless it sets `use_inbound_webhook_on_number`.
 */
export interface MessagingServiceResource {
  sid: string;
  friendly_name: string;
  inbound_request_url: string | null;
  inbound_method: string | null;
  fallback_url: string | null;
  use_inbound_webhook_on_number: boolean;
  /** The IncomingPhoneNumber SIDs (PN…) in the service. */
  phone_number_sids: string[];
}

/** The form fields of a Messaging Service update, by Twilio's names. */
export interface ServiceUpdate {
  InboundRequestUrl?: string;
  InboundMethod?: 'GET' | 'POST';
  FallbackUrl?: string;
  FallbackMethod?: 'GET' | 'POST';
  UseInboundWebhookOnNumber?: boolean;
}

/** A call Switchboard places (a queue's offer to a member). */
export interface NewCall {
  /** A phone number, or `client:<identity>`. */
  to: string;
  /** One of the account's numbers. */
  from: string;
  /** Fetched (POST, signed) when the call is answered: its TwiML runs on the call. */
  url: string;
  /** Where Twilio posts the call's `answered` and `completed` events. */
  statusCallback: string;
  /** How long it rings before it is `no-answer`. */
  timeoutSeconds: number;
}

/** A Studio v2 Flow, with the fields the import reads, in Twilio's JSON names. */
export interface StudioFlowResource {
  sid: string;
  friendly_name: string;
  /** `published` or `draft`. */
  status: string;
  revision: number;
  date_updated?: string;
}

/** What the use cases need of the REST API (the project's Twilio-compatible server and tests can stand behind it). */
export interface CarrierApi {
  listIncomingPhoneNumbers(): Promise<TwilioNumberResource[]>;
  /** The first page of the account's numbers, or the page at `next` (a NumberPage's). */
  pageIncomingPhoneNumbers(next?: string): Promise<NumberPage>;
  /** Every Messaging Service of the account, with its numbers (one request per service, and the list). */
  listMessagingServices(): Promise<MessagingServiceResource[]>;
  updateMessagingService(sid: string, update: ServiceUpdate): Promise<MessagingServiceResource>;
  updateIncomingPhoneNumber(sid: string, update: NumberUpdate): Promise<TwilioNumberResource>;
  /** Twilio's answer: the message's Sid and its first status (`queued`, or `accepted` with a Messaging Service). */
  createMessage(message: NewMessage): Promise<{ sid: string; status: string }>;
  /** Places a call (Calls create). */
  createCall(call: NewCall): Promise<{ sid: string; status: string }>;
  /** Hangs up a call that still rings (Calls update, Status=canceled). */
  cancelCall(sid: string): Promise<void>;
  /** The account's Studio flows (Studio v2 Flows; a list carries no definitions). */
  listStudioFlows(): Promise<StudioFlowResource[]>;
  /** One Studio flow with its definition (the JSON Studio's "Export to JSON" shows). */
  fetchStudioFlow(sid: string): Promise<StudioFlowResource & { definition: unknown }>;
  /**
   * A recording's audio, fetched with the account's credentials (Twilio may require HTTP auth on media):
   * WAV, as recorded, or MP3 (about a tenth of the size).
   */
  fetchRecordingMedia(sid: string, format: 'wav' | 'mp3'): Promise<{ contentType: string; data: Buffer }>;
  /** Deletes a recording at Twilio; one already gone (404) is not an error. */
  deleteRecording(sid: string): Promise<void>;
  /** Deletes a message (its body and media) at Twilio; one already gone (404) is not an error. */
  deleteMessage(sid: string): Promise<void>;
}

export interface CarrierLink {
  /** The REST client; rejects with a CarrierNotConfiguredError saying what to configure when it cannot be built. */
  api(): Promise<CarrierApi>;
  /** PUBLIC_URL without a trailing slash: where every number's Voice and Messaging URLs must point. */
  publicUrl?: string;
}

export const trimUrl = (url: string | undefined) => (url ? url.replace(/\/+$/, '') : undefined) || undefined;

export function carrierLinkFromEnv(env: NodeJS.ProcessEnv = process.env, options: Omit<TwilioClientOptions, 'apiUrl'> = {}): CarrierLink {
  const apiUrl = env[ENV.apiUrl] || undefined;
  let client: Promise<CarrierApi> | undefined;
  return {
    publicUrl: trimUrl(env[ENV.publicUrl]),
    api: () => {
      client ??= twilioCredentials().then(
        (credentials) => new TwilioLibraryApi(credentials, { ...options, apiUrl }),
        (err: unknown) => {
          client = undefined;
          throw new CarrierNotConfiguredError((err as Error).message);
        },
      );
      return client;
    },
  };
}

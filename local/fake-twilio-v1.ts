// The Twilio-compatible server's resources beyond the 2010 API: Messaging v1 Services and their
// PhoneNumbers, Trunking v1 Trunks and their PhoneNumbers, Studio v2 Flows, at Twilio's paths
// (`/v1/Services`, `/v1/Trunks`, `/v2/Flows`), with Twilio's `meta` paging and ISO dates. Both decide where a number's calls or texts go, over the number's own URLs
// (TWILIO.md): a trunk takes every call (`trunk_sid` on the number), a Messaging Service takes the texts
// unless it sets `use_inbound_webhook_on_number`. A number's trunk is its `trunk_sid`, one fact in one place.
import type { FakeTwilio, IncomingPhoneNumber } from './fake-twilio';
import { booleanField, field, friendlyNameField, iso8601, isSid, methodField, notFound, rfc2822, sidField, TwilioError, urlField, type Form } from './fake-twilio-wire';
import { pageV1 } from './fake-twilio-pages';

export interface MessagingService {
  sid: string;
  account_sid: string;
  friendly_name: string;
  date_created: string;
  date_updated: string;
  inbound_request_url: string | null;
  inbound_method: string;
  fallback_url: string | null;
  fallback_method: string;
  status_callback: string | null;
  sticky_sender: boolean;
  mms_converter: boolean;
  smart_encoding: boolean;
  scan_message_content: 'inherit' | 'enable' | 'disable';
  fallback_to_long_code: boolean;
  area_code_geomatch: boolean;
  synchronous_validation: boolean;
  validity_period: number;
  url: string;
  links: Record<string, string>;
  usecase: string;
  us_app_to_person_registered: boolean;
  use_inbound_webhook_on_number: boolean;
}

export interface Trunk {
  sid: string;
  account_sid: string;
  domain_name: string | null;
  disaster_recovery_method: string;
  disaster_recovery_url: string | null;
  friendly_name: string | null;
  secure: boolean;
  recording: { mode: string; trim: string };
  transfer_mode: 'disable-all' | 'enable-all' | 'sip-only';
  transfer_caller_id: 'from-transferee' | 'from-transferor';
  cnam_lookup_enabled: boolean;
  auth_type: string;
  symmetric_rtp_enabled: boolean;
  auth_type_set: string[];
  date_created: string;
  date_updated: string;
  url: string;
  links: Record<string, string>;
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

/** Twilio's hosts for these APIs: their answers name resources and pages by absolute URL on them, as Twilio's do. */
const MESSAGING = 'https://messaging.twilio.com';
const TRUNKING = 'https://trunking.twilio.com';
export const STUDIO = 'https://studio.twilio.com';
const API_HOST = 'https://api.twilio.com';

type Answer = { status: number; body: unknown };
const ok = (body: unknown): Answer => ({ status: 200, body });
const created = (body: unknown): Answer => ({ status: 201, body });
const deleted: Answer = { status: 204, body: undefined };
const methodNotAllowed = () => new TwilioError(405, 20004, 'Method not allowed');
const isoOf = (rfc: string) => iso8601(new Date(rfc));

export function routeV1(fake: FakeTwilio, method: string, url: URL, form: Form): Answer {
  const parts = url.pathname.split('/').slice(2); // ['Services', 'MG…', 'PhoneNumbers', 'PN…']
  if (parts[0] === 'Services') return services(fake, method, url, form, parts.slice(1));
  if (parts[0] === 'Trunks') return trunks(fake, method, url, form, parts.slice(1));
  throw notFound(url.pathname);
}

// ---------------------------------------------------------------------------------------------
// Messaging v1 Services

function services(fake: FakeTwilio, method: string, url: URL, form: Form, [sid, sub, numberSid, ...rest]: string[]): Answer {
  if (rest.length) throw notFound(url.pathname);
  if (sid === undefined) {
    if (method === 'GET') return ok(pageV1(MESSAGING, url, [...fake.services.values()], 'services', fake.seqOf, (s) => s.resource));
    if (method === 'POST') return created(createService(fake, form));
    throw methodNotAllowed();
  }
  const stored = isSid('MG', sid) ? fake.services.get(sid) : undefined;
  if (!stored) throw notFound(url.pathname);
  const service = stored.resource;
  if (sub === undefined) {
    if (method === 'GET') return ok(service);
    if (method === 'POST') return ok(updateService(service, form));
    if (method === 'DELETE') {
      fake.services.delete(sid);
      fake.serviceNumbers.delete(sid);
      return deleted;
    }
    throw methodNotAllowed();
  }
  if (sub !== 'PhoneNumbers') throw notFound(url.pathname);
  const members = fake.serviceNumbers.get(sid)!;
  const render = (pn: string) => servicePhoneNumber(fake, service, pn);
  if (numberSid === undefined) {
    if (method === 'GET') {
      const items = [...members.entries()].filter(([pn]) => fake.storedNumber(pn)).map(([pn, m]) => ({ sid: pn, seq: m.seq }));
      return ok(pageV1(MESSAGING, url, items, 'phone_numbers', (s) => members.get(s)?.seq ?? fake.seqOf(s), (i) => render(i.sid)));
    }
    if (method === 'POST') {
      const pn = sidField(form, 'PhoneNumberSid', 'PN');
      if (!pn) throw new TwilioError(400, 21601, 'PhoneNumberSid is required');
      if (!fake.storedNumber(pn)) throw new TwilioError(404, 20404, `The requested resource PhoneNumber ${pn} was not found`);
      if (members.has(pn)) throw new TwilioError(409, 21710, 'Phone Number or Short Code is already in the Messaging Service.');
      const other = [...fake.serviceNumbers.entries()].find(([, m]) => m.has(pn));
      if (other) throw new TwilioError(409, 21712, `Phone Number or Short Code is associated with another Messaging Service (${other[0]}).`);
      // Its own place in the service's list, after the numbers added before it.
      members.set(pn, { seq: fake.sequence(), added: new Date() });
      return created(render(pn));
    }
    throw methodNotAllowed();
  }
  if (!isSid('PN', numberSid) || !members.has(numberSid) || !fake.storedNumber(numberSid)) throw notFound(url.pathname);
  if (method === 'GET') return ok(render(numberSid));
  if (method === 'DELETE') {
    members.delete(numberSid);
    return deleted;
  }
  throw methodNotAllowed();
}

function createService(fake: FakeTwilio, form: Form): MessagingService {
  const name = friendlyNameField(form);
  if (!name) throw new TwilioError(400, 20001, 'FriendlyName is required');
  const { sid, seq } = fake.mint('MG');
  const now = iso8601(new Date());
  const url = `${MESSAGING}/v1/Services/${sid}`;
  const service: MessagingService = {
    sid,
    account_sid: fake.accountSid,
    friendly_name: name,
    date_created: now,
    date_updated: now,
    inbound_request_url: null,
    inbound_method: 'POST',
    fallback_url: null,
    fallback_method: 'POST',
    status_callback: null,
    sticky_sender: true,
    mms_converter: true,
    smart_encoding: true,
    scan_message_content: 'inherit',
    fallback_to_long_code: true,
    area_code_geomatch: true,
    synchronous_validation: true,
    validity_period: 14400,
    url,
    links: Object.fromEntries(['phone_numbers', 'short_codes', 'alpha_senders', 'messages', 'channel_senders'].map((k) => [k, `${url}/${k.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}`])),
    usecase: 'undeclared',
    us_app_to_person_registered: false,
    // A new service's inbound URL wins over its numbers' own (Twilio's default, "Defer to sender's webhook" off).
    use_inbound_webhook_on_number: false,
  };
  updateService(service, form);
  fake.services.set(sid, { sid, seq, resource: service });
  fake.serviceNumbers.set(sid, new Map());
  return service;
}

function updateService(service: MessagingService, form: Form): MessagingService {
  const patch: Partial<MessagingService> = {};
  const name = friendlyNameField(form);
  if (name !== undefined) patch.friendly_name = name;
  const urls = { InboundRequestUrl: 'inbound_request_url', FallbackUrl: 'fallback_url', StatusCallback: 'status_callback' } as const;
  for (const [name, key] of Object.entries(urls)) {
    const value = urlField(form, name);
    if (value !== undefined) patch[key] = value || null;
  }
  const methods = { InboundMethod: 'inbound_method', FallbackMethod: 'fallback_method' } as const;
  for (const [name, key] of Object.entries(methods)) {
    const value = methodField(form, name);
    if (value !== undefined) patch[key] = value;
  }
  const flags = {
    StickySender: 'sticky_sender', MmsConverter: 'mms_converter', SmartEncoding: 'smart_encoding', FallbackToLongCode: 'fallback_to_long_code',
    AreaCodeGeomatch: 'area_code_geomatch', SynchronousValidation: 'synchronous_validation', UseInboundWebhookOnNumber: 'use_inbound_webhook_on_number',
  } as const;
  for (const [name, key] of Object.entries(flags)) {
    const value = booleanField(form, name);
    if (value !== undefined) patch[key] = value;
  }
  const validity = field(form, 'ValidityPeriod');
  if (validity !== undefined) {
    if (!/^\d+$/.test(validity) || Number(validity) < 1 || Number(validity) > 36000) throw new TwilioError(400, 20001, `Invalid ValidityPeriod: ${validity}`);
    patch.validity_period = Number(validity);
  }
  Object.assign(service, patch, { date_updated: iso8601(new Date()) });
  return service;
}

function servicePhoneNumber(fake: FakeTwilio, service: MessagingService, pn: string) {
  const number = fake.storedNumber(pn)!.resource;
  const added = iso8601(fake.serviceNumbers.get(service.sid)!.get(pn)!.added);
  const c = number.capabilities;
  return {
    sid: pn,
    account_sid: fake.accountSid,
    service_sid: service.sid,
    date_created: added,
    date_updated: added,
    phone_number: number.phone_number,
    country_code: number.phone_number.startsWith('+1') ? 'US' : 'GB',
    capabilities: [...(c.mms ? ['MMS'] : []), ...(c.sms ? ['SMS'] : []), ...(c.voice ? ['Voice'] : [])],
    url: `${service.url}/PhoneNumbers/${pn}`,
  };
}

/** The Messaging Service a number is in, if any (a number is in at most one). */
export function serviceOf(fake: FakeTwilio, numberSid: string): MessagingService | undefined {
  for (const [sid, members] of fake.serviceNumbers) if (members.has(numberSid)) return fake.services.get(sid)?.resource;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Trunking v1 Trunks

function trunks(fake: FakeTwilio, method: string, url: URL, form: Form, [sid, sub, numberSid, ...rest]: string[]): Answer {
  if (rest.length) throw notFound(url.pathname);
  if (sid === undefined) {
    if (method === 'GET') return ok(pageV1(TRUNKING, url, [...fake.trunks.values()], 'trunks', fake.seqOf, (t) => t.resource));
    if (method === 'POST') return created(createTrunk(fake, form));
    throw methodNotAllowed();
  }
  const stored = isSid('TK', sid) ? fake.trunks.get(sid) : undefined;
  if (!stored) throw notFound(url.pathname);
  const trunk = stored.resource;
  const onTrunk = () => fake.listNumbers().filter((n) => n.trunk_sid === sid);
  if (sub === undefined) {
    if (method === 'GET') return ok(trunk);
    if (method === 'POST') return ok(updateTrunk(trunk, form));
    if (method === 'DELETE') {
      for (const n of onTrunk()) setTrunk(n, null);
      fake.trunks.delete(sid);
      return deleted;
    }
    throw methodNotAllowed();
  }
  if (sub !== 'PhoneNumbers') throw notFound(url.pathname);
  const render = (n: IncomingPhoneNumber) => trunkPhoneNumber(fake, trunk, n);
  if (numberSid === undefined) {
    if (method === 'GET') {
      const items = onTrunk().map((n) => fake.storedNumber(n.sid)!);
      return ok(pageV1(TRUNKING, url, items, 'phone_numbers', fake.seqOf, (s) => render(s.resource)));
    }
    if (method === 'POST') {
      const pn = sidField(form, 'PhoneNumberSid', 'PN');
      if (!pn) throw new TwilioError(400, 21601, 'PhoneNumberSid is required');
      const number = fake.storedNumber(pn)?.resource;
      if (!number) throw new TwilioError(404, 20404, `The requested resource PhoneNumber ${pn} was not found`);
      setTrunk(number, sid);
      return created(render(number));
    }
    throw methodNotAllowed();
  }
  const number = isSid('PN', numberSid) ? fake.storedNumber(numberSid)?.resource : undefined;
  if (!number || number.trunk_sid !== sid) throw notFound(url.pathname);
  if (method === 'GET') return ok(render(number));
  if (method === 'DELETE') {
    setTrunk(number, null);
    return deleted;
  }
  throw methodNotAllowed();
}

/** A trunk on a number takes its calls; Twilio drops the number's voice application when it gets one. */
function setTrunk(number: IncomingPhoneNumber, trunkSid: string | null): void {
  Object.assign(number, { trunk_sid: trunkSid, ...(trunkSid && { voice_application_sid: '' }), date_updated: rfc2822(new Date()) });
}

function createTrunk(fake: FakeTwilio, form: Form): Trunk {
  const { sid, seq } = fake.mint('TK');
  const now = iso8601(new Date());
  const url = `${TRUNKING}/v1/Trunks/${sid}`;
  const trunk: Trunk = {
    sid,
    account_sid: fake.accountSid,
    domain_name: null,
    disaster_recovery_method: 'POST',
    disaster_recovery_url: null,
    friendly_name: null,
    secure: false,
    recording: { mode: 'do-not-record', trim: 'do-not-trim' },
    transfer_mode: 'disable-all',
    transfer_caller_id: 'from-transferee',
    cnam_lookup_enabled: false,
    auth_type: '',
    symmetric_rtp_enabled: false,
    auth_type_set: [],
    date_created: now,
    date_updated: now,
    url,
    links: Object.fromEntries(['origination_urls', 'credential_lists', 'ip_access_control_lists', 'phone_numbers'].map((k) => [k, `${url}/${k.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}`])),
  };
  updateTrunk(trunk, form);
  fake.trunks.set(sid, { sid, seq, resource: trunk });
  return trunk;
}

function updateTrunk(trunk: Trunk, form: Form): Trunk {
  const patch: Partial<Trunk> = {};
  const name = friendlyNameField(form);
  if (name !== undefined) patch.friendly_name = name || null;
  const domain = field(form, 'DomainName');
  if (domain !== undefined) {
    if (domain && !/^[a-z0-9-]+\.pstn\.twilio\.com$/.test(domain)) throw new TwilioError(400, 21245, `Invalid DomainName: ${domain} (it ends in .pstn.twilio.com)`);
    patch.domain_name = domain || null;
  }
  const recovery = urlField(form, 'DisasterRecoveryUrl');
  if (recovery !== undefined) patch.disaster_recovery_url = recovery || null;
  const recoveryMethod = methodField(form, 'DisasterRecoveryMethod');
  if (recoveryMethod) patch.disaster_recovery_method = recoveryMethod;
  const secure = booleanField(form, 'Secure');
  if (secure !== undefined) patch.secure = secure;
  const cnam = booleanField(form, 'CnamLookupEnabled');
  if (cnam !== undefined) patch.cnam_lookup_enabled = cnam;
  Object.assign(trunk, patch, { date_updated: iso8601(new Date()) });
  return trunk;
}

function trunkPhoneNumber(fake: FakeTwilio, trunk: Trunk, n: IncomingPhoneNumber) {
  return {
    sid: n.sid,
    account_sid: n.account_sid,
    address_requirements: n.address_requirements,
    api_version: n.api_version,
    beta: n.beta,
    capabilities: { voice: n.capabilities.voice, sms: n.capabilities.sms, mms: n.capabilities.mms },
    date_created: isoOf(n.date_created),
    date_updated: isoOf(n.date_updated),
    friendly_name: n.friendly_name,
    links: { phone_number: `${API_HOST}${n.uri}` },
    phone_number: n.phone_number,
    // The trunk's view writes an unset SMS application as null (its examples never show it empty; "" is no AP SID).
    sms_application_sid: n.sms_application_sid || null,
    sms_fallback_method: n.sms_fallback_method,
    sms_fallback_url: n.sms_fallback_url,
    sms_method: n.sms_method,
    sms_url: n.sms_url,
    status_callback: n.status_callback,
    status_callback_method: n.status_callback_method,
    trunk_sid: n.trunk_sid,
    url: `${trunk.url}/PhoneNumbers/${n.sid}`,
    voice_application_sid: n.voice_application_sid,
    voice_caller_id_lookup: n.voice_caller_id_lookup,
    voice_fallback_method: n.voice_fallback_method,
    voice_fallback_url: n.voice_fallback_url,
    voice_method: n.voice_method,
    voice_url: n.voice_url,
  };
}

// ---------------------------------------------------------------------------------------------
// Studio v2 Flows (read only: the Studio import lists them and fetches one with its definition)

export function routeStudio(fake: FakeTwilio, method: string, url: URL): Answer {
  const [, , , sid, ...rest] = url.pathname.split('/'); // ['', 'v2', 'Flows', 'FW…']
  if (rest.length) throw notFound(url.pathname);
  if (method !== 'GET') throw methodNotAllowed();
  if (sid === undefined) return ok(pageV1(STUDIO, url, [...fake.studioFlows.values()], 'flows', fake.seqOf, (f) => ({ ...f.resource, definition: null })));
  const flow = isSid('FW', sid) ? fake.studioFlows.get(sid) : undefined;
  if (!flow) throw notFound(url.pathname);
  return ok(flow.resource);
}

// The admin API's answers (DESIGN.md section 6), in one place: the server builds them typed by this
// module and the dashboard reads them with `import type` (web/src/*), so a field renamed, dropped or
// retyped on one side fails the other's compile. Types only: no runtime code, and type imports only from
// lambdas/flows modules that are pure (the browser build has no Node types: `npx tsc -p web/tsconfig.json`).
import type { DeliveryStatus } from './flows/delivery';
import type { NumberStatus } from './flows/number-status';
import type { OutboundText } from './flows/outbound';
import type { Group, User } from './flows/people';
import type { Problem } from './flows/problems';
import type { Schedule, ScheduleOverride, ScheduleRule } from './flows/schedule';
import type { Channel, FlowDocument } from './flows/schema';
import type { StudioImportEntry } from './flows/studio-import';

// What the answers are made of, from the domain that defines it (the page uses its own looser draft
// types to edit a document: web/src/types.ts).
export type { Channel, DeliveryStatus, FlowDocument, NumberStatus, OutboundText, Problem, User, Group, ScheduleOverride, ScheduleRule, StudioImportEntry };
export type { ProblemCode } from './flows/problems';

// ---------------------------------------------------------------------------------------------------
// Flows

/** A row of `GET /api/flows`: the dashboard's view of a flow. */
export interface FlowRow {
  id: string;
  name: string;
  revision: number;
  numberCount: number;
  /** Applet types in path order (lambdas/flows/summary.ts), as stored with the revision. */
  call: { configured: boolean; applets: string[] };
  sms: { configured: boolean; applets: string[] };
}

/** `GET /api/flows`. */
export interface FlowList {
  flows: FlowRow[];
}

/** `GET /api/flows/{id}` and `.../revisions/{n}`: a revision's document, with its checker problems. */
export type Flow = FlowDocument & {
  id: string;
  /** The revision read. */
  revision: number;
  /** The flow's current revision (what `If-Match` must name to publish over it). */
  currentRevision: number;
  publishedAt: string;
  /** Who published the revision read (DESIGN.md section 16); absent when nobody known did. */
  publishedBy?: string;
  numberCount: number;
  problems: Problem[];
};

/** `POST /api/flows`, `PUT /api/flows/{id}`, `POST .../revisions/{n}/restore`: problems are warnings only. */
export interface PublishResult {
  id: string;
  name: string;
  revision: number;
  problems: Problem[];
}

/**
 * `GET /api/flows/{id}/draft` (204 when there is none) and `PUT` of it: the editor's unpublished state,
 * valid or not, and the revision its edits started from.
 */
export interface FlowDraft {
  document: Record<string, unknown>;
  baseRevision: number;
  savedAt: string;
}

/**
 * `POST /api/flows/import` (DESIGN.md section 18): the imported document, what each Studio widget became
 * (or why it was not imported), and the checker's problems. With `create`, also the new flow's id and
 * revision (201); without it nothing is created (200).
 */
export interface StudioImportAnswer {
  document: FlowDocument;
  report: StudioImportEntry[];
  problems: Problem[];
  id?: string;
  revision?: number;
}

/** A number of the Twilio account that a Studio flow serves, and by which of its URLs (Voice, Messaging). */
export interface StudioNumber {
  number: string;
  sid: string;
  friendlyName: string;
  voice: boolean;
  sms: boolean;
}

/** A Studio flow of the account: `GET /api/carrier/studio-flows` (`{ flows }`). */
export interface StudioFlowSummary {
  sid: string;
  friendlyName: string;
  /** `published` or `draft`. */
  status: string;
  revision: number;
  numbers: StudioNumber[];
}

export interface StudioFlowList {
  flows: StudioFlowSummary[];
}

/** `GET /api/carrier/studio-flows/{sid}`: with its definition, what `POST /api/flows/import` takes. */
export interface StudioFlowDetail extends StudioFlowSummary {
  definition: unknown;
}

/** `POST /api/carrier/studio-flows/{sid}/take-over`: the numbers now on flow `flowId` and pointing here. */
export interface StudioTakeOver {
  flowId: string;
  numbers: Array<{ number: string; /** Switchboard did not know it before. */ registered: boolean; /** Its URLs were pointed here now. */ connected: boolean }>;
}

/** An entry of `GET /api/flows/{id}/revisions` (`{ revisions }`). */
export interface Revision {
  revision: number;
  name: string;
  publishedAt: string;
  /** Who published it: an account's email, an AWS principal's ARN, or `local` (local mode without sign-in). */
  publishedBy?: string;
}

// ---------------------------------------------------------------------------------------------------
// Shared schedules (DESIGN.md section 15)

/**
 * `GET /api/schedules/{id}` (ETag: its version), each entry of `GET /api/schedules` (`{ schedules }`), and
 * what the writes answer. `override` only while it is active: it expires by itself at `until`.
 */
export type ScheduleView = Schedule & {
  version: number;
  /** The flows whose current revision uses it (it cannot be deleted while there are any). */
  flows: Array<{ id: string; name: string }>;
  createdAt: string;
  updatedAt: string;
};

/** `PUT /api/schedules/{id}`: the saved schedule and every flow using it, checked again with the edit. */
export type ScheduleUpdate = ScheduleView & { recheck: Array<{ flow: string; name: string; problems: Problem[] }> };

// ---------------------------------------------------------------------------------------------------
// Numbers

/** A number with its flow and status: `GET /api/numbers/{number}`, each entry of the lists. */
export interface NumberRow {
  number: string;
  name: string;
  flowId: string | null;
  flowName: string | null;
  status: NumberStatus;
  /** Since when the number has had its current flow (or none). */
  since: string;
  /** Who gave it that flow (or took it away), when someone known did. */
  assignedBy?: string;
}

/** `GET /api/numbers` (one page: `nextCursor` while there may be more) and `GET /api/flows/{id}/numbers`. */
export interface NumberList {
  numbers: NumberRow[];
  nextCursor?: string;
}

// ---------------------------------------------------------------------------------------------------
// Outbound texts and their delivery (DESIGN.md section 17)

/** One text Switchboard sent (or tried to): `GET /api/carrier/messages`. */
export interface OutboundMessage {
  id: string;
  /** Twilio's MessageSid, once Twilio took it. */
  sid: string | null;
  from: string;
  to: string;
  body: string;
  /** Why it was sent: text_applet, voicemail_notify, transcript_notify, inbox_notify, reply, forward. */
  reason: string;
  /** The CallSid or MessageSid that caused it. */
  cause: string | null;
  status: DeliveryStatus;
  /** Twilio's error code when it was not delivered (30006: a landline...). */
  errorCode: number | null;
  /** What went wrong, in words. */
  errorMessage: string | null;
  queuedAt: string;
  updatedAt: string;
}

/** `GET /api/carrier/messages?status=&limit=&cursor=`: newest first, `nextCursor` while there may be more. */
export interface OutboundMessageList {
  messages: OutboundMessage[];
  nextCursor?: string;
}

// Accounts (DESIGN.md section 16)

export type { Role } from './flows/roles';
import type { Role } from './flows/roles';

/** `GET /api/me`: who is signed in, their role, and the directory user their email links them to. */
export interface Me {
  /** How the request was vouched for: a token (the browser), AWS credentials (the CLIs), or nothing (local mode without sign-in). */
  via: 'token' | 'iam' | 'open';
  role: Role | null;
  email: string | null;
  name: string;
  user: User | null;
  /** The user's groups: their mailboxes are theirs too. */
  groups: Group[];
}

/**
 * `/config.json`, beside the dashboard: how the page signs in. Written by the local server, and in AWS by
 * the deployment (lib/dashboard-hosting.ts) into the bucket.
 */
export interface DashboardConfig {
  /** null: no sign-in (local mode without --auth; the dashboard proxy, which signs with AWS credentials). */
  auth: {
    /** The OpenID issuer (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>). */
    authority: string;
    clientId: string;
    scope: string;
    /** Where signing out ends the provider's session, when its discovery document names no end_session_endpoint (Cognito's /logout). */
    signOutUrl?: string;
  } | null;
}

// ---------------------------------------------------------------------------------------------------
// The unassigned-number report (DESIGN.md section 7)

/** A reason the report lists a number: its status, or `not_connected` (its calls or texts at the carrier go elsewhere). */
export type ReportStatus = Exclude<NumberStatus, 'ok'> | 'not_connected';

/**
 * Why a number at the carrier does not reach Switchboard (DESIGN.md section 13): its own URLs point
 * elsewhere (`urls`), a TwiML app takes its calls or texts (`twiml_app`), a SIP trunk takes every call
 * (`sip_trunk`), or the Messaging Service it is in takes its texts (`messaging_service`).
 */
export type NotConnectedReason = 'urls' | 'twiml_app' | 'sip_trunk' | 'messaging_service';

export interface ReportEntry {
  number: string;
  name: string;
  status: ReportStatus;
  /** For `not_connected`: what at the carrier takes its calls or texts. */
  reason?: NotConnectedReason;
  flowId: string | null;
  since: string;
  lostCalls: number;
  lostTexts: number;
  /** The API call that fixes it. */
  fix: string;
}

/** `GET /api/report/unassigned`, and what the scheduled report publishes. */
export interface UnassignedReport {
  generatedAt: string;
  /** When the last report was published (the start of the lost-traffic window); null before the first. */
  lastReportAt: string | null;
  subject: string;
  numbers: ReportEntry[];
  totals: { withoutFlow: number; withoutCallFlow: number; withoutSmsFlow: number; notConnected: number; lostCalls: number; lostTexts: number };
  /** Whether the carrier's numbers were checked (`not_connected` needs the carrier link), and why not. */
  carrier: { checked: true } | { checked: false; reason: string };
}

// ---------------------------------------------------------------------------------------------------
// The carrier link (DESIGN.md section 13)

/** An entry of `GET /api/carrier/numbers`: a number of the account at Twilio, read live. */
export interface CarrierNumberView {
  number: string;
  sid: string;
  friendlyName: string;
  registered: boolean;
  connected: boolean;
  /** When not connected: what takes its calls or texts, and the call that mends it. */
  reason?: NotConnectedReason;
  fix?: string;
  voiceUrl: string | null;
  smsUrl: string | null;
}

/**
 * How a sync treats Messaging Services that take their numbers' texts (it changes none without one):
 * `inbound_url` sets the service's inbound URL here (for every number in it), `number_webhooks` makes the
 * service use each number's own Messaging URL (`use_inbound_webhook_on_number`).
 */
export type IncludeServices = 'inbound_url' | 'number_webhooks';

/** `POST /api/carrier/sync` (202) and `GET /api/carrier/sync/{jobId}`: a sync job and its progress. */
export interface CarrierSyncJob {
  id: string;
  /** `running` until every number was handled (`done`) or it stopped after repeated failures (`failed`: POST again resumes it). */
  status: 'running' | 'done' | 'failed';
  /** `count`: reading the account's numbers; `services`: changing Messaging Services (`includeServices`); `numbers`: one by one. */
  phase: 'count' | 'services' | 'numbers';
  includeServices?: IncludeServices;
  /** The account's numbers (null until counted). */
  total: number | null;
  /** Numbers handled so far, those that failed included. */
  done: number;
  /** Numbers Twilio refused to change (each in `failures`, the first 20). */
  failed: number;
  imported: number;
  connected: number;
  unchanged: number;
  servicesChanged: number;
  /** Numbers still not connected after the sync, by what keeps them (trunks; services without includeServices). */
  notConnected: Partial<Record<NotConnectedReason, number>>;
  failures: Array<{ number: string; error: string }>;
  /** The last failure of the job itself (Twilio or DynamoDB unreachable): retried, then `failed`. */
  error?: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

// ---------------------------------------------------------------------------------------------------
// Mailboxes

/** An MMS attachment as stored; texts stored before the content type was kept have bare URLs. */
export type MessageMedia = { url: string; contentType?: string } | string;

/** An entry of `GET /api/mailboxes/.../messages` (`{ messages }`, newest first), as the store keeps it. */
export interface Message {
  id: string;
  kind: 'voicemail' | 'sms';
  from: string;
  to: string;
  body?: string;
  media?: MessageMedia[];
  recordingUrl?: string;
  durationSeconds?: number;
  transcript?: string;
  callSid?: string;
  receivedAt: string;
  /** Marked read in the dashboard (absent: unread). */
  read?: boolean;
}

/** `POST /api/messages/{id}/reply` (202): the text queued for the sender, by the id its delivery record is kept under. */
export interface ReplySent {
  id: string;
  to: string;
  from: string;
  status: string;
}

// ---------------------------------------------------------------------------------------------------
// The simulator (`POST /api/flows/{id}/simulate`)

/** What one carrier request did in one flow: a redirect to another flow makes a step per flow. */
export interface SimulatedStep {
  flowId: string;
  revision: number;
  applets: Array<{ applet: string; type: string }>;
  /** What the carrier posted (Digits, DialCallStatus, Body), on the first step of a request. */
  input?: Record<string, string>;
  /** The whole TwiML answer, on the last step of a request ('' on the others). */
  twiml: string;
  /** Texts the request would send through the carrier's REST API (the `text` applet, an inbox's overflow), on its last step. */
  texts?: OutboundText[];
  /** What the person who answers the request's dial hears before the call is bridged (the dial's `announce`). */
  whisper?: string;
  /** A caller put in a queue: the wait URL's first answer (position, hold prompt), as TwiML. */
  queueWait?: string;
}

interface SimulationRun {
  channel: Channel;
  flowId: string;
  revision: number;
  /** The run was of the unpublished edits sent with it, not of `revision` itself. */
  draft: boolean;
  steps: SimulatedStep[];
  /** False when the inputs ran out before the call ended. */
  ended: boolean;
}

export type Simulation =
  | (SimulationRun & {
      channel: 'sms';
      /** The mailbox the text would be stored in (`user#…`, `group#…`, `unrouted`). */
      stored: string | null;
      /** Why nothing answers the text: it is a keyword the carrier answers itself (STOP, START, HELP...). */
      note?: string;
    })
  | (SimulationRun & { channel: 'call'; /** Why the run stopped where it did, when it is not the call's own end. */ note?: string });

/** One call queue as `GET /api/queues` shows it (DESIGN.md section 3, `queue`). */
export interface QueueOverview {
  name: string;
  /** Callers waiting, longest first. */
  waiting: Array<{ callSid: string; from: string; to: string; since: string; waitSeconds: number }>;
  longestWaitSeconds: number;
  /** Members being offered the head of the queue: their call rings, or they picked up and are being connected. */
  offered: Array<{ userId: string; name?: string; state: 'ringing' | 'answered'; since: string }>;
}

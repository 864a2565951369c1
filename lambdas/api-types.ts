// The admin API's answers (DESIGN.md section 6), in one place: the server builds them typed by this
// module and the dashboard reads them with `import type` (web/src/*), so a field renamed, dropped or
// retyped on one side fails the other's compile. Types only: no runtime code, and type imports only from
// lambdas/flows modules that are pure (the browser build has no Node types: `npx tsc -p web/tsconfig.json`).
import type { NumberStatus } from './flows/number-status';
import type { OutboundText } from './flows/outbound';
import type { Group, User } from './flows/people';
import type { Problem } from './flows/problems';
import type { Channel, FlowDocument } from './flows/schema';

// What the answers are made of, from the domain that defines it (the page uses its own looser draft
// types to edit a document: web/src/types.ts).
export type { Channel, FlowDocument, NumberStatus, OutboundText, Problem, User, Group };
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

/** An entry of `GET /api/flows/{id}/revisions` (`{ revisions }`). */
export interface Revision {
  revision: number;
  name: string;
  publishedAt: string;
  /** Who published it: an account's email, an AWS principal's ARN, or `local` (local mode without sign-in). */
  publishedBy?: string;
}

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
// Accounts (DESIGN.md section 16)

export type { Role } from './roles';
import type { Role } from './roles';

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

/** A reason the report lists a number: its status, or `not_connected` (its URLs at the carrier point elsewhere). */
export type ReportStatus = Exclude<NumberStatus, 'ok'> | 'not_connected';

export interface ReportEntry {
  number: string;
  name: string;
  status: ReportStatus;
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

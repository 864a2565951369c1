// The admin API's answers (DESIGN.md section 6), as the dashboard reads them; test/types/web-api.ts checks
// at compile time that what the server builds fits these.
export type NumberStatus = 'ok' | 'no_flow' | 'no_call_flow' | 'no_sms_flow';
export type Channel = 'call' | 'sms';

export interface FlowRow {
  id: string;
  name: string;
  revision: number;
  numberCount: number;
  call: { configured: boolean; applets: string[] };
  sms: { configured: boolean; applets: string[] };
}

export interface NumberRow {
  number: string;
  name: string;
  flowId: string | null;
  flowName: string | null;
  status: NumberStatus;
}

/** A reason the report lists a number: its status, or (issue 13) URLs at Twilio that point elsewhere. */
export type ReportStatus = Exclude<NumberStatus, 'ok'> | 'not_connected';

export interface ReportEntry {
  number: string;
  name: string;
  status: ReportStatus;
  flowId: string | null;
  since: string;
  lostCalls: number;
  lostTexts: number;
  fix: string;
}

export interface Report {
  generatedAt: string;
  lastReportAt: string | null;
  subject: string;
  numbers: ReportEntry[];
  totals: { withoutFlow: number; withoutCallFlow: number; withoutSmsFlow: number; lostCalls: number; lostTexts: number };
}

export interface User {
  id: string;
  name: string;
  phone?: string;
  client?: string;
  email?: string;
  available: boolean;
}

export interface Group {
  id: string;
  name: string;
  members: string[];
}

export interface Message {
  id: string;
  kind: 'voicemail' | 'sms';
  from: string;
  to: string;
  body?: string;
  /** MMS attachments as the webhook stored them (older entries may be bare URLs). */
  media?: Array<{ url: string; contentType?: string } | string>;
  recordingUrl?: string;
  durationSeconds?: number;
  transcript?: string;
  receivedAt: string;
}

export type Applet = { type: string } & Record<string, unknown>;
export interface Part {
  start: string;
  applets: Record<string, Applet>;
}
export interface FlowDocument {
  name: string;
  call?: Part;
  sms?: Part;
}

export interface Problem {
  severity: 'error' | 'warning';
  code: string;
  channel: Channel;
  applet?: string;
  branch?: string;
  message: string;
}

export interface Flow extends FlowDocument {
  id: string;
  revision: number;
  currentRevision: number;
  publishedAt: string;
  numberCount: number;
  problems: Problem[];
}

export interface Revision {
  revision: number;
  name: string;
  publishedAt: string;
}

export interface SimulatedStep {
  flowId: string;
  revision: number;
  applets: Array<{ applet: string; type: string }>;
  input?: Record<string, string>;
  twiml: string;
  /** Texts the request would send through the carrier's REST API. */
  texts?: Array<{ from: string; to: string; body: string; media?: string[] }>;
}

export interface Simulation {
  channel: Channel;
  flowId: string;
  revision: number;
  /** The run was of the unpublished edits sent with it, not of `revision` itself. */
  draft: boolean;
  steps: SimulatedStep[];
  ended: boolean;
  [key: string]: unknown;
}

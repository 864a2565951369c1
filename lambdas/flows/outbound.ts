// Texts Switchboard sends on its own (carrier REST API, DESIGN.md section 13), decided by the domain as
// data: the engines and the voicemail notices return them, and the webhooks send them, best effort.
// Pure: no I/O, no clock.
import { isAnonymousCaller } from './caller-match';
import { E164, MAX_SMS_TEXT } from './applets';
import type { Mailbox } from './engine';
import type { Directory } from './people';
import type { AppletOf } from './schema';

/** One text to send: from one of the organisation's numbers (the one that was called or texted). */
export interface OutboundText {
  from: string;
  to: string;
  body: string;
  media?: string[];
}

/**
 * Whether a caller can be texted back: a phone number, not a withheld caller or a softphone
 * (`client:ann`). Whether it is a mobile is the carrier's to know: a landline's send fails and is counted.
 */
export function canTextBack(caller: string): boolean {
  return !isAnonymousCaller(caller) && E164.test(caller.trim());
}

/**
 * The phones of a mailbox's people, once each: the user of a user mailbox, every member of a group.
 * Availability does not matter (it is about ringing): a text waits.
 */
export function mailboxPhones(mailbox: Mailbox, directory: Directory): string[] {
  const userIds = mailbox.kind === 'user' ? [mailbox.id] : (directory.groups.get(mailbox.id)?.members ?? []);
  const phones = new Set<string>();
  for (const id of userIds) {
    const phone = directory.users.get(id)?.phone;
    if (phone) phones.add(phone);
  }
  return [...phones];
}

export interface VoicemailFacts {
  /** Who left it (may be withheld). */
  caller: string;
  /** The organisation's number that was called: the notice comes from it. */
  number: string;
  durationSeconds?: number;
}

const callerName = (caller: string) => (isAnonymousCaller(caller) ? 'a withheld number' : caller.trim());

/** "0:42", "12:05". */
export function clockDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** How a voicemail's people are told of a message: a text, an email, both or neither. */
export interface NotifyChannels {
  sms: boolean;
  email: boolean;
}

export const NOTIFY_NOBODY: NotifyChannels = { sms: false, email: false };

/** A voicemail's `notify` as channels: `true` is texts only (as before emails existed), `false` nothing. */
export function notifyChannels(notify: AppletOf<'voicemail'>['notify'] | undefined): NotifyChannels {
  if (typeof notify === 'object') return { sms: notify.sms === true, email: notify.email === true };
  return { sms: notify === true, email: false };
}

/** "New voicemail from +15550109999, 0:42" to every mailbox member with a phone. */
export function voicemailNotices(mailbox: Mailbox, directory: Directory, vm: VoicemailFacts): OutboundText[] {
  const length = vm.durationSeconds !== undefined && Number.isFinite(vm.durationSeconds) ? `, ${clockDuration(vm.durationSeconds)}` : '';
  const body = `New voicemail from ${callerName(vm.caller)}${length}`;
  return mailboxPhones(mailbox, directory).map((to) => ({ from: vm.number, to, body }));
}

/** The transcript, when it arrives: "Voicemail from +15550109999: <text>", cut to what one text carries. */
export function transcriptNotices(mailbox: Mailbox, directory: Directory, vm: VoicemailFacts & { transcript: string }): OutboundText[] {
  const head = `Voicemail from ${callerName(vm.caller)}: `;
  const room = MAX_SMS_TEXT - head.length;
  const text = vm.transcript.trim();
  const body = head + ([...text].length > room ? `${[...text].slice(0, room - 1).join('')}…` : text);
  return mailboxPhones(mailbox, directory).map((to) => ({ from: vm.number, to, body }));
}

// ---------------------------------------------------------------------------------------------------
// Emails (voicemail `notify.email`): data, as texts are; the MIME is built off the webhook path.

/** One email to send, from the deployment's sender address (set where it is sent). */
export interface OutboundEmail {
  to: string;
  subject: string;
  /** Plain text; `html` says the same with a link and a quoted transcript. */
  text: string;
  html: string;
}

/** The addresses of a mailbox's people, once each (availability does not matter: an email waits). */
export function mailboxEmails(mailbox: Mailbox, directory: Directory): string[] {
  const userIds = mailbox.kind === 'user' ? [mailbox.id] : (directory.groups.get(mailbox.id)?.members ?? []);
  const addresses = new Set<string>();
  for (const id of userIds) {
    const email = directory.users.get(id)?.email;
    if (email) addresses.add(email);
  }
  return [...addresses];
}

export interface VoicemailEmailFacts extends VoicemailFacts {
  /** The name of the number called ("Main line"), when known. */
  numberName?: string;
  /** The mailbox's name ("Sales"), when known. */
  mailboxName?: string;
  receivedAt: string;
  /** Where the message is on the dashboard (its mailbox, the message picked out). */
  link?: string;
  /** Whether a transcript was asked for: the first email then says one follows. */
  transcribing?: boolean;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const calledLine = (vm: VoicemailEmailFacts) => (vm.numberName ? `${vm.number} (${vm.numberName})` : vm.number);

function emailsTo(mailbox: Mailbox, directory: Directory, subject: string, lines: Array<[string, string]>, paragraph: string | undefined, link: string | undefined): OutboundEmail[] {
  const text = [
    ...lines.map(([k, v]) => `${k}: ${v}`),
    ...(paragraph ? ['', paragraph] : []),
    ...(link ? ['', `Listen on the dashboard: ${link}`] : []),
  ].join('\n');
  const html = [
    '<table>',
    ...lines.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    ...(paragraph ? [`<blockquote>${escapeHtml(paragraph)}</blockquote>`] : []),
    ...(link ? [`<p><a href="${escapeHtml(link)}">Listen on the dashboard</a></p>`] : []),
  ].join('\n');
  return mailboxEmails(mailbox, directory).map((to) => ({ to, subject, text, html }));
}

/**
 * The email of a new voicemail, to every mailbox member with an address: who called, the number called,
 * how long, when, and the link to the recording on the dashboard. Its transcript comes in a second email
 * when it arrives (transcriptEmails).
 */
export function voicemailEmails(mailbox: Mailbox, directory: Directory, vm: VoicemailEmailFacts): OutboundEmail[] {
  const length = vm.durationSeconds !== undefined && Number.isFinite(vm.durationSeconds) ? clockDuration(vm.durationSeconds) : undefined;
  const subject = `New voicemail from ${callerName(vm.caller)}${length ? `, ${length}` : ''}${vm.numberName ? ` (${vm.numberName})` : ''}`;
  const lines: Array<[string, string]> = [
    ['From', callerName(vm.caller)],
    ['Number called', calledLine(vm)],
    ...(vm.mailboxName ? [['Mailbox', vm.mailboxName] as [string, string]] : []),
    ...(length ? [['Length', length] as [string, string]] : []),
    ['Received', vm.receivedAt],
  ];
  const note = vm.transcribing ? 'The transcript follows in another email when it is ready.' : undefined;
  return emailsTo(mailbox, directory, subject, lines, note, vm.link);
}

/** The transcript of a voicemail, when it arrives. */
export function transcriptEmails(mailbox: Mailbox, directory: Directory, vm: VoicemailEmailFacts & { transcript: string }): OutboundEmail[] {
  const subject = `Transcript: voicemail from ${callerName(vm.caller)}${vm.numberName ? ` (${vm.numberName})` : ''}`;
  const lines: Array<[string, string]> = [
    ['From', callerName(vm.caller)],
    ['Number called', calledLine(vm)],
    ...(vm.mailboxName ? [['Mailbox', vm.mailboxName] as [string, string]] : []),
  ];
  return emailsTo(mailbox, directory, subject, lines, vm.transcript.trim(), vm.link);
}

/**
 * Where a voicemail is on the dashboard: its mailbox's page with the message picked out
 * (`#/mailboxes/<user|group>/<id>/<RecordingSid>`). None without a dashboard address.
 */
export function dashboardLink(dashboardUrl: string | undefined, mailbox: Mailbox, recordingSid: string): string | undefined {
  if (!dashboardUrl) return undefined;
  return `${dashboardUrl.replace(/\/+$/, '')}/#/mailboxes/${mailbox.kind}/${encodeURIComponent(mailbox.id)}/${encodeURIComponent(recordingSid)}`;
}

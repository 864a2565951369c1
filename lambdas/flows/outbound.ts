// Texts Switchboard sends on its own (carrier REST API, DESIGN.md section 13), decided by the domain as
// data: the engines and the voicemail notices return them, and the webhooks send them, best effort.
// Pure: no I/O, no clock.
import { isAnonymousCaller } from './caller-match';
import { E164, MAX_SMS_TEXT } from './applets';
import type { Mailbox } from './engine';
import type { Directory } from './people';

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

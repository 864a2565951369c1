// The first version of a missing part, as Studio and OpenVBX offer one: ring someone and take a
// voicemail when nobody answers; for texts, an optional auto-reply and the inbox of the same people.
// Valid for the checker as they stand, editable on the flow page afterwards.
import type { Flow } from '../../lambdas/api-types';
import type { FlowDocument, Part } from './types';

export type Target = { user: string } | { group: string };

export function parseTarget(value: string): Target | undefined {
  const [kind, id] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
  if (!id) return undefined;
  return kind === 'user' ? { user: id } : kind === 'group' ? { group: id } : undefined;
}

export function callStarter(target: Target): Part {
  return {
    start: 'ring',
    applets: {
      ring: { type: 'dial', ...target, noAnswer: 'voicemail' },
      voicemail: { type: 'voicemail', prompt: { text: 'Please leave a message after the tone.' }, mailbox: target, maxSeconds: 120 },
    },
  };
}

export function smsStarter(target: Target, reply: string): Part {
  const inbox = { type: 'inbox', mailbox: target };
  if (!reply.trim()) return { start: 'inbox', applets: { inbox } };
  return { start: 'reply', applets: { reply: { type: 'reply', text: reply.trim(), next: 'inbox' }, inbox } };
}

/** The document of a flow as read (`GET /api/flows/{id}`), without the read-only fields. */
export function documentOf(flow: Flow): FlowDocument {
  return { name: flow.name, ...(flow.call ? { call: flow.call } : {}), ...(flow.sms ? { sms: flow.sms } : {}) };
}

// What a flow document refers to and what it looks like at a glance: used when a revision is published.
import { walk } from './graph';
import type { FlowDocument, FlowPart, MailboxRef } from './schema';

export interface FlowReferences {
  users: string[];
  groups: string[];
  flows: string[];
  /** Shared schedules its `hours` applets name (DESIGN.md section 15). */
  schedules: string[];
}

export interface ReferenceSite {
  kind: 'user' | 'group' | 'flow' | 'schedule';
  id: string;
  /** Where the document names it: ['call', 'applets', 'ring', 'user']. */
  path: string[];
}

/** Every place the document names a user, group, flow or schedule (dial and queue targets, mailboxes, redirects, hours), in document order. */
export function referenceSites(doc: FlowDocument): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  for (const channel of ['call', 'sms'] as const) {
    for (const [id, applet] of Object.entries(doc[channel]?.applets ?? {})) {
      const at = (kind: ReferenceSite['kind'], ref: string, ...field: string[]) => sites.push({ kind, id: ref, path: [channel, 'applets', id, ...field] });
      const mailbox = (m: MailboxRef) => ('user' in m ? at('user', m.user, 'mailbox', 'user') : at('group', m.group, 'mailbox', 'group'));
      if (applet.type === 'dial') {
        if (applet.user) at('user', applet.user, 'user');
        if (applet.group) at('group', applet.group, 'group');
        applet.targets?.forEach((t, i) => {
          if ('user' in t) at('user', t.user, 'targets', String(i), 'user');
          else if ('group' in t) at('group', t.group, 'targets', String(i), 'group');
        });
      } else if (applet.type === 'queue') {
        applet.targets.forEach((t, i) => ('user' in t ? at('user', t.user, 'targets', String(i), 'user') : at('group', t.group, 'targets', String(i), 'group')));
      } else if (applet.type === 'voicemail' || applet.type === 'inbox') mailbox(applet.mailbox);
      else if (applet.type === 'redirect') at('flow', applet.flow, 'flow');
      else if (applet.type === 'hours' && applet.schedule !== undefined) at('schedule', applet.schedule, 'schedule');
    }
  }
  return sites;
}

/** Users, groups, flows and schedules the document names, sorted and unique. */
export function referencesOf(doc: FlowDocument): FlowReferences {
  const ids = (kind: ReferenceSite['kind']) => [...new Set(referenceSites(doc).filter((s) => s.kind === kind).map((s) => s.id))].sort();
  return { users: ids('user'), groups: ids('group'), flows: ids('flow'), schedules: ids('schedule') };
}

/** Applet types in path order from `start` (depth first, following branches in their declared order). */
export function appletTypesInPathOrder(part: FlowPart | undefined): string[] {
  return part ? walk(part, { order: 'depth' }).map((id) => part.applets[id].type) : [];
}

// What a flow document refers to and what it looks like at a glance: used when a revision is published.
import { branchesOf } from './applets';
import type { FlowDocument, FlowPart, MailboxRef } from './schema';

export interface FlowReferences {
  users: string[];
  groups: string[];
  flows: string[];
}

/** Users, groups and flows the document names (dial targets, mailboxes, redirects), sorted and unique. */
export function referencesOf(doc: FlowDocument): FlowReferences {
  const users = new Set<string>();
  const groups = new Set<string>();
  const flows = new Set<string>();
  const addMailbox = (m: MailboxRef) => ('user' in m ? users.add(m.user) : groups.add(m.group));
  for (const part of [doc.call, doc.sms]) {
    for (const applet of Object.values(part?.applets ?? {})) {
      if (applet.type === 'dial') {
        if (applet.user) users.add(applet.user);
        if (applet.group) groups.add(applet.group);
      } else if (applet.type === 'voicemail' || applet.type === 'inbox') addMailbox(applet.mailbox);
      else if (applet.type === 'redirect') flows.add(applet.flow);
    }
  }
  return { users: [...users].sort(), groups: [...groups].sort(), flows: [...flows].sort() };
}

/** Applet types in path order from `start` (depth first, following branches in their declared order). */
export function appletTypesInPathOrder(part: FlowPart | undefined): string[] {
  if (!part) return [];
  const seen = new Set<string>();
  const types: string[] = [];
  const visit = (id: string | undefined) => {
    if (!id || seen.has(id)) return;
    const applet = part.applets[id];
    if (!applet) return;
    seen.add(id);
    types.push(applet.type);
    for (const { target } of branchesOf(applet)) visit(target);
  };
  visit(part.start);
  return types;
}

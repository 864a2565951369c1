// Pure helpers over a flow part for the editor: branches with their labels (the same branch names the
// checker reports, from lambdas/flows/applets.ts), reachability (lambdas/flows/graph.ts), edits and the
// diff of two revisions.
import { CALL_APPLETS, SMS_APPLETS, TERMINAL_APPLETS, branchesOf } from '../../lambdas/flows/applets';
import { walk } from '../../lambdas/flows/graph';
import type { Applet as SchemaApplet } from '../../lambdas/flows/schema';
import type { Channel } from '../../lambdas/api-types';
import type { Applet, FlowDocument, Part } from './types';

export { CALL_APPLETS, SMS_APPLETS, TERMINAL_APPLETS };
export const appletTypesOf = (channel: Channel): readonly string[] => (channel === 'call' ? CALL_APPLETS : SMS_APPLETS);

export interface Branch {
  /** The checker's name for it: next, fallback, options.1, rules.0.next... */
  branch: string;
  label: string;
  target: string | undefined;
}

const short = (s: string, n = 18) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function ruleLabel(applet: Applet, index: number): string {
  const rule = (applet.rules as Array<Record<string, unknown>>)[index] ?? {};
  if (applet.type === 'keyword') return short(((rule.keywords as string[] | undefined) ?? []).join(', ') || `rule ${index + 1}`);
  const parts = [
    ...((rule.numbers as string[] | undefined) ?? []),
    ...((rule.prefixes as string[] | undefined) ?? []).map((p) => `${p}…`),
    ...(rule.anonymous ? ['anonymous'] : []),
  ];
  return short(parts.join(', ') || `rule ${index + 1}`);
}

export function branches(applet: Applet): Branch[] {
  return branchesOf(applet as unknown as SchemaApplet).map(({ branch, target }) => {
    const option = /^options\.(.)$/.exec(branch);
    const rule = /^rules\.(\d+)\.next$/.exec(branch);
    const label = option ? `press ${option[1]}` : rule ? ruleLabel(applet, Number(rule[1])) : branch;
    return { branch, label, target: target || undefined };
  });
}

/** Sets one branch (by the checker's name) to a target ('' clears it). Returns a new applet. */
export function setBranch(applet: Applet, branch: string, target: string): Applet {
  const copy = structuredClone(applet) as Applet & Record<string, unknown>;
  const option = /^options\.(.)$/.exec(branch);
  const rule = /^rules\.(\d+)\.next$/.exec(branch);
  if (option) (copy.options as Record<string, string>)[option[1]] = target;
  else if (rule) (copy.rules as Array<Record<string, unknown>>)[Number(rule[1])].next = target;
  else copy[branch] = target;
  return copy;
}

/** Applets a path from start reaches (the walk the checker and the dashboard summary use). */
export const reachable = (part: Part): Set<string> => new Set(walk(part));

export interface Names {
  users: Map<string, string>;
  groups: Map<string, string>;
  flows: Map<string, string>;
  /** Shared schedules' names (an hours applet may name one). */
  schedules?: Map<string, string>;
}

const mailboxName = (m: unknown, names: Names) => {
  const ref = (m ?? {}) as { user?: string; group?: string };
  return ref.user ? names.users.get(ref.user) ?? ref.user : ref.group ? names.groups.get(ref.group) ?? ref.group : '';
};

/** The key settings shown on a node, one short line. */
export function settingsLine(a: Applet, names: Names): string {
  const prompt = (p: unknown) => {
    const x = p as { text?: string; play?: string } | undefined;
    return x?.text ? `“${x.text}”` : x?.play ? '▶ audio' : '';
  };
  switch (a.type) {
    case 'say':
      return prompt(a.prompt);
    case 'menu':
      return `keys ${Object.keys((a.options as object) ?? {}).join(' ') || '—'} · ${a.attempts ?? 3} tries`;
    case 'hours':
      return a.schedule ? `schedule ${names.schedules?.get(a.schedule as string) ?? a.schedule}` : String(a.timezone ?? '');
    case 'caller':
    case 'keyword':
      return `${((a.rules as unknown[]) ?? []).length} rules`;
    case 'dial': {
      const list = Array.isArray(a.targets) ? (a.targets as Array<Record<string, string>>) : [a as Record<string, string>];
      const nameOf = (t: Record<string, string>) => (t.user ? names.users.get(t.user) ?? t.user : t.group ? names.groups.get(t.group) ?? t.group : t.number);
      const who = list.map(nameOf).filter(Boolean).join(', ') || '?';
      const ordered = !!a.group || list.length > 1;
      return `${who}${ordered ? ` · ${a.strategy ?? 'simultaneous'}` : ''}${a.screen ? ' · screen' : ''}${a.announce ? ' · announce' : ''}`;
    }
    case 'queue':
      return `${a.name ?? '?'} · ${((a.targets as Array<{ user?: string; group?: string }>) ?? []).map((t) => (t.user ? names.users.get(t.user) ?? t.user : t.group ? names.groups.get(t.group) ?? t.group : '?')).join(', ')}`;
    case 'voicemail':
      return `${mailboxName(a.mailbox, names)} · ${a.maxSeconds ?? 120}s${a.transcribe ? ' · transcribe' : ''}${notifyNote(a.notify)}`;
    case 'inbox':
      return `${mailboxName(a.mailbox, names)}${a.notify ? ' · notify' : ''}`;
    case 'text':
    case 'reply':
      return `“${String(a.text ?? '')}”`;
    case 'redirect':
      return `→ ${names.flows.get(a.flow as string) ?? a.flow}`;
    case 'forward':
      return `→ ${a.to ?? ''}`;
    default:
      return '';
  }
}

/** A fresh id for a new applet of a type: the type itself, then type2, type3... */
export function newAppletId(part: Part | undefined, type: string): string {
  const taken = new Set(Object.keys(part?.applets ?? {}));
  if (!taken.has(type)) return type;
  for (let i = 2; ; i++) if (!taken.has(`${type}${i}`)) return `${type}${i}`;
}

/** The smallest applet of a type the schema accepts (the checker then says what is still missing). */
export function newApplet(type: string, defaults: { user?: string; group?: string; flow?: string; timezone: string }): Applet {
  const mailbox = defaults.group ? { group: defaults.group } : defaults.user ? { user: defaults.user } : { group: '' };
  switch (type) {
    case 'say':
      return { type, prompt: { text: 'Hello.' } };
    case 'menu':
      return { type, prompt: { text: 'For sales press 1.' }, options: { '1': '' } };
    case 'hours':
      return { type, timezone: defaults.timezone, weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] } };
    case 'caller':
      return { type, rules: [{ anonymous: true }] };
    case 'dial':
      return defaults.group ? { type, group: defaults.group } : defaults.user ? { type, user: defaults.user } : { type, number: '+15550000000' };
    case 'voicemail':
      return { type, prompt: { text: 'Please leave a message after the tone.' }, mailbox };
    case 'text':
      return { type, text: 'Thanks for calling.' };
    case 'queue': {
      const target = defaults.group ? { group: defaults.group } : defaults.user ? { user: defaults.user } : { group: '' };
      return { type, name: 'support', targets: [target] };
    }
    case 'redirect':
      return { type, flow: defaults.flow ?? '' };
    case 'reply':
      return { type, text: 'Thanks for your message.' };
    case 'keyword':
      return { type, rules: [{ keywords: ['SALES'] }] };
    case 'inbox':
      return { type, mailbox };
    case 'forward':
      return { type, to: '+15550000000' };
    default:
      return { type };
  }
}

/** Removes an applet and clears every branch that pointed at it (never a dangling id left behind). */
export function deleteApplet(part: Part, id: string): Part {
  const applets: Record<string, Applet> = {};
  for (const [k, a] of Object.entries(part.applets)) {
    if (k === id) continue;
    let next = a;
    for (const b of branches(a)) if (b.target === id) next = setBranch(next, b.branch, '');
    applets[k] = next;
  }
  const start = part.start === id ? Object.keys(applets)[0] ?? '' : part.start;
  return { start, applets };
}

export interface PartDiff {
  added: string[];
  removed: string[];
  changed: string[];
  startChanged: boolean;
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

export function diffParts(a: Part | undefined, b: Part | undefined): PartDiff {
  const before = a?.applets ?? {};
  const after = b?.applets ?? {};
  return {
    // Own keys only: an applet "toString" is added, not a change of Object.prototype.toString.
    added: Object.keys(after).filter((id) => !Object.hasOwn(before, id)),
    removed: Object.keys(before).filter((id) => !Object.hasOwn(after, id)),
    changed: Object.keys(after).filter((id) => Object.hasOwn(before, id) && stable(before[id]) !== stable(after[id])),
    startChanged: (a?.start ?? '') !== (b?.start ?? ''),
  };
}

export const sameDocument = (a: FlowDocument, b: FlowDocument) => stable(a) === stable(b);

/** A voicemail's `notify` in the node's summary: `true` texts, an object says which channels. */
function notifyNote(notify: unknown): string {
  if (notify === true) return ' · text';
  if (!notify || typeof notify !== 'object') return '';
  const n = notify as { sms?: boolean; email?: boolean };
  return [n.sms && ' · text', n.email && ' · email'].filter(Boolean).join('');
}

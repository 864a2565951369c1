// Import from Twilio Studio (DESIGN.md section 18): a Studio flow definition → a flow document and a report
// saying, widget by widget, what each became or why it could not be carried over (and what stands in its
// place: a hangup in a call, the end of a text flow). Nothing is silently dropped. The trigger's
// incomingCall starts the call part, its incomingMessage the sms part; every widget either reaches becomes
// an applet of that part (a widget both reach, one of each). Whether the result makes sense is the
// checker's to say (dead ends Studio let through, loops, unreachable applets): the caller runs it.
// Pure: no AWS, no HTTP.
import { APPLET_ID } from './applets';
import { MAX_NAME, nameSchema } from './names';
import { flowDocumentSchema, MAX_APPLETS, MAX_LABEL, type Applet, type AppletType, type Channel, type FlowDocument, type FlowPart, type MailboxRef } from './schema';
import type { StudioDefinition, StudioState } from './studio-definition';
import { HANGUP, mapWidget, menuPlans, transitionTo, voicemailPlans, withBranches, type WidgetContext } from './studio-widgets';
import { stripXmlIllegal } from './xml-text';

export { studioDefinitionSchema, type StudioDefinition } from './studio-definition';

/** One line of the import report: one widget in one part (or in none, when neither a call nor a text reaches it). */
export interface StudioImportEntry {
  /** The widget's name in Studio. */
  widget: string;
  /** Its Studio type: say-play, gather-input-on-call... */
  type: string;
  status: 'mapped' | 'not_imported';
  /** The part it was imported into; absent when no incoming call or text reaches it. */
  channel?: Channel;
  /** The applet it became (mapped), or the one standing in its place (a hangup in a call). */
  applet?: string;
  /** The applet type it became: say, menu, dial... (`start` for the trigger). */
  as?: AppletType | 'start';
  /** Why it was not imported. */
  reason?: string;
  /** What stands in its place when it was not imported: a hangup (call), the end of the text flow (sms), or nothing (unreached). */
  standIn?: 'hangup' | 'end';
  /** What did not carry over although it was mapped (or more about why it was not). */
  notes?: string[];
}

export interface StudioImportOptions {
  /** The flow's name; the definition's description otherwise. */
  name?: string;
  /** Where the voicemails of record-voicemail widgets land. */
  mailbox?: MailboxRef;
  /** Users by softphone client identity, for connect-call-to a client. */
  clients?: ReadonlyMap<string, string>;
}

export interface StudioImport {
  document: FlowDocument;
  report: StudioImportEntry[];
}

const TRIGGERS: Record<string, Channel> = { incomingCall: 'call', incomingMessage: 'sms' };
const OTHER_TRIGGERS: Record<string, string> = {
  incomingRequest: 'REST API executions',
  incomingConversationMessage: 'Conversations messages',
  incomingParent: 'runs as another flow’s subflow',
};
export const DEFAULT_IMPORT_NAME = 'Imported Studio flow';

export function importStudioFlow(definition: StudioDefinition, options: StudioImportOptions = {}): StudioImport {
  const states = new Map(definition.states.map((s) => [s.name, s]));
  const trigger = states.get(definition.initial_state)!;
  const ids = appletIds(definition.states);
  const ctx: WidgetContext = { states, menus: menuPlans(states), voicemails: voicemailPlans(states), mailbox: options.mailbox, clients: options.clients ?? new Map() };
  const report: StudioImportEntry[] = [triggerEntry(trigger, ids)];
  const parts: Partial<Record<Channel, FlowPart>> = {};
  const reached = new Set<string>([trigger.name]);
  for (const [event, channel] of Object.entries(TRIGGERS)) {
    const start = transitionTo(trigger, event);
    if (!start || !states.has(start) || start === trigger.name) continue;
    const imported = importPart(channel, start, ctx, ids);
    imported.entries.forEach((e) => reached.add(e.widget));
    report.push(...imported.entries);
    if (imported.part) parts[channel] = imported.part;
  }
  for (const state of definition.states) {
    if (reached.has(state.name)) continue;
    report.push({
      widget: state.name,
      type: state.type,
      status: 'not_imported',
      reason: unreachedReason(state, trigger, states),
    });
  }
  const document = flowDocumentSchema.parse({ name: flowName(options.name, definition.description), ...parts });
  return { document, report };
}

/** Explains why neither an incoming call nor a text reaches a widget. */
function unreachedReason(state: StudioState, trigger: StudioState, states: ReadonlyMap<string, StudioState>): string {
  for (const [event, what] of Object.entries(OTHER_TRIGGERS)) {
    const start = transitionTo(trigger, event);
    if (start && reachable(start, states).has(state.name)) return `only ${what} reach it, and Switchboard imports what incoming calls and texts do`;
  }
  return 'no incoming call or text reaches it in Studio';
}

function reachable(from: string, states: ReadonlyMap<string, StudioState>): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    const name = queue.shift()!;
    const state = states.get(name);
    if (!state || seen.has(name)) continue;
    seen.add(name);
    for (const t of state.transitions) if (t.next) queue.push(t.next);
  }
  return seen;
}

function triggerEntry(trigger: StudioState, ids: ReadonlyMap<string, string>): StudioImportEntry {
  const notes: string[] = [];
  for (const [event, what] of Object.entries(OTHER_TRIGGERS)) {
    const next = transitionTo(trigger, event);
    if (next) notes.push(`${what} (to "${next}") are not imported: Switchboard answers incoming calls and texts`);
  }
  const starts = Object.entries(TRIGGERS).filter(([event]) => transitionTo(trigger, event));
  if (!starts.length) notes.push('neither an incoming call nor a text starts this flow');
  return { widget: trigger.name, type: trigger.type, status: 'mapped', as: 'start', applet: ids.get(trigger.name), ...(notes.length ? { notes } : {}) };
}

/**
 * One part: every widget reachable from `start` through any transition, breadth first (nearest first, so
 * the 200-applet limit keeps what callers meet first), each mapped once; then the branches resolved.
 */
function importPart(channel: Channel, start: string, ctx: WidgetContext, ids: ReadonlyMap<string, string>): { part?: FlowPart; entries: StudioImportEntry[] } {
  const entries = new Map<string, StudioImportEntry>();
  const applets = new Map<string, Applet>();
  /** The splits that became a menu's options in this part: a transition to one leads to the menu. */
  const merged = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const state = ctx.states.get(name);
    if (!state || state.type === 'trigger') continue;
    seen.add(name);
    for (const t of state.transitions) if (t.next) queue.push(t.next);
    const entry: StudioImportEntry = { widget: name, type: state.type, status: 'mapped', channel };
    entries.set(name, entry);
    const into = channel === 'call' ? mergedInto(name, ctx) : undefined;
    if (into && applets.get(into.widget)?.type === into.as) {
      const id = ids.get(into.widget)!;
      Object.assign(entry, { as: into.as, applet: id, notes: [`${into.what} the ${into.as} "${id}"${id === into.widget ? '' : ` (${into.widget})`}`] });
      merged.set(name, into.widget);
      continue;
    }
    if (applets.size >= MAX_APPLETS) {
      Object.assign(entry, { status: 'not_imported', reason: `the ${channel} part is full (at most ${MAX_APPLETS} applets)`, standIn: channel === 'call' ? undefined : 'end' });
      continue;
    }
    const result = mapWidget(state, channel, ctx);
    if (result.status === 'mapped') {
      applets.set(name, result.applet);
      Object.assign(entry, { as: result.applet.type, applet: ids.get(name), ...(result.notes.length ? { notes: result.notes } : {}) });
    } else {
      Object.assign(entry, { status: 'not_imported', reason: result.reason, standIn: channel === 'call' ? 'hangup' : 'end', ...(result.notes?.length ? { notes: result.notes } : {}) });
      // A hangup keeps the call's branches into it valid and shows on the diagram where the widget was.
      if (channel === 'call') {
        entry.applet = ids.get(name);
        applets.set(name, HANGUP);
      }
    }
  }
  // A widget merged into another's applet (a split into its gather's menu) is reached only after it.
  const resolve = (from: StudioImportEntry, target: string): string => {
    if (!target) return '';
    const via = merged.get(target) ?? target;
    if (applets.has(via)) return ids.get(via)!;
    if (!ctx.states.has(target)) (from.notes ??= []).push(`a transition names "${target}", which is not a widget of the flow: left empty`);
    else if (ctx.states.get(target)!.type === 'trigger') (from.notes ??= []).push(`a transition leads back to the trigger "${target}": left empty`);
    return '';
  };
  const out: Record<string, Applet> = {};
  for (const [name, applet] of applets) {
    const entry = entries.get(name)!;
    const id = ids.get(name)!;
    // The widget's name, where the id had to change it; a stand-in says on the diagram what it replaces.
    const label = labelOf(entry.status === 'not_imported' ? `${name} (not imported: ${entry.type})` : name);
    out[id] = { ...withBranches(applet, (t) => resolve(entry, t)), ...(label && label !== id ? { label } : {}) };
  }
  const startId = applets.has(merged.get(start) ?? start) ? ids.get(merged.get(start) ?? start)! : undefined;
  if (!startId) {
    // The text flow would begin with a widget that is not imported: without a part, texts land in `unrouted`.
    for (const entry of entries.values()) {
      if (entry.status === 'mapped') {
        Object.assign(entry, { status: 'not_imported', reason: `the text flow starts at "${start}", which is not imported, so there is no sms part: texts land in the unrouted mailbox`, standIn: 'end' });
        delete entry.as;
        delete entry.applet;
      }
    }
    return { entries: [...entries.values()] };
  }
  return { part: { start: startId, applets: out }, entries: [...entries.values()] };
}

/** The applet another widget becomes together with this one: a gather's Digits split, a say-play's record-voicemail. */
function mergedInto(name: string, ctx: WidgetContext): { widget: string; as: AppletType; what: string } | undefined {
  const menu = [...ctx.menus.values()].find((m) => m.split === name);
  if (menu) return { widget: menu.gather, as: 'menu', what: 'its conditions became the keys of' };
  const say = [...ctx.voicemails].find(([, record]) => record === name)?.[0];
  if (say) return { widget: say, as: 'voicemail', what: 'it records the messages of' };
  return undefined;
}

/** Widget names as applet ids: the characters ids allow, at most 64, unique (the same in both parts). */
function appletIds(states: readonly StudioState[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const { name } of states) {
    let base = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'widget';
    if (!APPLET_ID.test(base)) base = `${base.slice(0, 60)}_w`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 64 - `_${n}`.length)}_${n}`;
    taken.add(id);
    ids.set(name, id);
  }
  return ids;
}

/** The widget's name as the applet's label (shown on the diagram instead of the id). */
function labelOf(name: string): string | undefined {
  const label = stripXmlIllegal(name).trim();
  return label ? [...label].slice(0, MAX_LABEL).join('') : undefined;
}

function flowName(given: string | undefined, description: string | undefined): string {
  for (const candidate of [given, description]) {
    if (candidate === undefined) continue;
    const parsed = nameSchema.safeParse([...stripXmlIllegal(candidate).trim()].slice(0, MAX_NAME).join(''));
    if (parsed.success && parsed.data) return parsed.data;
  }
  return DEFAULT_IMPORT_NAME;
}

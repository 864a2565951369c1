// One Studio widget → one applet of one part (DESIGN.md section 18), or the reason it cannot be one.
// Branches of the applets made here still hold Studio widget names: studio-import.ts resolves them to
// applet ids once it knows which widgets each part holds. Pure: the document, nothing else.
import { APPLET_ID, CALL_APPLETS, E164, MAX_SMS_TEXT } from './applets';
import { appletSchema, MAX_TEXT, promptSchema, type Applet, type AppletType, type Channel, type MailboxRef, type Prompt } from './schema';
import { pairingProblem, SAY_LANGUAGES, SAY_VOICES } from './say-voices';
import type { StudioCondition, StudioState, StudioTransition } from './studio-definition';
import { hasXmlIllegal, stripXmlIllegal } from './xml-text';

export interface WidgetContext {
  /** Every widget of the definition, by name. */
  states: ReadonlyMap<string, StudioState>;
  /** Gathers whose keypress goes to a split on their own Digits: the two become one menu (menuPlans). */
  menus: ReadonlyMap<string, MenuPlan>;
  /** Say-plays that lead only to a record-voicemail nothing else leads to: the two become one voicemail (voicemailPlans). */
  voicemails: ReadonlyMap<string, string>;
  /** Where voicemails land (chosen at import); without it a record-voicemail cannot be imported. */
  mailbox?: MailboxRef;
  /** Users by softphone client identity: a connect-call-to a client rings the user who has it. */
  clients: ReadonlyMap<string, string>;
}

/** What one widget becomes in one part. */
export type WidgetResult =
  | { status: 'mapped'; applet: Applet; notes: string[] }
  | { status: 'not_imported'; reason: string; notes?: string[] };

const mapped = (applet: Applet, notes: string[] = []): WidgetResult => ({ status: 'mapped', applet, notes });
const notImported = (reason: string, notes?: string[]): WidgetResult => ({ status: 'not_imported', reason, ...(notes?.length ? { notes } : {}) });

// -------------------------------------------------------------------------------------------------
// Small readers of Studio's loosely typed properties

const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/;
export const isLiquid = (text: string): boolean => LIQUID.test(text);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
const int = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
};
const bool = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : undefined);

/** `{{ trigger.call.From }}` → `trigger.call.From`; anything that is not one bare variable → undefined. */
export function variableOf(expression: unknown): string | undefined {
  const match = /^\s*\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}\s*$/.exec(str(expression) ?? '');
  return match?.[1];
}

export function transitionTo(state: StudioState, event: string): string | undefined {
  return state.transitions.find((t) => t.event === event)?.next || undefined;
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
const VOICES: ReadonlySet<string> = new Set(SAY_VOICES);
const LANGUAGES: ReadonlySet<string> = new Set(SAY_LANGUAGES);

/** A number as Studio users type them: `+1 (555) 010-0001`, or without the `+`. */
export function e164Of(raw: string): { number?: string; note?: string } {
  const compact = raw.trim().replace(/[\s().-]/g, '');
  if (E164.test(compact)) return { number: compact };
  if (E164.test(`+${compact}`)) return { number: `+${compact}`, note: `"${raw.trim()}" has no +: read as +${compact}` };
  return {};
}

/** A text field as an applet takes it: XML-safe, within its limit. */
function cleanText(text: string, max: number): { text?: string; problem?: string; note?: string } {
  const trimmed = text.trim();
  if (!trimmed) return { problem: 'its text is empty' };
  const clean = stripXmlIllegal(trimmed);
  if ([...clean].length > max) return { problem: `its text has ${[...clean].length} characters, more than the ${max} Switchboard keeps` };
  return { text: clean, ...(hasXmlIllegal(trimmed) ? { note: 'characters XML cannot carry were removed from its text' } : {}) };
}

// -------------------------------------------------------------------------------------------------
// Prompts (say-play, gather-input-on-call)

/** `say` or `play` with Studio's voice and language, as one of our prompts; the reason when it cannot be. */
export function promptOf(props: Record<string, unknown>, notes: string[]): { prompt: Prompt } | { problem: string } {
  const say = str(props.say);
  const play = str(props.play);
  if (say !== undefined && say.trim()) {
    if (isLiquid(say)) return { problem: `its text is a Liquid template ("${excerpt(say)}"): Switchboard does not fill in Studio's variables` };
    const text = cleanText(say, MAX_TEXT);
    if (!text.text) return { problem: text.problem! };
    if (text.note) notes.push(text.note);
    return { prompt: spoken(text.text, str(props.voice), str(props.language), notes) };
  }
  if (play !== undefined && play.trim()) {
    if (isLiquid(play)) return { problem: `it plays a URL made by a Liquid template ("${excerpt(play)}")` };
    const prompt = promptSchema.safeParse({ play: play.trim() });
    if (!prompt.success) return { problem: `it plays "${excerpt(play)}", which is not an https URL` };
    return { prompt: prompt.data };
  }
  if (str(props.digits)?.trim()) return { problem: 'it plays DTMF tones, which no applet sends' };
  return { problem: 'it says and plays nothing' };
}

/** A spoken prompt, keeping Studio's voice and language when Twilio pairs them (DESIGN.md section 3). */
function spoken(text: string, voice: string | undefined, language: string | undefined, notes: string[]): Prompt {
  let v = voice?.trim() || undefined;
  let l = language?.trim() || undefined;
  if (v && !VOICES.has(v)) {
    notes.push(`the voice "${v}" is not one Twilio offers: the default voice speaks`);
    v = undefined;
  }
  if (l && !LANGUAGES.has(l)) {
    notes.push(`the language "${l}" is not one Twilio's <Say> takes: left out`);
    l = undefined;
  }
  if (pairingProblem(v, l)) {
    notes.push(`the voice ${v} does not speak ${l}: the language is left out, so ${v} speaks its own`);
    l = undefined;
  }
  return { text, ...(v ? { voice: v } : {}), ...(l ? { language: l } : {}) };
}

const excerpt = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text).replace(/\s+/g, ' ');

// -------------------------------------------------------------------------------------------------
// Widgets

const CALL_ONLY: ReadonlySet<string> = new Set(['say-play', 'gather-input-on-call', 'connect-call-to', 'record-voicemail', 'enqueue-call', 'record-call', 'add-twiml-redirect', 'capture-payments', 'connect-virtual-agent', 'send-to-flex', 'make-outgoing-call-v2', 'fork-stream']);

/** Why the widgets Switchboard has no applet for are not imported (DESIGN.md section 18). */
const NOT_IMPORTED: Record<string, string> = {
  'add-twiml-redirect': 'it hands the call to TwiML at a URL of its own, outside any flow Switchboard can check',
  'make-http-request': 'it calls an HTTP API; Switchboard flows make no requests of their own',
  'run-function': 'it runs a Twilio Function; Switchboard flows run no code of their own',
  'set-variables': 'it sets flow variables; Switchboard flows keep no variables',
  'send-to-flex': 'it hands the call or conversation to Twilio Flex (TaskRouter)',
  'send-and-wait-for-reply': 'it waits for the sender’s next text; a Switchboard text flow answers each text on its own',
  'capture-payments': 'it takes a card payment (<Pay>), which Switchboard does not do',
  'connect-virtual-agent': 'it connects the call to a Dialogflow virtual agent',
  'record-call': 'it records the call in the background; Switchboard records a call only within a dial (record)',
  'make-outgoing-call-v2': 'it places an outgoing call; Switchboard flows answer calls and texts that come in',
  'run-subflow': 'it runs another Studio flow, which was not imported with this one',
  'fork-stream': 'it streams the call’s audio elsewhere',
  'send-to-autopilot': 'it hands the conversation to Autopilot, which Twilio retired',
  'set-contact-channel': 'it changes the conversation’s channel',
};

/** What one widget becomes in one part. `channel` is the part it was reached from. */
export function mapWidget(state: StudioState, channel: Channel, ctx: WidgetContext): WidgetResult {
  if (channel === 'sms' && CALL_ONLY.has(state.type)) {
    return notImported(`it belongs in a call, but a text reaches it (Studio fails here too)`);
  }
  switch (state.type) {
    case 'say-play':
      return sayPlay(state, channel, ctx);
    case 'gather-input-on-call':
      return gather(state, ctx);
    case 'split-based-on':
      return split(state, channel, ctx);
    case 'connect-call-to':
      return connect(state, ctx);
    case 'record-voicemail':
      return voicemail(state, ctx);
    case 'send-message':
      return sendMessage(state, channel);
    case 'enqueue-call':
      return enqueue(state, ctx);
    default: {
      const reason = NOT_IMPORTED[state.type];
      return notImported(reason ?? `Switchboard does not know Studio's "${state.type}" widget`);
    }
  }
}

function sayPlay(state: StudioState, channel: Channel, ctx: WidgetContext): WidgetResult {
  const notes: string[] = [];
  const prompt = promptOf(state.properties, notes);
  if ('problem' in prompt) return notImported(prompt.problem, notes);
  const record = channel === 'call' ? ctx.voicemails.get(state.name) : undefined;
  if (record && ctx.mailbox) {
    // "Please leave a message" then the recording: one voicemail that says it (Studio's own record-voicemail says nothing).
    const result = voicemail(ctx.states.get(record)!, ctx, prompt.prompt);
    if (result.status === 'mapped') return mapped(result.applet, [...notes, `it became the prompt of the voicemail recorded by "${record}"`, ...result.notes]);
  }
  const loop = int(state.properties.loop);
  // Twilio's loop="0" repeats until the caller hangs up; an applet plays at most 10 times and goes on.
  if (loop !== undefined && (loop < 1 || loop > 10)) notes.push(`it played ${loop === 0 ? 'until the caller hung up' : `${loop} times`}: now 10 times`);
  return validated({ type: 'say', prompt: prompt.prompt, loop: loop === undefined ? 1 : clamp(loop === 0 ? 10 : loop, 1, 10), next: transitionTo(state, 'audioComplete') ?? '' }, notes);
}

// --- Menus: gather-input-on-call + split-based-on its Digits --------------------------------------

const KEY = /^[0-9*#]$/;
const ALL_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

/** A gather and the split that tests its Digits: the pair studio-import.ts makes one menu of. */
export interface MenuPlan {
  gather: string;
  split?: string;
}

/**
 * The gathers whose keypress transition leads to a split testing their own Digits (`{{widgets.<gather>.Digits}}`):
 * that split becomes the menu's options, not an applet of its own.
 */
export function menuPlans(states: ReadonlyMap<string, StudioState>): Map<string, MenuPlan> {
  const plans = new Map<string, MenuPlan>();
  for (const state of states.values()) {
    if (state.type !== 'gather-input-on-call') continue;
    const next = transitionTo(state, 'keypress');
    const target = next ? states.get(next) : undefined;
    const digits = `widgets.${state.name}.Digits`;
    const testsDigits = target?.type === 'split-based-on' && (variableOf(target.properties.input) === digits ||
      target.transitions.some((t) => t.conditions?.some((c) => variableOf(c.arguments?.[0]) === digits)));
    plans.set(state.name, { gather: state.name, ...(testsDigits ? { split: target!.name } : {}) });
  }
  return plans;
}

function gather(state: StudioState, ctx: WidgetContext): WidgetResult {
  const notes: string[] = [];
  const props = state.properties;
  const plan = ctx.menus.get(state.name) ?? { gather: state.name };
  const prompt = promptOf(props, notes);
  if ('problem' in prompt) return notImported(prompt.problem, notes);
  const keypress = transitionTo(state, 'keypress');
  const split = plan.split ? ctx.states.get(plan.split) : undefined;
  const options: Record<string, string> = {};
  if (split) {
    const digits = `widgets.${state.name}.Digits`;
    const multi: string[] = [];
    for (const t of split.transitions.filter((t) => t.event === 'match')) {
      const keys = keysOf(t, digits, notes, multi);
      for (const key of keys) {
        if (key in options) notes.push(`key ${key} is tested twice: the first match wins, as in Studio`);
        else options[key] = t.next || '';
      }
    }
    // Conditions on several digits make it a data entry (an account number, a PIN), not a menu.
    if (multi.length) {
      return notImported(`it collects several digits (${multi.slice(0, 3).join(', ')}): a menu takes one key`, notes);
    }
    if (Object.keys(options).length === 0) notes.push(`its split "${split.name}" names no key: the menu has no options yet`);
  } else if (keypress) {
    // Any key went on to one widget ("press any key"): every key leads there.
    for (const key of ALL_KEYS) options[key] = keypress;
  } else {
    notes.push('a key press ended the flow in Studio: now every key asks again');
  }
  const digitsWanted = int(props.number_of_digits);
  if (digitsWanted !== undefined && digitsWanted > 1) notes.push(`it waited for ${digitsWanted} digits: a menu takes one`);
  const speech = transitionTo(state, 'speech');
  if (speech) notes.push(`spoken answers (to "${speech}") are not imported: a menu takes keys`);
  const loop = int(props.loop);
  if (loop !== undefined && loop > 1) notes.push(`its prompt played ${loop} times: now once per attempt`);

  // Studio's noMatch (a key no condition names) and timeout (no key) both become the menu's fallback;
  // one leading back to the gather is Studio's way of asking again, which a menu does by itself.
  const again = new Set([state.name, ...(plan.split ? [plan.split] : [])]);
  const noMatch = split ? transitionTo(split, 'noMatch') : undefined;
  const timeout = transitionTo(state, 'timeout');
  const leaving = [noMatch, timeout].filter((t): t is string => !!t && !again.has(t));
  const asksAgain = [noMatch, timeout].some((t) => !!t && again.has(t));
  if (leaving.length === 2 && leaving[0] !== leaving[1]) notes.push(`a wrong key went to "${leaving[0]}" and silence to "${leaving[1]}": both now go to "${leaving[0]}"`);
  if (asksAgain && leaving.length === 0) notes.push('Studio asked again without end: choose where callers go after the last attempt');
  const seconds = int(props.timeout);
  if (seconds !== undefined && (seconds < 1 || seconds > 30)) notes.push(`it waited ${seconds} s for a key: now ${clamp(seconds, 1, 30)} s`);
  return validated({
    type: 'menu',
    prompt: prompt.prompt,
    options,
    // Without its own retries Studio gave one try and went on; with them, three (the menu's default).
    attempts: asksAgain ? 3 : 1,
    timeoutSeconds: clamp(seconds ?? 5, 1, 30),
    fallback: leaving[0] ?? '',
  }, notes);
}

/** The keys a match transition of a Digits split names: equal_to, matches_any_of or starts_with one key. */
function keysOf(t: StudioTransition, digits: string, notes: string[], multi: string[]): string[] {
  const conditions = t.conditions ?? [];
  if (conditions.length !== 1) {
    if (conditions.length > 1) notes.push(`a transition to "${t.next ?? ''}" tests ${conditions.length} conditions at once: left out`);
    return [];
  }
  const c = conditions[0];
  const argument = variableOf(c.arguments?.[0]);
  if (argument && argument !== digits) {
    notes.push(`a condition on ${argument} (to "${t.next ?? ''}") is left out: a menu tests the key pressed`);
    return [];
  }
  const values = valuesOf(c);
  if (!values || !['equal_to', 'matches_any_of', 'starts_with'].includes(c.type)) {
    notes.push(`a "${c.type}" condition (to "${t.next ?? ''}") is left out: a menu tests keys one by one`);
    return [];
  }
  const keys: string[] = [];
  for (const v of values) {
    if (KEY.test(v)) keys.push(v);
    else multi.push(v);
  }
  return keys;
}

/** A condition's value, trimmed; matches_any_of lists several, comma-separated. */
function valuesOf(c: StudioCondition): string[] | undefined {
  const value = str(c.value);
  if (value === undefined) return undefined;
  const list = c.type === 'matches_any_of' || c.type === 'does_not_match_any_of' ? value.split(',') : [value];
  return list.map((v) => v.trim()).filter(Boolean);
}

// --- Splits -------------------------------------------------------------------------------------------

/** What a split tests, in the terms of the applet that can test it. */
function subjectOf(variable: string | undefined): 'body' | 'caller' | undefined {
  if (variable === 'trigger.message.Body') return 'body';
  if (variable === 'trigger.call.From' || variable === 'trigger.message.From' || variable === 'contact.channel.address') return 'caller';
  return undefined;
}

function split(state: StudioState, channel: Channel, ctx: WidgetContext): WidgetResult {
  const input = str(state.properties.input) ?? '';
  const variable = variableOf(input);
  const subject = subjectOf(variable);
  const digitsOf = /^widgets\.(.+)\.Digits$/.exec(variable ?? '')?.[1];
  if (digitsOf && ctx.states.get(digitsOf)?.type === 'gather-input-on-call') {
    return notImported(`it tests the keys pressed in "${digitsOf}", which did not become a menu`);
  }
  if (!subject) {
    const what = variable ? `{{${variable}}}` : input.trim() ? `"${excerpt(input)}"` : 'nothing';
    return notImported(`it splits on ${what}; Switchboard can split on the caller's number and on a text's first word (keyword), and a menu on the key pressed`);
  }
  if (subject === 'body' && channel === 'call') return notImported('it splits on a text’s body, but a call reaches it');
  const notes: string[] = [];
  const rules: Array<Record<string, unknown>> = [];
  for (const t of state.transitions.filter((t) => t.event === 'match')) {
    const conditions = t.conditions ?? [];
    if (conditions.length !== 1) {
      notes.push(`the transition to "${t.next ?? ''}" tests ${conditions.length} conditions at once: left out`);
      continue;
    }
    const c = conditions[0];
    const argument = variableOf(c.arguments?.[0]) ?? variable;
    if (subjectOf(argument) !== subject) {
      notes.push(`a condition on ${argument ?? 'something else'} (to "${t.next ?? ''}") is left out`);
      continue;
    }
    const rule = subject === 'body' ? keywordRule(c, notes) : callerRule(c, notes);
    if (rule) rules.push({ ...rule, next: t.next || '' });
  }
  const otherwise = transitionTo(state, 'noMatch') ?? '';
  if (subject === 'body') {
    for (const rule of rules) {
      const keywords = rule.keywords as string[];
      if (keywords.length > 50) notes.push(`a rule named ${keywords.length} keywords: the first 50 are kept`);
      rule.keywords = keywords.slice(0, 50);
    }
    if (rules.length > 50) notes.push(`${rules.length} conditions: the first 50 are kept`);
    return validated({ type: 'keyword', rules: rules.slice(0, 50), otherwise }, notes);
  }
  if (rules.length > 50) notes.push(`${rules.length} conditions: the first 50 are kept`);
  return validated({ type: 'caller', rules: rules.slice(0, 50), otherwise }, notes);
}

/** A condition on a text's body as keywords, which are the text's first word (case-insensitive). */
function keywordRule(c: StudioCondition, notes: string[]): { keywords: string[] } | undefined {
  const values = valuesOf(c);
  if (!values || !['equal_to', 'matches_any_of', 'starts_with'].includes(c.type)) {
    notes.push(`a "${c.type}" condition is left out: keywords match a text's first word`);
    return undefined;
  }
  const words = values.filter((v) => /^\S+$/.test(v) && !isLiquid(v) && !hasXmlIllegal(v)).map((v) => v.slice(0, 160));
  const phrases = values.filter((v) => !words.includes(v.slice(0, 160)));
  if (phrases.length) notes.push(`${phrases.map((p) => `"${excerpt(p)}"`).join(', ')}: more than one word; a keyword is a text's first word`);
  if (!words.length) return undefined;
  if (c.type === 'equal_to' || c.type === 'matches_any_of') {
    notes.push(`${words.map((w) => `"${w}"`).join(', ')}: Studio matched the whole text, Switchboard matches its first word`);
  } else {
    notes.push(`starts with ${words.map((w) => `"${w}"`).join(', ')}: now the whole first word must be it`);
  }
  return { keywords: words };
}

/** A condition on the caller's number as numbers (equal_to, matches_any_of) or a prefix (starts_with). */
function callerRule(c: StudioCondition, notes: string[]): { numbers?: string[]; prefixes?: string[] } | undefined {
  const values = valuesOf(c);
  if (values && c.type === 'starts_with' && values.length === 1) {
    const prefix = values[0].replace(/[\s().-]/g, '');
    if (/^\+\d{1,15}$/.test(prefix)) return { prefixes: [prefix] };
    notes.push(`starts with "${values[0]}": a prefix is a + and digits`);
    return undefined;
  }
  if (!values || !['equal_to', 'matches_any_of'].includes(c.type)) {
    notes.push(`a "${c.type}" condition on the caller's number is left out`);
    return undefined;
  }
  const numbers: string[] = [];
  for (const v of values) {
    const n = e164Of(v);
    if (n.number) numbers.push(n.number);
    else notes.push(`"${excerpt(v)}" is not a phone number: left out`);
    if (n.note) notes.push(n.note);
  }
  return numbers.length ? { numbers: [...new Set(numbers)].slice(0, 100) } : undefined;
}

// --- Dial, voicemail, texts -------------------------------------------------------------------------

function connect(state: StudioState, ctx: WidgetContext): WidgetResult {
  const props = state.properties;
  const noun = str(props.noun) ?? 'number';
  const to = str(props.to)?.trim() ?? '';
  const notes: string[] = [];
  if (isLiquid(to)) return notImported(`it connects to "${excerpt(to)}", a Liquid template: Switchboard dials a user, a group or a number`);
  let target: { number: string } | { user: string };
  if (noun === 'number' || noun === 'number-multi') {
    const listed = to.split(',').map((n) => n.trim()).filter(Boolean);
    const numbers: string[] = [];
    for (const raw of listed) {
      const n = e164Of(raw);
      if (n.number) numbers.push(n.number);
      else notes.push(`"${excerpt(raw)}" is not a phone number: left out`);
      if (n.note) notes.push(n.note);
    }
    if (!numbers.length) return notImported(to ? `it connects to "${excerpt(to)}", which is not a phone number` : 'it connects to no one', notes);
    // A dial rings one user, group or number: the other numbers of a simultaneous ring are reported.
    if (numbers.length > 1) notes.push(`it rang ${numbers.length} numbers at once: the dial rings ${numbers[0]}; ${numbers.slice(1).join(', ')} left out (make them a group's members to ring them together)`);
    target = { number: numbers[0] };
  } else if (noun === 'client') {
    const identity = to.replace(/^client:/, '');
    const user = ctx.clients.get(identity);
    if (!user) return notImported(`it rings the softphone client "${excerpt(identity)}", and no Switchboard user has that client identity`);
    notes.push(`it rang the client "${identity}": the dial rings its user, softphone and phone`);
    target = { user };
  } else {
    const what: Record<string, string> = { sip: 'a SIP endpoint', conference: 'a conference', sim: 'a Programmable Wireless SIM' };
    return notImported(`it connects to ${what[noun] ?? `a "${noun}"`}; Switchboard dials users, groups and phone numbers`);
  }
  const callerId = str(props.caller_id)?.trim();
  const shows = callerId === undefined || callerId === '' || variableOf(callerId) === 'contact.channel.address' || variableOf(callerId) === 'trigger.call.From'
    ? 'caller'
    : variableOf(callerId) === 'flow.channel.address' || variableOf(callerId) === 'trigger.call.To' ? 'number' : undefined;
  if (!shows) notes.push(`it showed "${excerpt(callerId!)}" as caller ID: the dial shows the caller's number`);
  const seconds = int(props.timeout);
  if (seconds !== undefined && (seconds < 5 || seconds > 120)) notes.push(`it rang ${seconds} s: now ${clamp(seconds, 5, 120)} s`);
  const record = bool(props.record) ?? false;
  const completed = transitionTo(state, 'callCompleted');
  if (completed) notes.push(`Studio went on to "${completed}" after every call; Switchboard goes there only when nobody answers (an answered call ends when it ends)`);
  return validated({
    type: 'dial',
    ...target,
    ...(seconds !== undefined ? { ringSeconds: clamp(seconds, 5, 120) } : {}),
    callerId: shows ?? 'caller',
    ...(record ? { record } : {}),
    noAnswer: completed ?? '',
  }, notes);
}

/**
 * The say-plays whose only transition leads to a record-voicemail that no other widget leads to: Studio's
 * way of saying "leave a message" before the beep, which a voicemail applet does with its prompt.
 */
export function voicemailPlans(states: ReadonlyMap<string, StudioState>): Map<string, string> {
  const into = new Map<string, Set<string>>();
  for (const s of states.values()) for (const t of s.transitions) if (t.next) (into.get(t.next) ?? into.set(t.next, new Set()).get(t.next)!).add(s.name);
  const plans = new Map<string, string>();
  for (const record of states.values()) {
    if (record.type !== 'record-voicemail') continue;
    const from = [...(into.get(record.name) ?? [])];
    const say = from.length === 1 ? states.get(from[0]) : undefined;
    if (say?.type === 'say-play' && say.transitions.every((t) => !t.next || t.next === record.name)) plans.set(say.name, record.name);
  }
  return plans;
}

function voicemail(state: StudioState, ctx: WidgetContext, prompt?: Prompt): WidgetResult {
  if (!ctx.mailbox) return notImported('no mailbox was chosen at import for the voicemails it records');
  const props = state.properties;
  const notes: string[] = [];
  if (!prompt) notes.push('Switchboard’s voicemail says "Please leave a message after the tone." before the beep; Studio’s only beeped');
  const max = int(props.max_length);
  const seconds = clamp(max ?? 3600, 5, 600);
  if (max === undefined || max !== seconds) notes.push(`it recorded up to ${max ?? 3600} s (${max === undefined ? 'Twilio’s default' : 'its max_length'}): now ${seconds} s`);
  const after = [...new Set(state.transitions.map((t) => t.next).filter((n): n is string => !!n))];
  if (after.length) notes.push(`what followed the recording (${after.map((n) => `"${n}"`).join(', ')}) is not reached: a voicemail ends the call, and the message lands in the mailbox`);
  if (str(props.transcription_callback_url) || str(props.recording_status_callback)) notes.push('its callback URLs are left out: the recording and transcript land in the mailbox');
  return validated({ type: 'voicemail', ...(prompt ? { prompt } : {}), mailbox: ctx.mailbox, maxSeconds: seconds, transcribe: bool(props.transcribe) ?? false }, notes);
}

/**
 * `enqueue-call` with a `queue_name` → a `queue` (DESIGN.md section 18): Twilio's own named queue either way.
 * Studio leaves dequeuing to something else (TaskRouter, an agent's app); Switchboard offers the callers to
 * people, so the mailbox chosen at import is who is offered them. A TaskRouter workflow is not imported.
 */
function enqueue(state: StudioState, ctx: WidgetContext): WidgetResult {
  const props = state.properties;
  const notes: string[] = [];
  const name = str(props.queue_name)?.trim();
  const workflow = str(props.workflow_sid)?.trim();
  if (!name) {
    return notImported(workflow
      ? `it hands the call to a TaskRouter workflow (${workflow}), whose routing rules Switchboard does not run`
      : 'it names neither a queue nor a TaskRouter workflow to put the caller in');
  }
  if (isLiquid(name)) return notImported(`its queue name is a Liquid template ("${excerpt(name)}"): Switchboard does not fill in Studio's variables`);
  if (!ctx.mailbox) return notImported('no mailbox was chosen at import: its user or group is who a queue’s callers are offered to');
  notes.push(`its callers are offered to the ${'user' in ctx.mailbox ? 'user' : 'group'} chosen as the mailbox at import (Studio left taking them to whatever dequeued the call)`);
  if (workflow) notes.push(`its TaskRouter workflow (${workflow}) is left out: the queue offers callers itself`);
  const waitUrl = str(props.wait_url)?.trim();
  if (waitUrl) notes.push(`its wait URL ("${excerpt(waitUrl)}") is left out: callers hear Switchboard’s hold prompt and their position every minute`);
  notes.push('Studio kept a caller until someone took the call; a caller now leaves the queue after 5 minutes');
  const complete = transitionTo(state, 'callComplete');
  const failed = transitionTo(state, 'failedToEnqueue') ?? transitionTo(state, 'callFailure');
  if (failed && failed !== complete) notes.push(`a failure to enqueue went to "${failed}": now a full queue or an error takes the same branch as a caller who leaves unanswered${complete ? ` ("${complete}")` : ''}`);
  if (complete) notes.push(`"${complete}" follows only a caller who leaves unanswered: after a conversation Switchboard ends the call`);
  return validated({ type: 'queue', name, targets: [ctx.mailbox], announceEverySeconds: 60, maxWaitSeconds: 300, timeout: complete ?? '' }, notes);
}

/** Who a send-message texts: the contact (the caller or sender) is the only one an applet answers. */
const SENDER = new Set(['contact.channel.address', 'trigger.message.From', 'trigger.call.From']);

function sendMessage(state: StudioState, channel: Channel): WidgetResult {
  const props = state.properties;
  const notes: string[] = [];
  const to = str(props.to)?.trim();
  if (to && !SENDER.has(variableOf(to) ?? '')) {
    return notImported(`it texts "${excerpt(to)}", not the ${channel === 'call' ? 'caller' : 'sender'}: a reply or text applet answers the ${channel === 'call' ? 'caller' : 'sender'} only`);
  }
  const body = str(props.body) ?? '';
  if (isLiquid(body)) return notImported(`its text is a Liquid template ("${excerpt(body)}"): Switchboard does not fill in Studio's variables`);
  const text = cleanText(body, MAX_SMS_TEXT);
  if (!text.text) return notImported(text.problem!);
  if (text.note) notes.push(text.note);
  const from = str(props.from)?.trim();
  if (from && variableOf(from) !== 'flow.channel.address' && variableOf(from) !== 'trigger.message.To' && variableOf(from) !== 'trigger.call.To') {
    notes.push(`it was sent from "${excerpt(from)}": now from the number the ${channel === 'call' ? 'caller called' : 'text came to'}`);
  }
  if (str(props.service) || str(props.channel)) notes.push('its Messaging Service or channel is left out: the text goes from the number');
  const sent = transitionTo(state, 'sent');
  const failed = transitionTo(state, 'failed');
  if (failed && failed !== sent) notes.push(`a failed send went to "${failed}": Switchboard goes on to "${sent ?? 'the end'}" either way`);
  const media = (Array.isArray(props.media_url) ? props.media_url : [props.media_url]).map(str).filter((m): m is string => !!m?.trim()).map((m) => m.trim());
  if (channel === 'call') {
    if (media.length) notes.push('its media are left out: a text to a caller carries words only');
    return validated({ type: 'text', text: text.text, next: sent ?? '' }, notes);
  }
  const https = media.filter((m) => /^https:\/\/\S+$/.test(m) && !isLiquid(m));
  if (https.length < media.length) notes.push('media that are not https URLs are left out');
  return validated({ type: 'reply', text: text.text, ...(https.length ? { media: https.slice(0, 10) } : {}), next: sent ?? '' }, notes);
}

// -------------------------------------------------------------------------------------------------

/**
 * The applet as the schema takes it (defaults filled in), or the schema's reason. Branches hold widget
 * names here: any name passes (they are checked once resolved to ids), so stand-in ids are used for them.
 */
function validated(applet: Record<string, unknown>, notes: string[]): WidgetResult {
  const checked = appletSchema.safeParse(withBranches(applet as Applet, (b) => (b ? 'x' : '')));
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return notImported(`it cannot be written as a ${String(applet.type)} applet: ${issue.path.join('.')} ${issue.message}`, notes);
  }
  return mapped(withBranches(checked.data, (_, i) => branchValues(applet as Applet)[i]), notes);
}

/** The branch targets of an applet in branchesOf's order. */
function branchValues(applet: Applet): string[] {
  const values: string[] = [];
  withBranches(applet, (b) => (values.push(b), b));
  return values;
}

/** A copy of `applet` with each branch target replaced, in branchesOf's order (next, options, fallback...). */
export function withBranches(applet: Applet, map: (target: string, index: number) => string): Applet {
  let i = 0;
  const m = (t: string | undefined) => map(t ?? '', i++);
  switch (applet.type) {
    case 'say':
    case 'text':
    case 'reply':
      return { ...applet, next: m(applet.next) };
    case 'menu':
      return { ...applet, options: Object.fromEntries(Object.entries(applet.options).map(([k, t]) => [k, m(t)])), fallback: m(applet.fallback) };
    case 'hours':
      return { ...applet, open: m(applet.open), closed: m(applet.closed) };
    case 'caller':
      return { ...applet, rules: applet.rules.map((r) => ({ ...r, next: m(r.next) })), otherwise: m(applet.otherwise) };
    case 'keyword':
      return { ...applet, rules: applet.rules.map((r) => ({ ...r, next: m(r.next) })), otherwise: m(applet.otherwise) };
    case 'dial':
      return { ...applet, noAnswer: m(applet.noAnswer) };
    default:
      return applet;
  }
}

/** The stand-in for a widget that could not be imported into a call: the call ends there. */
export const HANGUP: Applet = { type: 'hangup' };

export const isCallApplet = (type: AppletType) => (CALL_APPLETS as readonly string[]).includes(type);
export const isAppletId = (id: string) => APPLET_ID.test(id);

// Import from Twilio Studio, widget by widget (DESIGN.md section 18): what each Studio widget becomes, what
// stands in for the ones that cannot be carried over, and that the result is always a document the schema
// takes, with every widget in the report.
import fc from 'fast-check';
import { checkFlow } from '../../lambdas/flows/checker';
import type { Directory } from '../../lambdas/flows/people';
import { flowDocumentSchema, type Applet } from '../../lambdas/flows/schema';
import { DEFAULT_IMPORT_NAME, importStudioFlow, studioDefinitionSchema, type StudioImport, type StudioImportEntry, type StudioImportOptions } from '../../lambdas/flows/studio-import';
import { fieldIssues } from '../../lambdas/admin/http';

// ---------------------------------------------------------------------------------------------------
// Building definitions as Studio writes them

type Json = Record<string, unknown>;
type Transition = { event: string; next?: string; conditions?: Json[] };

const offset = { offset: { x: 0, y: 0 } };
const widget = (name: string, type: string, transitions: Transition[], properties: Json = {}) => ({ name, type, transitions, properties: { ...offset, ...properties } });
const trigger = (call?: string, sms?: string, more: Transition[] = []) =>
  widget('Trigger', 'trigger', [{ event: 'incomingMessage', ...(sms ? { next: sms } : {}) }, { event: 'incomingCall', ...(call ? { next: call } : {}) }, ...more]);

const say = (name: string, text: string, next?: string, props: Json = {}) => widget(name, 'say-play', [{ event: 'audioComplete', ...(next ? { next } : {}) }], { say: text, ...props });
const gather = (name: string, text: string, t: { keypress?: string; timeout?: string; speech?: string }, props: Json = {}) =>
  widget(name, 'gather-input-on-call', [
    { event: 'keypress', ...(t.keypress ? { next: t.keypress } : {}) },
    { event: 'speech', ...(t.speech ? { next: t.speech } : {}) },
    { event: 'timeout', ...(t.timeout ? { next: t.timeout } : {}) },
  ], { say: text, number_of_digits: 1, timeout: 5, ...props });
const condition = (input: string, type: string, value: string) => ({ friendly_name: value, arguments: [`{{${input}}}`], type, value });
const split = (name: string, input: string, matches: Array<[string, string, string?]>, noMatch?: string) =>
  widget(name, 'split-based-on', [
    { event: 'noMatch', ...(noMatch ? { next: noMatch } : {}) },
    ...matches.map(([type, value, next]) => ({ event: 'match', ...(next ? { next } : {}), conditions: [condition(input, type, value)] })),
  ], { input: `{{${input}}}` });
const hangupless = (name: string, type: string, next?: string) => widget(name, type, [{ event: 'success', ...(next ? { next } : {}) }]);

function definition(states: Json[], start: { call?: string; sms?: string; more?: Transition[] } = {}) {
  return studioDefinitionSchema.parse({ description: 'A New Flow', initial_state: 'Trigger', flags: { allow_concurrent_calls: true }, states: [trigger(start.call, start.sms, start.more), ...states] });
}

const MAILBOX = { group: 'grp_sales' };
function run(states: Json[], start: { call?: string; sms?: string; more?: Transition[] }, options: StudioImportOptions = { mailbox: MAILBOX }): StudioImport {
  const result = importStudioFlow(definition(states, start), options);
  // Whatever the definition, the document is one the schema takes and every widget is in the report.
  expect(flowDocumentSchema.safeParse(result.document).success).toBe(true);
  return result;
}

const entryOf = (r: StudioImport, name: string, channel?: 'call' | 'sms'): StudioImportEntry => {
  const found = r.report.find((e) => e.widget === name && (channel === undefined || e.channel === channel));
  if (!found) throw new Error(`no report entry for ${name}${channel ? ` in the ${channel} part` : ''}: ${JSON.stringify(r.report)}`);
  return found;
};
const callApplet = (r: StudioImport, id: string): Applet => r.document.call!.applets[id];
const smsApplet = (r: StudioImport, id: string): Applet => r.document.sms!.applets[id];

const directory: Directory = {
  users: new Map([['usr_ann', { id: 'usr_ann', name: 'Ann', phone: '+15550200001', client: 'ann', available: true }]]),
  groups: new Map([['grp_sales', { id: 'grp_sales', name: 'Sales', members: ['usr_ann'] }]]),
  flowIds: new Set(),
};
const codes = (r: StudioImport) => checkFlow(r.document, directory).map((p) => `${p.severity}:${p.code}:${p.applet ?? ''}${p.branch ? `.${p.branch}` : ''}`);

// ---------------------------------------------------------------------------------------------------

describe('the definition', () => {
  const issues = (value: unknown) => {
    const r = studioDefinitionSchema.safeParse(value);
    return r.success ? [] : fieldIssues(r.error, 'definition').map((i) => i.path);
  };

  test('anything but an object with states and initial_state is refused at `definition`', () => {
    expect(issues('flow.json')).toEqual(['definition']);
    expect(issues([])).toEqual(['definition']);
    expect(issues({})).toEqual(['definition.states', 'definition.initial_state']);
  });

  test('a widget without a type is named by its index', () => {
    expect(issues({ initial_state: 'Trigger', states: [trigger(), { name: 'hello', transitions: [] }] })).toEqual(['definition.states.1.type']);
  });

  test('initial_state must name a widget, and that widget must be the trigger', () => {
    expect(issues({ initial_state: 'Start', states: [trigger()] })).toEqual(['definition.initial_state']);
    expect(issues({ initial_state: 'hi', states: [trigger(), say('hi', 'Hello')] })).toEqual(['definition.initial_state']);
  });

  test('two widgets of one name are refused (transitions name widgets)', () => {
    expect(issues({ initial_state: 'Trigger', states: [trigger(), say('hi', 'a'), say('hi', 'b')] })).toEqual(['definition.states.2.name']);
  });

  test('fields Studio adds over the years are kept and ignored', () => {
    expect(issues({ initial_state: 'Trigger', states: [{ ...trigger(), color: 'blue' }], flags: { allow_concurrent_calls: true }, new_field: 1 })).toEqual([]);
  });
});

describe('trigger', () => {
  test('incomingCall starts the call part and incomingMessage the sms part', () => {
    const r = run([say('hello', 'Hello.'), widget('hi', 'send-message', [{ event: 'sent' }], { body: 'Hi!', to: '{{contact.channel.address}}' })], { call: 'hello', sms: 'hi' });
    expect(r.document.call?.start).toBe('hello');
    expect(r.document.sms?.start).toBe('hi');
    expect(entryOf(r, 'Trigger')).toMatchObject({ status: 'mapped', as: 'start' });
  });

  test('without incoming call or message there are no parts; widgets only a REST execution reaches are reported as such', () => {
    const r = run([say('hello', 'Hello.')], { more: [{ event: 'incomingRequest', next: 'hello' }] });
    expect(r.document.call).toBeUndefined();
    expect(r.document.sms).toBeUndefined();
    expect(entryOf(r, 'Trigger').notes).toEqual(expect.arrayContaining([expect.stringContaining('REST API executions')]));
    expect(entryOf(r, 'hello')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('REST API executions') });
    expect(entryOf(r, 'hello').channel).toBeUndefined();
  });

  test('the flow is named as asked, else by its description, else by default', () => {
    expect(run([], {}, { name: 'Front desk' }).document.name).toBe('Front desk');
    expect(run([], {}).document.name).toBe('A New Flow');
    expect(importStudioFlow(studioDefinitionSchema.parse({ initial_state: 'Trigger', states: [trigger()] })).document.name).toBe(DEFAULT_IMPORT_NAME);
  });
});

describe('say-play → say', () => {
  test('text, voice, language and loop carry over; audioComplete is next', () => {
    const r = run([say('hello', 'Thanks for calling.', 'bye', { voice: 'Polly.Joanna', language: 'en-US', loop: 2 }), say('bye', 'Bye.')], { call: 'hello' });
    expect(callApplet(r, 'hello')).toEqual({ type: 'say', prompt: { text: 'Thanks for calling.', voice: 'Polly.Joanna', language: 'en-US' }, loop: 2, next: 'bye' });
    expect(entryOf(r, 'hello')).toMatchObject({ status: 'mapped', channel: 'call', applet: 'hello', as: 'say' });
  });

  test('a played https URL is a play prompt', () => {
    const r = run([widget('music', 'say-play', [{ event: 'audioComplete' }], { play: 'https://example.com/hold.mp3', loop: 1 })], { call: 'music' });
    expect(callApplet(r, 'music')).toMatchObject({ type: 'say', prompt: { play: 'https://example.com/hold.mp3' } });
  });

  test('a voice Twilio does not offer, or a language the voice does not speak, is left out with a note', () => {
    const r = run([say('a', 'One.', 'b', { voice: 'Polly.Nobody' }), say('b', 'Two.', undefined, { voice: 'Polly.Joanna', language: 'fr-FR' })], { call: 'a' });
    expect((callApplet(r, 'a') as { prompt: object }).prompt).toEqual({ text: 'One.' });
    expect((callApplet(r, 'b') as { prompt: object }).prompt).toEqual({ text: 'Two.', voice: 'Polly.Joanna' });
    expect(entryOf(r, 'a').notes).toEqual([expect.stringContaining('Polly.Nobody')]);
    expect(entryOf(r, 'b').notes).toEqual([expect.stringContaining('does not speak fr-FR')]);
  });

  test('loop 0 (until the caller hangs up) plays 10 times', () => {
    const r = run([say('a', 'Hold on.', undefined, { loop: 0 })], { call: 'a' });
    expect(callApplet(r, 'a')).toMatchObject({ loop: 10 });
    expect(entryOf(r, 'a').notes).toEqual([expect.stringContaining('until the caller hung up')]);
  });

  test('a Liquid template is not imported: a hangup with its name stands in its place, so the branch into it still leads there', () => {
    const r = run([say('hello', 'Hello.', 'order'), say('order', 'Your order {{flow.variables.order}} shipped.', 'bye'), say('bye', 'Bye.')], { call: 'hello' });
    expect(entryOf(r, 'order')).toMatchObject({ status: 'not_imported', channel: 'call', standIn: 'hangup', applet: 'order', reason: expect.stringContaining('Liquid') });
    expect(callApplet(r, 'order')).toEqual({ type: 'hangup', label: 'order (not imported: say-play)' });
    expect(callApplet(r, 'hello')).toMatchObject({ next: 'order' });
    // What followed it is imported, unreachable now: the checker says so.
    expect(codes(r)).toContain('warning:unreachable:bye');
  });

  test('in a text flow it is not imported and the text flow ends there', () => {
    const r = run([widget('hi', 'send-message', [{ event: 'sent', next: 'spoken' }], { body: 'Hi', to: '{{contact.channel.address}}' }), say('spoken', 'Hello.')], { sms: 'hi' });
    expect(entryOf(r, 'spoken', 'sms')).toMatchObject({ status: 'not_imported', standIn: 'end' });
    expect(smsApplet(r, 'hi')).toMatchObject({ type: 'reply', next: '' });
    expect(r.document.sms!.applets.spoken).toBeUndefined();
  });
});

describe('gather-input-on-call + split-based-on its Digits → menu', () => {
  const menuFlow = (noMatch: string | undefined, timeout: string | undefined) => [
    gather('main', 'For sales press 1. For support press 2.', { keypress: 'route', timeout }, { voice: 'Polly.Joanna' }),
    split('route', 'widgets.main.Digits', [['equal_to', '1', 'sales'], ['equal_to', ' 2 ', 'support'], ['matches_any_of', '7, 8', 'sales'], ['starts_with', '#', 'operator']], noMatch),
    say('sales', 'Sales.'), say('support', 'Support.'), say('operator', 'Operator.'), say('sorry', 'Sorry.'), say('bye', 'Goodbye.'),
  ];

  test('keys come from equal_to, matches_any_of and starts_with; noMatch is the fallback; one try, as in Studio', () => {
    const r = run(menuFlow('sorry', 'sorry'), { call: 'main' });
    expect(callApplet(r, 'main')).toEqual({
      type: 'menu',
      prompt: { text: 'For sales press 1. For support press 2.', voice: 'Polly.Joanna' },
      options: { '1': 'sales', '2': 'support', '7': 'sales', '8': 'sales', '#': 'operator' },
      attempts: 1,
      timeoutSeconds: 5,
      fallback: 'sorry',
    });
    expect(entryOf(r, 'main')).toMatchObject({ status: 'mapped', as: 'menu', applet: 'main' });
    // The split is no applet of its own: it became the menu's keys.
    expect(entryOf(r, 'route')).toMatchObject({ status: 'mapped', as: 'menu', applet: 'main' });
    expect(r.document.call!.applets.route).toBeUndefined();
  });

  test('a timeout that goes elsewhere than a wrong key is reported', () => {
    const r = run(menuFlow('sorry', 'bye'), { call: 'main' });
    expect(callApplet(r, 'main')).toMatchObject({ fallback: 'sorry' });
    expect(entryOf(r, 'main').notes).toEqual([expect.stringContaining('silence to "bye"')]);
  });

  test('a noMatch back to the gather is Studio asking again: three attempts, then where silence went', () => {
    const r = run(menuFlow('main', 'bye'), { call: 'main' });
    expect(callApplet(r, 'main')).toMatchObject({ attempts: 3, fallback: 'bye' });
  });

  test('asking again without end leaves the fallback for the user to choose: the checker calls it a dead end', () => {
    const r = run(menuFlow('main', 'main'), { call: 'main' });
    expect(callApplet(r, 'main')).toMatchObject({ attempts: 3, fallback: '' });
    expect(entryOf(r, 'main').notes).toEqual([expect.stringContaining('asked again without end')]);
    expect(codes(r)).toContain('error:missing_branch:main.fallback');
  });

  test('several digits (an account number, a PIN) are not a menu: gather and split stand in as hangups', () => {
    const r = run([gather('pin', 'Enter your PIN.', { keypress: 'check' }, { number_of_digits: 4 }), split('check', 'widgets.pin.Digits', [['equal_to', '1234', 'ok'], ['equal_to', '0', 'ok']]), say('ok', 'OK.')], { call: 'pin' });
    expect(entryOf(r, 'pin')).toMatchObject({ status: 'not_imported', standIn: 'hangup', reason: expect.stringContaining('several digits (1234)') });
    expect(entryOf(r, 'check')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('did not become a menu') });
    expect(callApplet(r, 'pin').type).toBe('hangup');
  });

  test('a keypress straight to a widget: every key leads there; spoken answers are reported', () => {
    const r = run([gather('hold', 'Press any key to be connected.', { keypress: 'connect', timeout: 'connect', speech: 'connect' }), say('connect', 'Connecting.')], { call: 'hold' });
    const menu = callApplet(r, 'hold') as { options: Record<string, string>; fallback: string };
    expect(Object.keys(menu.options).sort()).toEqual(['#', '*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(new Set(Object.values(menu.options))).toEqual(new Set(['connect']));
    expect(menu.fallback).toBe('connect');
    expect(entryOf(r, 'hold').notes).toEqual([expect.stringContaining('spoken answers')]);
  });

  test('a transition into the merged split from elsewhere leads to the menu', () => {
    const r = run([...menuFlow('sorry', 'sorry').filter((w) => w.name !== 'sorry'), say('sorry', 'Sorry.', 'route')], { call: 'main' });
    expect(callApplet(r, 'sorry')).toMatchObject({ next: 'main' });
  });

  test('conditions on the spoken answer are left out; the wait is kept within 1-30 s', () => {
    const states = menuFlow('sorry', undefined);
    (states[1].transitions as Transition[]).push({ event: 'match', next: 'sales', conditions: [condition('widgets.main.SpeechResult', 'contains', 'sales')] });
    (states[0].properties as Json).timeout = 60;
    const r = run(states, { call: 'main' });
    expect(callApplet(r, 'main')).toMatchObject({ timeoutSeconds: 30 });
    expect(entryOf(r, 'main').notes).toEqual(expect.arrayContaining([expect.stringContaining('widgets.main.SpeechResult'), expect.stringContaining('now 30 s')]));
  });
});

describe('split-based-on the text → keyword', () => {
  const keywords = (matches: Array<[string, string, string?]>) =>
    run([split('words', 'trigger.message.Body', matches, 'other'), widget('other', 'send-message', [{ event: 'sent' }], { body: 'Other', to: '{{contact.channel.address}}' }), widget('yes', 'send-message', [{ event: 'sent' }], { body: 'Yes!' })], { sms: 'words' });

  test('equal_to, matches_any_of and starts_with one word become keywords (the text’s first word); noMatch is otherwise', () => {
    const r = keywords([['equal_to', 'YES', 'yes'], ['matches_any_of', 'sales, buy', 'yes'], ['starts_with', 'info', 'yes']]);
    expect(smsApplet(r, 'words')).toEqual({ type: 'keyword', rules: [{ keywords: ['YES'], next: 'yes' }, { keywords: ['sales', 'buy'], next: 'yes' }, { keywords: ['info'], next: 'yes' }], otherwise: 'other' });
    expect(entryOf(r, 'words').notes).toEqual(expect.arrayContaining([expect.stringContaining('matches its first word'), expect.stringContaining('whole first word')]));
  });

  test('phrases and other conditions are reported and left out', () => {
    const r = keywords([['equal_to', 'CONFIRM APPT', 'yes'], ['contains', 'help', 'yes'], ['matches_any_of', 'stop now, quit', 'yes']]);
    expect(smsApplet(r, 'words')).toMatchObject({ rules: [{ keywords: ['quit'], next: 'yes' }] });
    expect(entryOf(r, 'words').notes).toEqual(expect.arrayContaining([expect.stringContaining('"CONFIRM APPT"'), expect.stringContaining('"contains" condition'), expect.stringContaining('"stop now"')]));
  });

  test('a keyword the carrier answers (STOP, HELP) is imported, and the checker warns about it', () => {
    const r = keywords([['equal_to', 'HELP', 'yes']]);
    expect(codes(r)).toContain('warning:reserved_keyword:words');
  });

  test('a split on the text in a call is not imported', () => {
    const r = run([split('words', 'trigger.message.Body', [['equal_to', 'YES', 'x']])], { call: 'words' });
    expect(entryOf(r, 'words')).toMatchObject({ status: 'not_imported', standIn: 'hangup' });
  });
});

describe('split-based-on the caller → caller', () => {
  test('numbers, lists of numbers and prefixes; noMatch is otherwise', () => {
    const r = run([
      split('who', 'trigger.call.From', [['equal_to', '+15550100009', 'vip'], ['matches_any_of', '+15550100010, 15550100011', 'vip'], ['starts_with', '+1212', 'ny'], ['equal_to', 'nobody', 'vip']], 'all'),
      say('vip', 'VIP.'), say('ny', 'New York.'), say('all', 'Hello.'),
    ], { call: 'who' });
    expect(callApplet(r, 'who')).toEqual({
      type: 'caller',
      rules: [{ numbers: ['+15550100009'], next: 'vip' }, { numbers: ['+15550100010', '+15550100011'], next: 'vip' }, { prefixes: ['+1212'], next: 'ny' }],
      otherwise: 'all',
    });
    expect(entryOf(r, 'who').notes).toEqual(expect.arrayContaining([expect.stringContaining('read as +15550100011'), expect.stringContaining('"nobody" is not a phone number')]));
  });

  test('contact.channel.address in a text flow is the sender', () => {
    const r = run([split('who', 'contact.channel.address', [['equal_to', '+15550100009', 'hi']]), widget('hi', 'send-message', [{ event: 'sent' }], { body: 'Hi boss' })], { sms: 'who' });
    expect(smsApplet(r, 'who')).toMatchObject({ type: 'caller', rules: [{ numbers: ['+15550100009'], next: 'hi' }], otherwise: '' });
  });

  test('a split on anything else (an HTTP answer, a variable) is not imported', () => {
    const r = run([split('open', 'widgets.check_hours.parsed.isOpen', [['equal_to', 'true', 'x']])], { call: 'open' });
    expect(entryOf(r, 'open')).toMatchObject({ status: 'not_imported', standIn: 'hangup', reason: expect.stringContaining('{{widgets.check_hours.parsed.isOpen}}') });
  });
});

describe('connect-call-to → dial', () => {
  const connect = (props: Json, completed?: string) => widget('ring', 'connect-call-to', [{ event: 'callCompleted', ...(completed ? { next: completed } : {}) }, { event: 'hangup' }], props);

  test('a number, its ring time and caller ID; callCompleted is noAnswer (reported: Studio went on after answered calls too)', () => {
    const r = run([connect({ noun: 'number', to: '+15550200002', timeout: 20, caller_id: '{{flow.channel.address}}', record: true }, 'vm'), widget('vm', 'record-voicemail', [{ event: 'recordingComplete' }], { max_length: 120, transcribe: true })], { call: 'ring' });
    expect(callApplet(r, 'ring')).toMatchObject({ type: 'dial', number: '+15550200002', ringSeconds: 20, callerId: 'number', record: true, noAnswer: 'vm' });
    expect(entryOf(r, 'ring').notes).toEqual([expect.stringContaining('only when nobody answers')]);
  });

  test('several numbers ring at once in Studio: the dial rings the first, the others are reported', () => {
    const r = run([connect({ noun: 'number-multi', to: '+15550200002,+15550200003, +15550200004' })], { call: 'ring' });
    expect(callApplet(r, 'ring')).toMatchObject({ number: '+15550200002', callerId: 'caller' });
    expect(entryOf(r, 'ring').notes).toEqual(expect.arrayContaining([expect.stringContaining('+15550200003, +15550200004 left out')]));
  });

  test('a client identity rings the user who has it; an unknown one is not imported', () => {
    const known = run([connect({ noun: 'client', to: 'ann' })], { call: 'ring' }, { clients: new Map([['ann', 'usr_ann']]) });
    expect(callApplet(known, 'ring')).toMatchObject({ type: 'dial', user: 'usr_ann' });
    const unknown = run([connect({ noun: 'client', to: 'zed' })], { call: 'ring' });
    expect(entryOf(unknown, 'ring')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('"zed"') });
  });

  test('SIP, conferences and Liquid targets are not imported', () => {
    for (const props of [{ noun: 'sip', sip_endpoint: 'sip:desk@example.com' }, { noun: 'conference', to: 'CFxxx' }, { noun: 'number', to: '{{flow.variables.agent}}' }]) {
      expect(entryOf(run([connect(props)], { call: 'ring' }), 'ring')).toMatchObject({ status: 'not_imported', standIn: 'hangup' });
    }
  });
});

describe('record-voicemail → voicemail', () => {
  const record = (props: Json, next?: string) => widget('vm', 'record-voicemail', [{ event: 'recordingComplete', ...(next ? { next } : {}) }, { event: 'noAudio' }, { event: 'hangup' }], props);

  test('lands in the mailbox chosen at import, with its length and transcription; what followed is reported', () => {
    const r = run([record({ max_length: 90, transcribe: true, play_beep: true }, 'thanks'), say('thanks', 'Thanks.')], { call: 'vm' }, { mailbox: { user: 'usr_ann' } });
    expect(callApplet(r, 'vm')).toEqual({ type: 'voicemail', mailbox: { user: 'usr_ann' }, maxSeconds: 90, transcribe: true, notify: false });
    expect(entryOf(r, 'vm').notes).toEqual([expect.stringContaining('"Please leave a message after the tone." before the beep'), expect.stringContaining('"thanks"')]);
  });

  test('a say-play that leads only to it is its prompt: one voicemail applet says it, then records', () => {
    const r = run([say('hello', 'Hello.', 'leave'), say('leave', 'Leave us a message.', 'vm', { voice: 'Polly.Joanna' }), record({ max_length: 60 })], { call: 'hello' });
    expect(callApplet(r, 'leave')).toEqual({ type: 'voicemail', prompt: { text: 'Leave us a message.', voice: 'Polly.Joanna' }, mailbox: MAILBOX, maxSeconds: 60, transcribe: false, notify: false });
    expect(r.document.call!.applets.vm).toBeUndefined();
    expect(callApplet(r, 'hello')).toMatchObject({ next: 'leave' });
    expect(entryOf(r, 'leave')).toMatchObject({ status: 'mapped', as: 'voicemail', applet: 'leave' });
    expect(entryOf(r, 'vm')).toMatchObject({ status: 'mapped', as: 'voicemail', applet: 'leave' });
    expect(codes(r)).toEqual(['warning:no_sms_part:']);
  });

  test('a recording that several widgets lead to keeps its own applet, with the default prompt', () => {
    const r = run([gather('menu', 'Press 1 to leave a message.', { keypress: 'vm', timeout: 'leave' }), say('leave', 'Leave us a message.', 'vm'), record({})], { call: 'menu' });
    expect(callApplet(r, 'leave')).toMatchObject({ type: 'say', next: 'vm' });
    expect(callApplet(r, 'vm')).toMatchObject({ type: 'voicemail', mailbox: MAILBOX });
  });

  test('Twilio’s default length (an hour) becomes the longest a voicemail takes, 600 s', () => {
    expect(callApplet(run([record({})], { call: 'vm' }), 'vm')).toMatchObject({ maxSeconds: 600 });
  });

  test('without a mailbox it is not imported', () => {
    const r = run([record({})], { call: 'vm' }, {});
    expect(entryOf(r, 'vm')).toMatchObject({ status: 'not_imported', standIn: 'hangup', reason: expect.stringContaining('no mailbox') });
  });
});

describe('send-message → reply (text flow) or text (call)', () => {
  const message = (props: Json, sent?: string, failed?: string) => widget('msg', 'send-message', [{ event: 'sent', ...(sent ? { next: sent } : {}) }, { event: 'failed', ...(failed ? { next: failed } : {}) }], props);

  test('in a text flow it replies, with its https media; sent is next; a different failed is reported', () => {
    const r = run([message({ body: 'Thanks!', to: '{{contact.channel.address}}', from: '{{flow.channel.address}}', media_url: 'https://example.com/a.png' }, 'again', 'oops'), message2('again'), message2('oops')], { sms: 'msg' });
    expect(smsApplet(r, 'msg')).toEqual({ type: 'reply', text: 'Thanks!', media: ['https://example.com/a.png'], next: 'again' });
    expect(entryOf(r, 'msg').notes).toEqual([expect.stringContaining('"oops"')]);
  });

  test('in a call it texts the caller', () => {
    const r = run([message({ body: 'Here is our address.' }, 'bye'), say('bye', 'Bye.')], { call: 'msg' });
    expect(callApplet(r, 'msg')).toEqual({ type: 'text', text: 'Here is our address.', next: 'bye' });
  });

  test('a text to someone else, or a Liquid body, is not imported', () => {
    expect(entryOf(run([message({ body: 'New lead', to: '+15550200009' })], { sms: 'msg' }), 'msg')).toMatchObject({ status: 'not_imported', standIn: 'end', reason: expect.stringContaining('not the sender') });
    expect(entryOf(run([message({ body: 'Hi {{contact.name}}' })], { call: 'msg' }), 'msg')).toMatchObject({ status: 'not_imported', standIn: 'hangup', reason: expect.stringContaining('Liquid') });
  });

  test('one widget both parts reach is imported into each, as what each part does', () => {
    const r = run([message({ body: 'See you soon.' })], { call: 'msg', sms: 'msg' });
    expect(callApplet(r, 'msg').type).toBe('text');
    expect(smsApplet(r, 'msg').type).toBe('reply');
    expect(r.report.filter((e) => e.widget === 'msg').map((e) => e.channel).sort()).toEqual(['call', 'sms']);
  });
});
const message2 = (name: string, next?: string) => widget(name, 'send-message', [{ event: 'sent', ...(next ? { next } : {}) }], { body: name });

describe('widgets Switchboard has no applet for', () => {
  // An enqueue-call that names no queue is one of them (with a queue_name it is a queue: below).
  const types = ['add-twiml-redirect', 'make-http-request', 'run-function', 'set-variables', 'send-to-flex', 'send-and-wait-for-reply', 'capture-payments', 'connect-virtual-agent', 'enqueue-call', 'a-widget-from-the-future'];

  test.each(types)('%s: not imported, with a reason; a hangup stands in for it in a call', (type) => {
    const r = run([say('hello', 'Hello.', 'it'), hangupless('it', type, 'after'), say('after', 'After.')], { call: 'hello' });
    const entry = entryOf(r, 'it');
    expect(entry).toMatchObject({ status: 'not_imported', channel: 'call', standIn: 'hangup', applet: 'it' });
    expect(entry.reason!.split(' ').length).toBeGreaterThan(4);
    expect(callApplet(r, 'it')).toMatchObject({ type: 'hangup' });
    expect(callApplet(r, 'hello')).toMatchObject({ next: 'it' });
  });

  test.each(types.filter((t) => !['add-twiml-redirect', 'send-to-flex', 'capture-payments', 'connect-virtual-agent', 'enqueue-call'].includes(t)))('%s in a text flow: the flow ends there', (type) => {
    const r = run([message2('hello', 'it'), hangupless('it', type)], { sms: 'hello' });
    expect(entryOf(r, 'it', 'sms')).toMatchObject({ status: 'not_imported', standIn: 'end' });
    expect(smsApplet(r, 'hello')).toMatchObject({ next: '' });
  });

  test('a text flow that starts with one has no sms part (texts land in unrouted); everything after it is reported', () => {
    const r = run([widget('ask', 'send-and-wait-for-reply', [{ event: 'incomingMessage', next: 'thanks' }, { event: 'timeout' }], { body: 'Name?' }), message2('thanks')], { sms: 'ask' });
    expect(r.document.sms).toBeUndefined();
    expect(entryOf(r, 'ask')).toMatchObject({ status: 'not_imported', standIn: 'end' });
    expect(entryOf(r, 'thanks')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('no sms part') });
  });
});

describe('enqueue-call', () => {
  const enqueue = (props: Json, transitions: Transition[] = [{ event: 'callComplete', next: 'sorry' }, { event: 'failedToEnqueue', next: 'oops' }, { event: 'callFailure' }]) =>
    widget('hold', 'enqueue-call', transitions, props);

  test('a named queue becomes a queue applet offering its callers to the chosen mailbox; leaving unanswered goes on as Studio did', () => {
    const r = run([say('hello', 'Hello.', 'hold'), enqueue({ queue_name: 'Support', wait_url: 'https://example.com/hold.xml' }), say('sorry', 'Nobody is free.'), say('oops', 'Oops.')], { call: 'hello' });
    expect(callApplet(r, 'hold')).toEqual({ type: 'queue', name: 'Support', targets: [MAILBOX], announceEverySeconds: 60, maxWaitSeconds: 300, timeout: 'sorry' });
    const entry = entryOf(r, 'hold');
    expect(entry.status).toBe('mapped');
    expect(entry.notes).toEqual(expect.arrayContaining([
      expect.stringContaining('offered to the'),
      expect.stringContaining('wait URL'),
      expect.stringContaining('after 5 minutes'),
      expect.stringContaining('"oops"'),
    ]));
    // The failure branch is imported (every widget a transition reaches is) but no branch of the queue leads to it.
    expect(Object.values(callApplet(r, 'hold'))).not.toContain('oops');
    // The checker finds nothing wrong with the queue itself (the test's says end without a next: their own errors).
    expect(codes(r).filter((c) => c.includes(':hold'))).toEqual([]);
  });

  test('a TaskRouter workflow, a Liquid queue name or no mailbox: not imported, each with its reason', () => {
    expect(entryOf(run([enqueue({ workflow_sid: 'WW0123456789abcdef0123456789abcdef' })], { call: 'hold' }), 'hold')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('TaskRouter workflow') });
    expect(entryOf(run([enqueue({ queue_name: '{{flow.variables.q}}' })], { call: 'hold' }), 'hold')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('Liquid') });
    expect(entryOf(run([enqueue({ queue_name: 'Support' })], { call: 'hold' }, {}), 'hold')).toMatchObject({ status: 'not_imported', standIn: 'hangup', reason: expect.stringContaining('no mailbox') });
  });

  test('a queue name longer than Twilio’s 64 characters is not imported, naming the limit', () => {
    const entry = entryOf(run([enqueue({ queue_name: 'q'.repeat(65) })], { call: 'hold' }), 'hold');
    expect(entry).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('name') });
  });
});

describe('names, ids and labels', () => {
  test('widget names become valid, unique applet ids; the name is the label where the id had to change it', () => {
    const r = run([say('Main Menu!', 'Hi.', 'Main_Menu_'), say('Main_Menu_', 'Again.', '__proto__'), say('__proto__', 'Proto.', 'x'.repeat(100)), say('x'.repeat(100), 'Long.')], { call: 'Main Menu!' });
    const ids = Object.keys(r.document.call!.applets);
    expect(ids).toEqual(['Main_Menu_', 'Main_Menu__2', '__proto___w', 'x'.repeat(64)]);
    expect(callApplet(r, 'Main_Menu_')).toMatchObject({ label: 'Main Menu!', next: 'Main_Menu__2' });
    expect(callApplet(r, 'Main_Menu__2')).toMatchObject({ label: 'Main_Menu_' });
    expect(callApplet(r, 'x'.repeat(64))).toMatchObject({ label: 'x'.repeat(80) });
    expect(r.document.call!.start).toBe('Main_Menu_');
    expect(entryOf(r, 'Main_Menu_').applet).toBe('Main_Menu__2');
  });
});

describe('the graph', () => {
  test('a cycle is imported once; one that never waits is the checker’s loop_without_input', () => {
    const r = run([say('a', 'A.', 'b'), say('b', 'B.', 'a')], { call: 'a' });
    expect(callApplet(r, 'b')).toMatchObject({ next: 'a' });
    expect(codes(r)).toEqual(expect.arrayContaining([expect.stringMatching(/^error:loop_without_input/)]));
  });

  test('a transition to a widget that does not exist is left empty and reported; the checker calls it a dead end', () => {
    const r = run([say('a', 'A.', 'ghost')], { call: 'a' });
    expect(callApplet(r, 'a')).toMatchObject({ next: '' });
    expect(entryOf(r, 'a').notes).toEqual([expect.stringContaining('"ghost", which is not a widget')]);
    expect(codes(r)).toContain('error:missing_branch:a.next');
  });

  test('a widget nothing reaches is in the report, not imported', () => {
    const r = run([say('a', 'A.'), say('orphan', 'Nobody hears me.')], { call: 'a' });
    expect(entryOf(r, 'orphan')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('no incoming call or text reaches it') });
  });

  test('a part holds at most 200 applets: the farthest are reported', () => {
    const chain = Array.from({ length: 205 }, (_, i) => say(`s${i}`, `Step ${i}.`, i < 204 ? `s${i + 1}` : undefined));
    const r = run(chain, { call: 's0' });
    expect(Object.keys(r.document.call!.applets)).toHaveLength(200);
    expect(entryOf(r, 's200')).toMatchObject({ status: 'not_imported', reason: expect.stringContaining('at most 200') });
    expect(callApplet(r, 's199')).toMatchObject({ next: '' });
  });
});

describe('any definition', () => {
  const TYPES = ['say-play', 'gather-input-on-call', 'split-based-on', 'connect-call-to', 'record-voicemail', 'send-message', 'run-function', 'set-variables', 'enqueue-call', 'trigger', 'odd'];
  const EVENTS = ['audioComplete', 'keypress', 'timeout', 'speech', 'noMatch', 'match', 'callCompleted', 'sent', 'failed', 'recordingComplete', 'success'];
  const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('Hello.', '{{trigger.call.From}}', '+15550100001', '1', 'YES', 'https://example.com/a.mp3', '\u0000bad', 'x'.repeat(1700)));
  const inputs = fc.constantFrom('{{widgets.w0.Digits}}', '{{widgets.w1.Digits}}', '{{trigger.message.Body}}', '{{trigger.call.From}}', '{{contact.channel.address}}', '{{flow.variables.x}}', '');
  const definitions = fc.integer({ min: 1, max: 12 }).chain((n) => {
    const names = fc.constantFrom(...Array.from({ length: n }, (_, i) => `w${i}`), 'nowhere', 'Trigger');
    const state = (i: number) => fc.record({
      name: fc.constant(`w${i}`),
      type: fc.constantFrom(...TYPES.filter((t) => t !== 'trigger')),
      transitions: fc.array(fc.record({
        event: fc.constantFrom(...EVENTS),
        next: fc.option(names, { nil: undefined }),
        conditions: fc.option(fc.array(fc.record({ type: fc.constantFrom('equal_to', 'matches_any_of', 'starts_with', 'contains', 'regex'), arguments: fc.array(inputs, { maxLength: 1 }), value: text }), { maxLength: 2 }), { nil: undefined }),
      }), { maxLength: 4 }),
      properties: fc.record({ say: text, play: text, to: text, body: text, input: inputs, noun: fc.constantFrom('number', 'number-multi', 'client', 'sip'), timeout: fc.integer({ min: -5, max: 5000 }), loop: fc.integer({ min: -1, max: 20 }), max_length: fc.integer({ min: 0, max: 9999 }), voice: fc.constantFrom('Polly.Joanna', 'alice', 'robot') }, { requiredKeys: [] }),
    });
    return fc.record({
      states: fc.tuple(...Array.from({ length: n }, (_, i) => state(i))),
      call: fc.option(names, { nil: undefined }),
      sms: fc.option(names, { nil: undefined }),
      mailbox: fc.boolean(),
    });
  });

  test('imports to a document the schema takes, with every widget in the report', () => {
    fc.assert(fc.property(definitions, ({ states, call, sms, mailbox }) => {
      const def = definition(states, { call, sms });
      const { document, report } = importStudioFlow(def, mailbox ? { mailbox: MAILBOX } : {});
      expect(flowDocumentSchema.safeParse(document).success).toBe(true);
      for (const s of def.states) expect(report.some((e) => e.widget === s.name)).toBe(true);
      for (const e of report) expect(e.status === 'mapped' || typeof e.reason === 'string').toBe(true);
      checkFlow(document, directory);
    }), { numRuns: 300 });
  });
});

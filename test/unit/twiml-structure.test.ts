// Every kind of TwiML answer the project renders uses only verbs, nouns and attributes that the twilio
// library's TwiML classes define (test/support/twiml-structure.ts reads them from its declarations).
// The answers come from the real engines, renderers and URL builder, for flows that use every applet
// and option that reaches the TwiML.
import { resumeCall, startCall, type CallContext, type CallResult } from '../../lambdas/flows/call-engine';
import { say, screenPrompt, screenResult } from '../../lambdas/flows/call-instructions';
import type { CallState } from '../../lambdas/flows/call-state';
import type { EnginePorts } from '../../lambdas/flows/engine';
import type { Directory, User } from '../../lambdas/flows/people';
import { partSchema, type FlowPart } from '../../lambdas/flows/schema';
import { runSms } from '../../lambdas/flows/sms-engine';
import { emptyMessagingTwiml, renderCall, renderSms, safeVoiceTwiml } from '../../lambdas/twilio/twiml';
import { CallRequest } from '../../lambdas/webhooks/call-links';
import { grammarSize, twimlViolations } from '../support/twiml-structure';

const FLOW = '+15550100001';
const CALLER = '+15550107777';
const now = new Date('2026-03-02T15:00:00Z'); // Monday 10:00 in New York

const users: User[] = [
  { id: 'ann', name: 'Ann', phone: '+15550100011', client: 'ann', available: true },
  { id: 'bob', name: 'Bob', phone: '+15550100022', available: true },
  ...Array.from({ length: 12 }, (_, i): User => ({ id: `m${i}`, name: `M${i}`, phone: `+1555090${String(i).padStart(4, '0')}`, available: true })),
];
const directory: Directory = {
  users: new Map(users.map((u) => [u.id, u])),
  groups: new Map([
    ['sales', { id: 'sales', name: 'Sales', members: ['ann', 'bob'] }],
    ['crowd', { id: 'crowd', name: 'Crowd', members: users.slice(2).map((u) => u.id) }],
  ]),
  flowIds: new Set(),
};
const ports: EnginePorts = { nextRoundRobinStart: async () => 1, stickyMember: async () => 'bob', rememberSticky: async () => undefined, presence: async () => new Map() };

const request = new CallRequest({
  route: 'voice', params: { CallSid: 'CA00000000000000000000000000000000', From: CALLER, To: FLOW }, query: {}, base: 'https://calls.example.com', now,
});
const urls = request.urls({ flowId: 'flw_1', revision: 3, document: { name: 'x' } });
const ctx = (from = CALLER): CallContext => ({ now, from, to: FLOW, directory, ports });

const vm = { type: 'voicemail', prompt: { play: 'https://cdn.example.com/vm.mp3' }, mailbox: { group: 'sales' }, maxSeconds: 90, transcribe: true };
/** One call part with every call applet and every option that reaches the TwiML. */
const call: FlowPart = partSchema.parse({
  start: 'hours',
  applets: {
    hours: { type: 'hours', timezone: 'America/New_York', weekly: { mon: [['09:00', '17:00']] }, open: 'greet', closed: 'vm' },
    greet: { type: 'say', prompt: { text: 'Welcome.', voice: 'Polly.Joanna-Neural', language: 'en-US' }, loop: 2, next: 'menu' },
    menu: {
      type: 'menu', prompt: { text: 'Press 1 to 6.', voice: 'Google.en-GB-Standard-A' },
      options: { '1': 'simultaneous', '2': 'screened', '3': 'sticky', '4': 'recorded', '5': 'number', '6': 'bye', '7': 'announced', '#': 'vm' },
      invalidPrompt: { play: 'https://cdn.example.com/invalid.mp3' }, fallback: 'vm',
    },
    simultaneous: { type: 'dial', group: 'sales', noAnswer: 'vm' },
    screened: { type: 'dial', user: 'ann', screen: true, noAnswer: 'vm' },
    sticky: { type: 'dial', group: 'sales', strategy: 'round-robin', sticky: true, screen: true, noAnswer: 'vm' },
    recorded: { type: 'dial', group: 'sales', strategy: 'sequential', perRound: 2, record: true, callerId: 'number', ringSeconds: 30, noAnswer: 'vm' },
    number: { type: 'dial', number: '+15550109999', noAnswer: 'vm' },
    announced: {
      type: 'dial', group: 'sales', strategy: 'longest-idle', sticky: true, screen: true, announce: 'Call for the {number}',
      record: true, recordingNotice: { text: 'This call is recorded.', voice: 'Polly.Joanna-Neural' }, noAnswer: 'vm',
    },
    vm,
    bye: { type: 'hangup' },
  },
});

async function callAnswers(): Promise<Array<[string, string]>> {
  const answers: Array<[string, string]> = [];
  const add = (what: string, result: CallResult) => answers.push([what, renderCall(result.instructions, urls)]);
  const menu: CallState = { step: 'menu', applet: 'menu', attempt: 1 };
  add('an incoming call: greeting and menu', await startCall(call, ctx()));
  add('a wrong key', await resumeCall(call, menu, { digits: '9' }, ctx()));
  for (const [key, what] of [['1', 'a simultaneous group'], ['2', 'a screened user'], ['3', 'a sticky screened round-robin'], ['4', 'a recorded dial with the flow number'], ['5', 'a number'], ['#', 'a voicemail'], ['6', 'a hangup'], ['7', 'an announced, screened, recorded longest-idle dial with its notice']]) {
    add(`key ${key}: ${what}`, await resumeCall(call, menu, { digits: key }, ctx()));
  }
  add('a softphone caller dialled through', await resumeCall(call, menu, { digits: '1' }, ctx('client:alice')));
  add('an answered dial ends', await resumeCall(call, { step: 'dial', applet: 'simultaneous', pos: 2 }, { dialStatus: 'completed' }, ctx()));
  add('the call is closed: straight to voicemail', await startCall(call, { ...ctx(), now: new Date('2026-03-01T15:00:00Z') }));
  answers.push(['the screening whisper', renderCall(screenPrompt(CALLER), urls)]);
  answers.push(['the announcement, then the screening question', renderCall([say({ text: 'Call for the Sales line' }), ...screenPrompt(CALLER)], urls)]);
  answers.push(['the whisper accepted', renderCall(screenResult('1'), urls)]);
  answers.push(['the whisper declined', renderCall(screenResult('2'), urls)]);
  answers.push(['the safe answer', safeVoiceTwiml({ recordAction: request.recordingUrl('unrouted'), recordingStatus: request.recordingUrl('unrouted', true) })]);
  return answers;
}

function smsAnswers(): Array<[string, string]> {
  const sms = (applets: Record<string, unknown>, start: string, body = 'Hello') =>
    renderSms(runSms(partSchema.parse({ start, applets }), {
      now, from: CALLER, to: FLOW, body, media: [{ url: 'https://media.example.com/1.jpg', contentType: 'image/jpeg' }], directory,
    }));
  return [
    ['a reply with media, then notifications', sms({
      r: { type: 'reply', text: 'Thanks', media: ['https://cdn.example.com/logo.png'], next: 'i' },
      i: { type: 'inbox', mailbox: { group: 'sales' }, notify: true },
    }, 'r')],
    ['a forward with media', sms({ f: { type: 'forward', to: '+15550109999' } }, 'f', 'x'.repeat(1600))],
    ['notifications past the limit', sms({ i: { type: 'inbox', mailbox: { group: 'crowd' }, notify: true } }, 'i')],
    ['nothing to send', emptyMessagingTwiml()],
  ];
}

test('the validator read the library: the verbs and nouns of both responses, with their attributes', () => {
  expect(grammarSize('voice').elements).toBeGreaterThan(30);
  expect(grammarSize('voice').attributes).toBeGreaterThan(200);
  expect(grammarSize('messaging')).toEqual({ elements: 5, attributes: expect.any(Number) });
});

test('the validator finds what the library does not define', () => {
  expect(twimlViolations('<Response><Dial ringTone="us" bogus="1"><Say>hi</Say><Number>+1</Number></Dial></Response>', 'voice')).toEqual([
    'Response/Dial: <Dial> has no attribute "bogus"',
    'Response/Dial/Say: <Dial> cannot contain <Say>',
  ]);
  expect(twimlViolations('<Response><Say voice="alice2">hi</Say></Response>', 'voice')).toHaveLength(1);
  expect(twimlViolations('<Response><Message><Number>+1</Number></Message></Response>', 'messaging')).toHaveLength(1);
});

describe('every voice answer is TwiML the library defines', () => {
  let answers: Array<[string, string]>;
  beforeAll(async () => {
    answers = await callAnswers();
  });

  test('the answers cover every verb and noun the project writes', () => {
    const names = new Set(answers.flatMap(([, xml]) => [...xml.matchAll(/<(\w+)[ />]/g)].map((m) => m[1])));
    expect([...names].sort()).toEqual(['Client', 'Dial', 'Gather', 'Hangup', 'Number', 'Play', 'Record', 'Redirect', 'Response', 'Say']);
  });

  test('no answer uses an element, attribute or value the library does not define', () => {
    expect(answers).toHaveLength(18);
    const wrong = answers.map(([what, xml]) => ({ what, violations: twimlViolations(xml, 'voice') })).filter((a) => a.violations.length);
    expect(wrong).toEqual([]);
  });
});

test.each(smsAnswers())('every messaging answer is TwiML the library defines: %s', (_what, xml) => {
  expect(twimlViolations(xml, 'messaging')).toEqual([]);
});

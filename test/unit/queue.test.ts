// The `queue` applet as a specification (issue 22 item 1, DESIGN.md section 3): the caller is put in a
// Twilio queue (<Enqueue waitUrl action>), the wait URL announces the position and loops the hold prompt
// until <Leave/> at maxWaitSeconds (→ timeout), and the longest-waiting caller is offered to the members
// who may take them. Pure domain, with the TwiML checked against the twilio library's own grammar.
import { resumeCall, startCall, type CallContext } from '../../lambdas/flows/call-engine';
import { checkFlow } from '../../lambdas/flows/checker';
import type { Directory, User } from '../../lambdas/flows/people';
import {
  agentAnswer, DEFAULT_HOLD, estimateSeconds, leftWithoutAgent, planOffers, positionText, REOFFER_AFTER_MS, waitAnswer,
  type Offer, type QueueApplet, type WaitingCaller,
} from '../../lambdas/flows/queue';
import { flowDocumentSchema, partSchema } from '../../lambdas/flows/schema';
import { referencesOf } from '../../lambdas/flows/summary';
import { renderCall } from '../../lambdas/twilio/twiml';
import { CallRequest } from '../../lambdas/webhooks/call-links';
import { twimlViolations } from '../support/twiml-structure';

const NUMBER = '+15550100001';
const CALLER = '+15550107777';
const user = (id: string, over: Partial<User> = {}): User => ({ id, name: id.toUpperCase(), available: true, ...over });
const directory: Directory = {
  users: new Map([
    user('ann', { phone: '+15550100011' }),
    user('bob', { client: 'bob' }),
    user('cat', { phone: '+15550100033', available: false }),
    user('dan', { phone: '+15550100044' }),
    user('ghost'),
  ].map((u) => [u.id, u])),
  groups: new Map([
    ['support', { id: 'support', name: 'Support', members: ['ann', 'bob', 'cat', 'ghost'] }],
    ['empty', { id: 'empty', name: 'Empty', members: [] }],
  ]),
  flowIds: new Set(),
};
const ports = { nextRoundRobinStart: async () => 0, stickyMember: async () => undefined, rememberSticky: async () => undefined, presence: async () => new Map() };
const ctx: CallContext = { now: new Date('2026-03-02T15:00:00Z'), from: CALLER, to: NUMBER, directory, ports };

const part = (queue: Record<string, unknown> = {}) => partSchema.parse({
  start: 'q',
  applets: {
    q: { type: 'queue', name: 'support', targets: [{ group: 'support' }, { user: 'dan' }], timeout: 'vm', ...queue },
    vm: { type: 'voicemail', mailbox: { group: 'support' } },
  },
});
const queueOf = (over: Record<string, unknown> = {}) => part(over).applets.q as QueueApplet;

const request = new CallRequest({ route: 'voice', params: { CallSid: 'CA00000000000000000000000000000001', From: CALLER, To: NUMBER }, query: {}, base: 'https://calls.example.com', now: ctx.now });
const urls = request.urls({ flowId: 'flw_1', revision: 4, document: { name: 'x' } });

describe('the applet', () => {
  test('defaults: announce every 60 s, leave after 300 s; a name of at most 64 characters, 1-10 targets', () => {
    expect(queueOf()).toMatchObject({ announceEverySeconds: 60, maxWaitSeconds: 300 });
    expect(() => part({ name: 'x'.repeat(65) })).toThrow();
    expect(() => part({ name: '   ' })).toThrow();
    expect(() => part({ targets: [] })).toThrow();
    expect(() => part({ maxWaitSeconds: 29 })).toThrow();
    expect(() => part({ targets: [{ number: '+15550100099' }] })).toThrow();
  });

  test('its users and groups are references of the flow (they cannot be deleted while it uses them)', () => {
    const doc = flowDocumentSchema.parse({ name: 'Q', call: part() });
    expect(referencesOf(doc)).toMatchObject({ users: ['dan'], groups: ['support'] });
  });

  test('the checker: unknown people, an empty group, nobody reachable, a missing timeout branch', () => {
    const codes = (queue: Record<string, unknown>) =>
      checkFlow(flowDocumentSchema.parse({ name: 'Q', call: part(queue) }), directory).filter((p) => p.severity === 'error' || p.code === 'user_unreachable').map((p) => p.code);
    expect(codes({ targets: [{ user: 'nobody' }] })).toEqual(['unknown_user']);
    expect(codes({ targets: [{ group: 'nogroup' }] })).toEqual(['unknown_group']);
    expect(codes({ targets: [{ group: 'empty' }] })).toEqual(['empty_group']);
    expect(codes({ targets: [{ group: 'support' }] })).toEqual(['user_unreachable']); // ghost has no phone or client
    expect(codes({ targets: [{ user: 'ann' }], timeout: '' })).toEqual(['missing_branch']);
  });
});

describe('the caller joins the queue', () => {
  test('<Enqueue> with the wait URL of this applet and the action that resumes the flow', async () => {
    const result = await startCall(part(), ctx);
    expect(result.instructions).toEqual([{ kind: 'enqueue', queue: 'support', action: { step: 'queue', applet: 'q' } }]);
    expect(result.queued).toEqual({ queue: 'support', applet: 'q', targets: [{ group: 'support' }, { user: 'dan' }] });
    const xml = renderCall(result.instructions, urls);
    expect(twimlViolations(xml, 'voice')).toEqual([]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Enqueue action="https://calls.example.com/twilio/voice/step?f=flw_1&amp;r=4&amp;step=queue&amp;applet=q" ' +
      'method="POST" waitUrl="https://calls.example.com/twilio/voice/queue-wait?f=flw_1&amp;r=4&amp;a=q" waitUrlMethod="POST">support</Enqueue></Response>',
    );
  });

  test.each([['leave'], ['queue-full'], ['error'], ['system-error']])('QueueResult %s (out without a member): the timeout branch', async (queueResult) => {
    const result = await resumeCall(part(), { step: 'queue', applet: 'q' }, { queueResult }, ctx);
    expect(result.steps.map((s) => s.applet)).toEqual(['q', 'vm']);
    expect(leftWithoutAgent(queueResult)).toBe(true);
  });

  test.each([['bridged'], ['bridging-in-progress'], ['hangup'], ['redirected']])('QueueResult %s: the call is over, hang up', async (queueResult) => {
    const result = await resumeCall(part(), { step: 'queue', applet: 'q' }, { queueResult }, ctx);
    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
  });
});

describe('the wait URL', () => {
  const xmlOf = (queue: QueueApplet, wait: Parameters<typeof waitAnswer>[2]) => {
    const xml = renderCall(waitAnswer('q', queue, wait), urls);
    expect(twimlViolations(xml, 'voice')).toEqual([]);
    return xml;
  };

  test('first: the position, then the hold prompt looped for about one announcement period, then back here', () => {
    const xml = xmlOf(queueOf(), { queueTime: 0, position: 2 });
    const loops = Math.ceil(60 / estimateSeconds(DEFAULT_HOLD));
    expect(xml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>You are number 2 in line.</Say><Say loop="${loops}">${'text' in DEFAULT_HOLD ? DEFAULT_HOLD.text : ''}</Say>` +
      '<Redirect method="POST">https://calls.example.com/twilio/voice/queue-wait?f=flw_1&amp;r=4&amp;a=q&amp;la=0</Redirect></Response>',
    );
  });

  test('the position again only once announceEverySeconds have passed since it was said', () => {
    expect(xmlOf(queueOf(), { queueTime: 40, position: 1, lastAnnounced: 0 })).not.toContain('in line');
    const due = xmlOf(queueOf(), { queueTime: 61, position: 1, lastAnnounced: 0 });
    expect(due).toContain('<Say>You are next in line.</Say>');
    expect(due).toContain('la=61');
  });

  test('announceEverySeconds 0: never the position; music (30 s a play, its length unknown) loops for about a minute', () => {
    const xml = xmlOf(queueOf({ announceEverySeconds: 0, hold: { play: 'https://cdn.example.com/hold.mp3' } }), { queueTime: 0, position: 3 });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="2">https://cdn.example.com/hold.mp3</Play><Redirect method="POST">https://calls.example.com/twilio/voice/queue-wait?f=flw_1&amp;r=4&amp;a=q</Redirect></Response>');
  });

  test('at maxWaitSeconds: <Leave/> (the action gets QueueResult=leave); the hold never runs past it', () => {
    expect(xmlOf(queueOf({ maxWaitSeconds: 45 }), { queueTime: 45, position: 1, lastAnnounced: 0 })).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Leave/></Response>');
    const last = waitAnswer('q', queueOf({ maxWaitSeconds: 45, hold: { text: 'one two three four five' } }), { queueTime: 40, position: 1, lastAnnounced: 0 });
    expect(last[0]).toEqual({ kind: 'say', prompt: { text: 'one two three four five' }, loop: 3 }); // 5 s left, 2 s a time
  });

  test('positions read as a person says them', () => {
    expect(positionText(1)).toBe('You are next in line.');
    expect(positionText(7)).toBe('You are number 7 in line.');
  });
});

describe('the member who picks up an offer', () => {
  test('is told which queue and connected to its head (<Dial><Queue url>)', () => {
    const xml = renderCall(agentAnswer('support', 'ann', true), urls);
    expect(twimlViolations(xml, 'voice')).toEqual([]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Call from the support queue.</Say><Dial><Queue url="https://calls.example.com/twilio/voice/queue-bridged?' +
      'q=support&amp;u=ann&amp;o=CA00000000000000000000000000000001" method="POST">support</Queue></Dial></Response>',
    );
  });

  test('hears that the caller is gone when nobody waits any more', () => {
    expect(renderCall(agentAnswer('support', 'ann', false), urls)).toContain('<Say>The caller is no longer waiting. Thank you. Goodbye.</Say><Hangup/>');
  });
});

describe('offers: the longest-waiting caller to each available member', () => {
  const now = new Date('2026-03-02T15:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
  const caller = (sid: string, sinceSecondsAgo: number): WaitingCaller => ({ callSid: sid, since: ago(sinceSecondsAgo), from: CALLER, to: NUMBER, targets: [{ group: 'support' }, { user: 'dan' }] });
  const offer = (sid: string, userId: string, state: Offer['state'] = 'ringing', atSecondsAgo = 2): Offer => ({ agentCallSid: sid, userId, at: ago(atSecondsAgo), state });
  const plan = (over: Partial<Parameters<typeof planOffers>[0]>) => planOffers({ waiting: [], offers: [], declined: new Map(), directory, presence: new Map(), now, ...over });

  test('one caller: everyone who can take the call rings at once, from the number the caller called', () => {
    const out = plan({ waiting: [caller('CA1', 10)] });
    // cat is unavailable, ghost has no phone or client; bob takes it on his softphone.
    expect(out.call).toEqual([
      { userId: 'ann', to: '+15550100011', from: NUMBER },
      { userId: 'bob', to: 'client:bob', from: NUMBER },
      { userId: 'dan', to: '+15550100044', from: NUMBER },
    ]);
    expect(out.head?.callSid).toBe('CA1');
  });

  test('the head is the longest waiting, whatever the order given', () => {
    expect(plan({ waiting: [caller('CA2', 5), caller('CA1', 50)] }).head?.callSid).toBe('CA1');
  });

  test('a member on a call, already ringing for the queue, or who let an offer ring out a moment ago is not offered', () => {
    const out = plan({
      waiting: [caller('CA1', 10), caller('CA2', 5), caller('CA3', 1)],
      offers: [offer('CAo1', 'bob')],
      presence: new Map([['ann', { onCall: true }]]),
      declined: new Map([['dan', ago(REOFFER_AFTER_MS / 1000 - 5)]]),
    });
    expect(out.call).toEqual([]);
    const later = plan({ waiting: [caller('CA1', 10), caller('CA2', 5)], offers: [offer('CAo1', 'bob')], declined: new Map([['dan', ago(REOFFER_AFTER_MS / 1000 + 1)]]) });
    expect(later.call.map((c) => c.userId)).toEqual(['ann', 'dan']);
  });

  test('no new offers while as many offers ring as callers wait; more once a second caller waits', () => {
    expect(plan({ waiting: [caller('CA1', 10)], offers: [offer('CAo1', 'ann')] })).toMatchObject({ call: [], cancel: [] });
    const two = plan({ waiting: [caller('CA1', 10), caller('CA2', 5)], offers: [offer('CAo1', 'ann')] });
    expect(two.call.map((c) => c.userId)).toEqual(['bob', 'dan']);
  });

  test('the offers ringing for one caller keep ringing (they take the next callers) until every waiting caller is being connected', () => {
    const offers = [offer('CAann', 'ann', 'ringing', 9), offer('CAbob', 'bob', 'ringing', 5), offer('CAdan', 'dan', 'ringing', 1)];
    expect(plan({ waiting: [caller('CA1', 10)], offers })).toMatchObject({ call: [], cancel: [] });
    // Ann picked up and is being connected to the one caller: Bob and Dan are hung up.
    const answered = [offer('CAann', 'ann', 'answered', 9), ...offers.slice(1)];
    expect(plan({ waiting: [caller('CA1', 10)], offers: answered }).cancel).toEqual(['CAbob', 'CAdan']);
    expect(plan({ waiting: [caller('CA1', 10), caller('CA2', 2)], offers: answered }).cancel).toEqual([]);
    expect(plan({ waiting: [], offers }).cancel).toEqual(['CAann', 'CAbob', 'CAdan']);
  });

  test('an offer whose status callback was lost stops counting after its ring time', () => {
    expect(plan({ waiting: [caller('CA1', 100)], offers: [offer('CAlost', 'ann', 'ringing', 90)] }).call.map((c) => c.userId)).toEqual(['ann', 'bob', 'dan']);
  });
});

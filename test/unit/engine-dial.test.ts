// The dial applet, as a specification: DESIGN.md section 3 (dial targets, strategies, sticky) and
// section 5 (DialCallStatus). Storage is a fake in-memory EnginePorts.
import { resumeCall, startCall, type CallContext, type CallResult, type ResumeInput } from '../../lambdas/flows/call-engine';
import type { DialInstruction } from '../../lambdas/flows/call-instructions';
import { decodeState, encodeState, type CallState } from '../../lambdas/flows/call-state';
import type { EnginePorts, Presence } from '../../lambdas/flows/engine';
import type { Directory, Group, User } from '../../lambdas/flows/people';
import { partSchema, type FlowPart } from '../../lambdas/flows/schema';

// ---------------------------------------------------------------------------------------------------
// Fixtures

const FLOW_NUMBER = '+15550100001';
const CALLER = '+15550107777';

const user = (id: string, devices: Partial<User> = {}): User => ({ id, name: id, available: true, ...devices });
const ann = user('ann', { phone: '+15550100011' });
const bob = user('bob', { client: 'bob' });
const cat = user('cat', { phone: '+15550100033', client: 'cat' });
const dan = user('dan', { phone: '+15550100044', available: false });
const eve = user('eve', { phone: '+15550100055' });
const ghost = user('ghost'); // neither phone nor client
const crowd = Array.from({ length: 12 }, (_, i) => user(`agent${i}`, { phone: `+1555020${String(i).padStart(4, '0')}` }));

const groups: Group[] = [
  { id: 'sales', name: 'Sales', members: ['ann', 'bob', 'cat'] },
  { id: 'mixed', name: 'Mixed', members: ['ann', 'dan', 'eve'] },
  { id: 'away', name: 'Away', members: ['dan', 'ghost'] },
  { id: 'crowd', name: 'Crowd', members: crowd.map((u) => u.id) },
  { id: 'duo', name: 'Duo', members: ['cat', 'dan', 'ann', 'eve'] },
];

const directory: Directory = {
  users: new Map([ann, bob, cat, dan, eve, ghost, ...crowd].map((u) => [u.id, u])),
  groups: new Map(groups.map((g) => [g.id, g])),
  flowIds: new Set(),
};

/** The store, in memory: a counter per key as DynamoDB's ADD would keep it; sticky members by key. */
class FakePorts implements EnginePorts {
  readonly counters = new Map<string, number>();
  readonly sticky = new Map<string, string>();
  readonly calls: string[] = [];

  async nextRoundRobinStart(key: string, memberCount: number, callSid?: string): Promise<number> {
    this.calls.push(`rr ${key} ${memberCount}${callSid ? ` ${callSid}` : ''}`);
    const calls = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, calls);
    return (calls - 1) % memberCount;
  }

  async stickyMember(key: string): Promise<string | undefined> {
    this.calls.push(`sticky? ${key}`);
    return this.sticky.get(key);
  }

  async rememberSticky(key: string, userId: string): Promise<void> {
    this.calls.push(`sticky! ${key} ${userId}`);
    this.sticky.set(key, userId);
  }

  /** Longest-idle: what the leg callbacks would have recorded, by user. */
  readonly known = new Map<string, Presence>();

  async presence(userIds: readonly string[]): Promise<ReadonlyMap<string, Presence>> {
    this.calls.push(`presence ${userIds.join(',')}`);
    return new Map(userIds.filter((id) => this.known.has(id)).map((id) => [id, this.known.get(id)!]));
  }
}

let ports: FakePorts;
beforeEach(() => {
  ports = new FakePorts();
});

const ctx = (over: Partial<CallContext> = {}): CallContext => ({
  now: new Date('2026-03-02T15:00:00Z'), from: CALLER, to: FLOW_NUMBER, directory, ports, ...over,
});

const vm = { type: 'voicemail', mailbox: { group: 'sales' } };
const dialPart = (dial: Record<string, unknown>): FlowPart =>
  partSchema.parse({ start: 'ring', applets: { ring: { type: 'dial', noAnswer: 'vm', ...dial }, vm } });

const viaUrl = (state: CallState): CallState => decodeState(Object.fromEntries(new URLSearchParams(encodeState(state))))!;

function dialOf(result: CallResult): DialInstruction {
  const dial = result.instructions.find((i): i is DialInstruction => i.kind === 'dial');
  if (!dial) throw new Error(`no dial in ${JSON.stringify(result.instructions)}`);
  return dial;
}

const next = (p: FlowPart, previous: CallResult, input: ResumeInput, over: Partial<CallContext> = {}) =>
  resumeCall(p, viaUrl(dialOf(previous).action), input, ctx(over));

/** What each dial rang: "ann" for a user's targets (phone and/or client), the number for a plain number. */
const rung = (result: CallResult) => [...new Set(dialOf(result).targets.map((t) => t.userId ?? t.value))];

/** The whole call when nobody answers: who each round rang, until the noAnswer branch. */
async function roundsUntilNoAnswer(p: FlowPart, over: Partial<CallContext> = {}, status = 'no-answer'): Promise<string[][]> {
  const rounds: string[][] = [];
  let result = await startCall(p, ctx(over));
  while (result.instructions.some((i) => i.kind === 'dial')) {
    rounds.push(rung(result));
    if (rounds.length > 20) throw new Error('the dial never ended');
    result = await next(p, result, { dialStatus: status }, over);
  }
  expect(result.steps[result.steps.length - 1]).toEqual({ applet: 'vm', type: 'voicemail' });
  return rounds;
}

const wentToNoAnswer = (result: CallResult) => expect(result.steps.map((s) => s.applet)).toEqual(['ring', 'vm']);

// ---------------------------------------------------------------------------------------------------

describe('dial a user', () => {
  test('rings their phone with the default timeout and the caller’s own caller id', async () => {
    const result = await startCall(dialPart({ user: 'ann' }), ctx());

    expect(result.instructions).toEqual([{
      kind: 'dial',
      targets: [{ kind: 'number', value: '+15550100011', userId: 'ann' }],
      // 15 s by default: with the ~5 s Twilio adds, still under a mobile's own voicemail (20-25 s).
      timeoutSeconds: 15,
      callerId: 'caller',
      record: false,
      screen: false,
      action: { step: 'dial', applet: 'ring', pos: 1 },
    }]);
    expect(result.steps).toEqual([{ applet: 'ring', type: 'dial' }]);
  });

  test('rings softphone and mobile together when the user has both', async () => {
    const result = await startCall(dialPart({ user: 'cat' }), ctx());
    expect(dialOf(result).targets).toEqual([
      { kind: 'client', value: 'cat', userId: 'cat' },
      { kind: 'number', value: '+15550100033', userId: 'cat' },
    ]);
  });

  test('an unavailable user goes straight to noAnswer, in the same request', async () => {
    const result = await startCall(dialPart({ user: 'dan' }), ctx());
    wentToNoAnswer(result);
    expect(result.instructions.map((i) => i.kind)).toEqual(['say', 'record', 'hangup']);
  });

  test('a user with neither phone nor client, or unknown since, goes to noAnswer', async () => {
    wentToNoAnswer(await startCall(dialPart({ user: 'ghost' }), ctx()));
    wentToNoAnswer(await startCall(dialPart({ user: 'deleted' }), ctx()));
  });

  test.each(['busy', 'no-answer', 'failed', 'canceled'])('%s goes to noAnswer', async (status) => {
    const p = dialPart({ user: 'ann' });
    const result = await next(p, await startCall(p, ctx()), { dialStatus: status });
    expect(result.steps.map((s) => s.applet)).toEqual(['ring', 'vm']);
  });

  test.each(['completed', 'answered'])('DialCallStatus %s hangs up, never noAnswer (OpenVBX #17)', async (status) => {
    const p = dialPart({ user: 'ann' });
    const result = await next(p, await startCall(p, ctx()), { dialStatus: status });
    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
    expect(result.steps).toEqual([{ applet: 'ring', type: 'dial' }]);
  });

  test('a missing DialCallStatus counts as not answered', async () => {
    const p = dialPart({ user: 'ann' });
    const result = await next(p, await startCall(p, ctx()), {});
    expect(result.steps.map((s) => s.applet)).toEqual(['ring', 'vm']);
  });

  test('ringSeconds, screen and record reach the dial', async () => {
    const result = await startCall(dialPart({ user: 'ann', ringSeconds: 35, screen: true, record: true }), ctx());
    expect(dialOf(result)).toMatchObject({ timeoutSeconds: 35, screen: true, record: true });
  });
});

describe('dial a number', () => {
  test('rings that number; callerId "number" shows the flow’s number', async () => {
    const result = await startCall(dialPart({ number: '+15550109999', callerId: 'number' }), ctx());
    expect(dialOf(result)).toMatchObject({ targets: [{ kind: 'number', value: '+15550109999' }], callerId: FLOW_NUMBER });
  });

  test('no answer goes to noAnswer', async () => {
    expect(await roundsUntilNoAnswer(dialPart({ number: '+15550109999' }))).toEqual([['+15550109999']]);
  });
});

describe('dial a group, simultaneous', () => {
  test('rings every available member at once, in group order', async () => {
    const result = await startCall(dialPart({ group: 'sales' }), ctx());
    expect(dialOf(result).targets).toEqual([
      { kind: 'number', value: '+15550100011', userId: 'ann' },
      { kind: 'client', value: 'bob', userId: 'bob' },
      { kind: 'client', value: 'cat', userId: 'cat' },
      { kind: 'number', value: '+15550100033', userId: 'cat' },
    ]);
  });

  test('skips unavailable members and falls to noAnswer after one round', async () => {
    expect(await roundsUntilNoAnswer(dialPart({ group: 'mixed' }))).toEqual([['ann', 'eve']]);
  });

  test('never rings more than 10 targets at once', async () => {
    const result = await startCall(dialPart({ group: 'crowd' }), ctx());
    expect(dialOf(result).targets).toHaveLength(10);
    expect(rung(result)).toEqual(crowd.slice(0, 10).map((u) => u.id));
  });

  test('nobody available: noAnswer at once', async () => {
    wentToNoAnswer(await startCall(dialPart({ group: 'away' }), ctx()));
    wentToNoAnswer(await startCall(dialPart({ group: 'deleted' }), ctx()));
  });

  test('completed hangs up', async () => {
    const p = dialPart({ group: 'sales' });
    const result = await next(p, await startCall(p, ctx()), { dialStatus: 'completed' });
    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
  });
});

describe('dial a group, sequential', () => {
  test('rings one member per round in group order, then noAnswer after the last', async () => {
    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential' }))).toEqual([['ann'], ['bob'], ['cat']]);
  });

  test.each(['busy', 'failed', 'canceled'])('%s also moves to the next member', async (status) => {
    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential' }), {}, status)).toEqual([['ann'], ['bob'], ['cat']]);
  });

  test('skips unavailable members', async () => {
    expect(await roundsUntilNoAnswer(dialPart({ group: 'mixed', strategy: 'sequential' }))).toEqual([['ann'], ['eve']]);
  });

  test('perRound rings that many members at once', async () => {
    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential', perRound: 2 }))).toEqual([['ann', 'bob'], ['cat']]);
  });

  test('an answer in the second round hangs up', async () => {
    const p = dialPart({ group: 'sales', strategy: 'sequential' });
    const second = await next(p, await startCall(p, ctx()), { dialStatus: 'no-answer' });
    expect(rung(second)).toEqual(['bob']);

    const result = await next(p, second, { dialStatus: 'completed' });

    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
  });

  test('does not touch the round-robin counter', async () => {
    await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential' }));
    expect(ports.calls).toEqual([]);
  });
});

describe('dial a group, round-robin', () => {
  const rr = dialPart({ group: 'sales', strategy: 'round-robin' });

  test('each new call starts at the next member, wrapping around', async () => {
    const starts: string[] = [];
    for (let call = 0; call < 4; call++) starts.push(rung(await startCall(rr, ctx()))[0]);

    expect(starts).toEqual(['ann', 'bob', 'cat', 'ann']);
    expect(ports.calls[0]).toBe('rr ring:sales 3');
  });

  test("the counter is asked with the call's CallSid, so the store can tell a replay from a new call", async () => {
    await startCall(rr, ctx({ callSid: 'CA0123' }));
    expect(ports.calls[0]).toBe('rr ring:sales 3 CA0123');
  });

  test('goes once around all members from its start, then noAnswer', async () => {
    ports.counters.set('ring:sales', 1); // the previous call started at ann

    expect(await roundsUntilNoAnswer(rr)).toEqual([['bob'], ['cat'], ['ann']]);
  });

  test('later rounds do not advance the counter again', async () => {
    await roundsUntilNoAnswer(rr);
    expect(ports.counters.get('ring:sales')).toBe(1);
  });

  test('a start on an unavailable member moves on to the next available one', async () => {
    ports.counters.set('ring:mixed', 1); // start at dan (unavailable)

    expect(await roundsUntilNoAnswer(dialPart({ group: 'mixed', strategy: 'round-robin' }))).toEqual([['eve'], ['ann']]);
  });

  test('perRound applies from the start offset', async () => {
    ports.counters.set('ring:sales', 2); // start at cat
    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'round-robin', perRound: 2 }))).toEqual([['cat', 'ann'], ['bob']]);
  });

  test('a counter beyond the member count wraps', async () => {
    const odd: EnginePorts = { nextRoundRobinStart: async () => 7, stickyMember: async () => undefined, rememberSticky: async () => {}, presence: async () => new Map() };
    expect(rung(await startCall(rr, ctx({ ports: odd })))).toEqual(['bob']); // 7 % 3 = 1
  });

  test('nobody available: noAnswer without advancing the counter', async () => {
    wentToNoAnswer(await startCall(dialPart({ group: 'away', strategy: 'round-robin' }), ctx()));
    expect(ports.calls).toEqual([]);
  });
});

describe('dial a group, sticky', () => {
  const stickyKey = (group: string) => `ring:${group}:${CALLER}`;

  test('rings first, alone, the member who last answered this caller, then the others in order', async () => {
    ports.sticky.set(stickyKey('sales'), 'cat');

    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential', sticky: true }))).toEqual([['cat'], ['ann'], ['bob']]);
  });

  test('with simultaneous ringing: the sticky member first, then everyone else together', async () => {
    ports.sticky.set(stickyKey('sales'), 'bob');

    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', sticky: true }))).toEqual([['bob'], ['ann', 'cat']]);
  });

  test('with round-robin: the sticky member first, then the rotation without them', async () => {
    ports.sticky.set(stickyKey('sales'), 'ann');
    ports.counters.set('ring:sales', 1); // start at bob

    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'round-robin', sticky: true }))).toEqual([['ann'], ['bob'], ['cat']]);
    expect(ports.calls.filter((c) => c.startsWith('rr') || c.startsWith('sticky?'))).toHaveLength(2); // once each, at the start
  });

  test('an unavailable sticky member, or one no longer in the group, is ignored', async () => {
    ports.sticky.set(stickyKey('mixed'), 'dan');
    ports.sticky.set(stickyKey('sales'), 'eve');

    expect(await roundsUntilNoAnswer(dialPart({ group: 'mixed', strategy: 'sequential', sticky: true }))).toEqual([['ann'], ['eve']]);
    expect(await roundsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential', sticky: true }))).toEqual([['ann'], ['bob'], ['cat']]);
  });

  test('remembers who answered a one-member round when the call ends', async () => {
    const p = dialPart({ group: 'sales', strategy: 'sequential', sticky: true });
    const second = await next(p, await startCall(p, ctx()), { dialStatus: 'no-answer' });

    const result = await next(p, second, { dialStatus: 'completed' });

    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
    expect(ports.sticky.get(stickyKey('sales'))).toBe('bob');
    expect(rung(await startCall(p, ctx()))).toEqual(['bob']);
  });

  test('a simultaneous round remembers the user the handler says answered', async () => {
    const p = dialPart({ group: 'sales', sticky: true });
    await next(p, await startCall(p, ctx()), { dialStatus: 'completed', answeredBy: 'cat' });
    expect(ports.sticky.get(stickyKey('sales'))).toBe('cat');
  });

  test('a failure to remember still hangs up', async () => {
    const failing: EnginePorts = {
      nextRoundRobinStart: async () => 0,
      stickyMember: async () => undefined,
      rememberSticky: () => Promise.reject(new Error('throttled')),
      presence: async () => new Map(),
    };
    const p = dialPart({ group: 'sales', strategy: 'sequential', sticky: true });
    const first = await startCall(p, ctx({ ports: failing }));

    const result = await next(p, first, { dialStatus: 'completed' }, { ports: failing });

    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
  });

  test('a withheld caller is neither looked up nor remembered', async () => {
    const p = dialPart({ group: 'sales', strategy: 'sequential', sticky: true });
    const first = await startCall(p, ctx({ from: 'anonymous' }));
    await next(p, first, { dialStatus: 'completed' }, { from: 'anonymous' });
    expect(ports.calls).toEqual([]);
  });

  test('a dial that is not sticky neither looks up nor remembers', async () => {
    const p = dialPart({ group: 'sales', strategy: 'sequential' });
    await next(p, await startCall(p, ctx()), { dialStatus: 'completed' });
    expect(ports.calls).toEqual([]);
  });
});

describe('ringing order survives changes of the directory between rounds', () => {
  test('a member made unavailable mid-call is skipped, nobody is rung twice', async () => {
    const p = dialPart({ group: 'duo', strategy: 'sequential' });
    const first = await startCall(p, ctx());
    expect(rung(first)).toEqual(['cat']);
    const annAway: Directory = { ...directory, users: new Map([...directory.users, ['ann', { ...ann, available: false }]]) };

    const second = await next(p, first, { dialStatus: 'no-answer' }, { directory: annAway });

    expect(rung(second)).toEqual(['eve']);
  });
});

describe('screening rings one leg at a time (Twilio hangs up the other legs before a whisper plays)', () => {
  const legs = (result: CallResult) => dialOf(result).targets.map((t) => t.value);

  async function legsUntilNoAnswer(p: FlowPart): Promise<string[][]> {
    const rounds: string[][] = [];
    let result = await startCall(p, ctx());
    while (result.instructions.some((i) => i.kind === 'dial')) {
      rounds.push(legs(result));
      if (rounds.length > 20) throw new Error('the dial never ended');
      result = await next(p, result, { dialStatus: 'no-answer' });
    }
    return rounds;
  }

  test('a screened user with a softphone and a mobile: the softphone, then the mobile, each alone', async () => {
    expect(await legsUntilNoAnswer(dialPart({ user: 'cat', screen: true }))).toEqual([['cat'], ['+15550100033']]);
  });

  test('an unscreened user with both still rings them together', async () => {
    expect(await legsUntilNoAnswer(dialPart({ user: 'cat' }))).toEqual([['cat', '+15550100033']]);
  });

  test('a screened sequential group rings each leg of each member alone, in order', async () => {
    expect(await legsUntilNoAnswer(dialPart({ group: 'sales', strategy: 'sequential', screen: true })))
      .toEqual([['+15550100011'], ['bob'], ['cat'], ['+15550100033']]);
  });

  test('a screened group published as simultaneous (the checker refuses it now) still rings one leg at a time', async () => {
    expect(await legsUntilNoAnswer(dialPart({ group: 'mixed', screen: true }))).toEqual([['+15550100011'], ['+15550100055']]);
  });
});

describe('callerId: only a caller number Twilio accepts is passed on (error 13214)', () => {
  test.each([
    ['a softphone caller', 'client:alice'],
    ['a withheld caller', 'anonymous'],
    ['a withheld caller shown as stand-in digits', '+266696687'],
    ['an empty caller', ''],
    ['a caller id that is not E.164', '12345abc'],
  ])('%s is shown the called number instead', async (_what, from) => {
    const result = await startCall(dialPart({ user: 'ann' }), ctx({ from }));
    expect(dialOf(result).callerId).toBe(FLOW_NUMBER);
  });

  test('an ordinary caller keeps their own number', async () => {
    const result = await startCall(dialPart({ user: 'ann' }), ctx({ from: '+447700900123' }));
    expect(dialOf(result).callerId).toBe('caller');
  });
});

describe('longest-idle: members in order of the time since their last call ended', () => {
  // Group "duo": cat, dan (unavailable), ann, eve.
  test('rings one member per round, the longest idle first; never seen on a call counts as idle longest', async () => {
    ports.known.set('cat', { onCall: false, lastCallEndedAt: '2026-03-02T14:50:00Z' });
    ports.known.set('ann', { onCall: false, lastCallEndedAt: '2026-03-02T14:10:00Z' });
    // eve was never seen on a call: she has waited longest of all.
    expect(await roundsUntilNoAnswer(dialPart({ group: 'duo', strategy: 'longest-idle' }))).toEqual([['eve'], ['ann'], ['cat']]);
  });

  test('reads the presence of the members it can ring, once per call, and never touches a counter', async () => {
    const p = dialPart({ group: 'duo', strategy: 'longest-idle' });
    const first = await startCall(p, ctx());
    await next(p, first, { dialStatus: 'busy' });
    expect(ports.calls).toEqual(['presence cat,ann,eve']);
  });

  test('a member on a call now rings last, not never', async () => {
    ports.known.set('eve', { onCall: true, lastCallEndedAt: '2026-03-02T09:00:00Z' });
    ports.known.set('ann', { onCall: false, lastCallEndedAt: '2026-03-02T14:59:00Z' });
    ports.known.set('cat', { onCall: false, lastCallEndedAt: '2026-03-02T14:00:00Z' });
    expect(await roundsUntilNoAnswer(dialPart({ group: 'duo', strategy: 'longest-idle' }))).toEqual([['cat'], ['ann'], ['eve']]);
  });

  test('the order is fixed at the first round: a call that ends mid-hunt does not reshuffle it', async () => {
    ports.known.set('ann', { onCall: false, lastCallEndedAt: '2026-03-02T14:00:00Z' });
    ports.known.set('cat', { onCall: false, lastCallEndedAt: '2026-03-02T14:30:00Z' });
    ports.known.set('eve', { onCall: false, lastCallEndedAt: '2026-03-02T14:45:00Z' });
    const p = dialPart({ group: 'duo', strategy: 'longest-idle' });
    const first = await startCall(p, ctx());
    expect(rung(first)).toEqual(['ann']);
    // Positions in the group: dan (unavailable: not read, so "never on a call", and skipped when his turn
    // comes), then ann, cat, eve.
    expect(dialOf(first).action).toMatchObject({ idle: [1, 2, 0, 3] });
    ports.known.set('eve', { onCall: false, lastCallEndedAt: '2026-03-01T00:00:00Z' });
    const second = await next(p, first, { dialStatus: 'no-answer' });
    expect(rung(second)).toEqual(['cat']);
  });

  test('perRound rings that many of the longest idle together', async () => {
    ports.known.set('cat', { onCall: false, lastCallEndedAt: '2026-03-02T14:59:00Z' });
    expect(await roundsUntilNoAnswer(dialPart({ group: 'duo', strategy: 'longest-idle', perRound: 2 }))).toEqual([['ann', 'eve'], ['cat']]);
  });

  test('an answered call that ends still hangs up', async () => {
    const p = dialPart({ group: 'duo', strategy: 'longest-idle' });
    const first = await startCall(p, ctx());
    const done = await next(p, first, { dialStatus: 'completed' });
    expect(done.instructions).toEqual([{ kind: 'hangup' }]);
  });
});

describe('recordingNotice: the caller hears it before a recorded dial', () => {
  const notice = { text: 'This call may be recorded.' };

  test('plays once, before the first round, and the dial records', async () => {
    const p = dialPart({ group: 'sales', strategy: 'sequential', record: true, recordingNotice: notice });
    const first = await startCall(p, ctx());
    expect(first.instructions[0]).toEqual({ kind: 'say', prompt: notice, loop: 1 });
    expect(dialOf(first).record).toBe(true);
    const second = await next(p, first, { dialStatus: 'no-answer' });
    expect(second.instructions.map((i) => i.kind)).toEqual(['dial']);
  });

  test('is not played when nobody can be rung (nothing is recorded) nor when the dial does not record', async () => {
    const away = await startCall(dialPart({ group: 'away', record: true, recordingNotice: notice }), ctx());
    expect(away.instructions.some((i) => i.kind === 'say' && i.prompt === notice)).toBe(false);
    const unrecorded = await startCall(dialPart({ user: 'ann', recordingNotice: notice }), ctx());
    expect(unrecorded.instructions.map((i) => i.kind)).toEqual(['dial']);
  });
});

describe('announce: the person who answers hears it before the call is bridged', () => {
  test('the dial carries the announce text, {number} unfilled (the whisper knows the number)', async () => {
    const result = await startCall(dialPart({ group: 'sales', announce: 'Call for the {number}' }), ctx());
    expect(dialOf(result).announce).toBe('Call for the {number}');
  });

  test('announcement() fills {number} with the called number\'s name, or its digits one by one', async () => {
    const { announcement } = await import('../../lambdas/flows/call-instructions');
    expect(announcement('Call for the {number}. {number}!', { number: FLOW_NUMBER, name: 'Sales line' })).toBe('Call for the Sales line. Sales line!');
    expect(announcement('Call for {number}', { number: '+15550100001' })).toBe('Call for 1 5 5 5 0 1 0 0 0 0 1');
  });
});

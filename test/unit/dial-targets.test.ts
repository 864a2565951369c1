// Several people in one dial (issue 20 item 2, DESIGN.md section 3): `targets`, a list of 1-10 users,
// groups and numbers rung as one list in that order, groups expanded in place, by the dial's strategy.
// The schema, the engine (with the TwiML it renders), the checker and the references a revision records.
import { resumeCall, startCall, type CallContext, type CallResult } from '../../lambdas/flows/call-engine';
import type { DialInstruction } from '../../lambdas/flows/call-instructions';
import { decodeState, encodeState, type CallState } from '../../lambdas/flows/call-state';
import { checkFlow, numbersToLookUp } from '../../lambdas/flows/checker';
import type { EnginePorts, Presence } from '../../lambdas/flows/engine';
import type { Directory, Group, User } from '../../lambdas/flows/people';
import { flowDocumentSchema, partSchema, type FlowPart } from '../../lambdas/flows/schema';
import { referencesOf } from '../../lambdas/flows/summary';
import { peopleNamedIn } from '../../lambdas/webhooks/caches';
import { renderCall } from '../../lambdas/twilio/twiml';

const user = (id: string, devices: Partial<User> = {}): User => ({ id, name: id[0].toUpperCase() + id.slice(1), available: true, ...devices });
const ann = user('ann', { phone: '+15550100011' });
const bob = user('bob', { client: 'bob' });
const cat = user('cat', { phone: '+15550100033', client: 'cat' });
const dan = user('dan', { phone: '+15550100044', available: false });
const eve = user('eve', { phone: '+15550100055' });
const ghost = user('ghost');
const crowd = Array.from({ length: 9 }, (_, i) => user(`agent${i}`, { phone: `+1555020${String(i).padStart(4, '0')}` }));
const groups: Group[] = [
  { id: 'sales', name: 'Sales', members: ['bob', 'cat'] },
  { id: 'night', name: 'Night', members: ['dan', 'eve', 'ann'] },
  { id: 'crowd', name: 'Crowd', members: crowd.map((u) => u.id) },
  { id: 'empty', name: 'Empty', members: [] },
];
const directory: Directory = {
  users: new Map([ann, bob, cat, dan, eve, ghost, ...crowd].map((u) => [u.id, u])),
  groups: new Map(groups.map((g) => [g.id, g])),
  flowIds: new Set(),
};

class FakePorts implements EnginePorts {
  readonly counters = new Map<string, number>();
  readonly sticky = new Map<string, string>();
  async nextRoundRobinStart(key: string, memberCount: number): Promise<number> {
    const calls = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, calls);
    return (calls - 1) % memberCount;
  }
  async stickyMember(key: string): Promise<string | undefined> {
    return this.sticky.get(key);
  }
  async rememberSticky(key: string, userId: string): Promise<void> {
    this.sticky.set(key, userId);
  }
  readonly present = new Map<string, Presence>();
  async presence(userIds: readonly string[]): Promise<ReadonlyMap<string, Presence>> {
    return new Map(userIds.flatMap((id) => (this.present.has(id) ? [[id, this.present.get(id)!] as const] : [])));
  }
}
let ports: FakePorts;
beforeEach(() => {
  ports = new FakePorts();
});

const CALLER = '+15550107777';
const ctx = (over: Partial<CallContext> = {}): CallContext => ({ now: new Date('2026-03-02T15:00:00Z'), from: CALLER, to: '+15550100001', directory, ports, ...over });
const vm = { type: 'voicemail', mailbox: { group: 'sales' } };
const dialPart = (dial: Record<string, unknown>): FlowPart => partSchema.parse({ start: 'ring', applets: { ring: { type: 'dial', noAnswer: 'vm', ...dial }, vm } });
const viaUrl = (state: CallState): CallState => decodeState(Object.fromEntries(new URLSearchParams(encodeState(state))))!;
const dialOf = (result: CallResult): DialInstruction => {
  const dial = result.instructions.find((i): i is DialInstruction => i.kind === 'dial');
  if (!dial) throw new Error(`no dial in ${JSON.stringify(result.instructions)}`);
  return dial;
};
const rung = (result: CallResult) => [...new Set(dialOf(result).targets.map((t) => t.userId ?? t.value))];

async function rounds(p: FlowPart, over: Partial<CallContext> = {}): Promise<string[][]> {
  const out: string[][] = [];
  let result = await startCall(p, ctx(over));
  while (result.instructions.some((i) => i.kind === 'dial')) {
    out.push(rung(result));
    if (out.length > 20) throw new Error('the dial never ended');
    result = await resumeCall(p, viaUrl(dialOf(result).action), { dialStatus: 'no-answer' }, ctx(over));
  }
  expect(result.steps[result.steps.length - 1]).toEqual({ applet: 'vm', type: 'voicemail' });
  return out;
}

describe('schema', () => {
  const parse = (dial: Record<string, unknown>) => flowDocumentSchema.safeParse({ name: 'T', call: { start: 'ring', applets: { ring: { type: 'dial', ...dial } } } });
  const paths = (dial: Record<string, unknown>) => {
    const r = parse(dial);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  test('a list of users, groups and numbers is a dial; a single user, group or number still is, unchanged', () => {
    const targets = [{ user: 'ann' }, { group: 'sales' }, { number: '+15550109999' }];
    expect(parse({ targets }).data?.call?.applets.ring).toMatchObject({ type: 'dial', targets });
    for (const one of [{ user: 'ann' }, { group: 'sales' }, { number: '+15550109999' }]) {
      const parsed = parse(one).data?.call?.applets.ring as Record<string, unknown>;
      expect(parsed).toMatchObject(one);
      expect(parsed.targets).toBeUndefined();
    }
  });

  test('exactly one of user, group, number or targets; 1-10 entries; each listed once; each entry one thing', () => {
    expect(paths({})).toEqual(['call.applets.ring.user']);
    expect(paths({ user: 'ann', targets: [{ user: 'bob' }] })).toEqual(['call.applets.ring.user']);
    expect(paths({ targets: [] })).toContain('call.applets.ring.targets');
    expect(paths({ targets: Array.from({ length: 11 }, (_, i) => ({ number: `+1555010${String(i).padStart(4, '0')}` })) })).toContain('call.applets.ring.targets');
    expect(paths({ targets: [{ user: 'ann' }, { group: 'sales' }, { user: 'ann' }] })).toEqual(['call.applets.ring.targets.2']);
    expect(paths({ targets: [{ user: 'ann', group: 'sales' }] })[0]).toMatch(/^call\.applets\.ring\.targets\.0/);
    expect(paths({ targets: [{ number: '555' }] })[0]).toMatch(/^call\.applets\.ring\.targets\.0/);
  });
});

describe('engine', () => {
  test('simultaneous (the default) rings everyone on the list at once, groups expanded in place, a number as itself', async () => {
    const result = await startCall(dialPart({ targets: [{ user: 'eve' }, { group: 'sales' }, { number: '+15550109999' }] }), ctx());
    expect(dialOf(result).targets).toEqual([
      { kind: 'number', value: '+15550100055', userId: 'eve' },
      { kind: 'client', value: 'bob', userId: 'bob' },
      { kind: 'client', value: 'cat', userId: 'cat' },
      { kind: 'number', value: '+15550100033', userId: 'cat' },
      { kind: 'number', value: '+15550109999' },
    ]);
  });

  test('sequential rings them in list order, skipping who cannot be rung, then takes noAnswer', async () => {
    const p = dialPart({ targets: [{ user: 'ann' }, { user: 'ghost' }, { group: 'night' }, { number: '+15550109999' }], strategy: 'sequential' });
    // night = dan (away), eve, ann (already listed: rung once, where first listed).
    expect(await rounds(p)).toEqual([['ann'], ['eve'], ['+15550109999']]);
  });

  test('sequential with perRound rings that many at a time', async () => {
    const p = dialPart({ targets: [{ user: 'ann' }, { user: 'bob' }, { user: 'eve' }], strategy: 'sequential', perRound: 2 });
    expect(await rounds(p)).toEqual([['ann', 'bob'], ['eve']]);
  });

  test('round-robin starts each call one further along the list, with its own counter', async () => {
    const p = dialPart({ targets: [{ user: 'ann' }, { user: 'bob' }, { user: 'eve' }], strategy: 'round-robin' });
    expect(await rounds(p)).toEqual([['ann'], ['bob'], ['eve']]);
    expect(await rounds(p)).toEqual([['bob'], ['eve'], ['ann']]);
    expect(await rounds(p)).toEqual([['eve'], ['ann'], ['bob']]);
    expect([...ports.counters.keys()]).toEqual(['ring:targets']);
  });

  test('longest-idle orders the list by idle time, a number as never seen on a call, someone on a call last, and keeps that order across rounds', async () => {
    ports.present.set('ann', { onCall: true });
    ports.present.set('bob', { onCall: false, lastCallEndedAt: '2026-03-02T14:00:00Z' });
    ports.present.set('eve', { onCall: false, lastCallEndedAt: '2026-03-02T12:00:00Z' });
    const p = dialPart({ targets: [{ user: 'ann' }, { user: 'bob' }, { number: '+15550109999' }, { user: 'eve' }], strategy: 'longest-idle' });
    expect(await rounds(p)).toEqual([['+15550109999'], ['eve'], ['bob'], ['ann']]);
  });

  test('sticky rings the person who last answered this caller first', async () => {
    const p = dialPart({ targets: [{ user: 'ann' }, { user: 'eve' }], strategy: 'sequential', sticky: true });
    const first = await startCall(p, ctx());
    await resumeCall(p, viaUrl(dialOf(first).action), { dialStatus: 'completed', answeredBy: 'eve' }, ctx());
    expect(await rounds(p)).toEqual([['eve'], ['ann']]);
  });

  test('nobody on the list can be rung: noAnswer at once, no counter moved', async () => {
    const result = await startCall(dialPart({ targets: [{ user: 'dan' }, { group: 'empty' }, { user: 'deleted' }], strategy: 'round-robin' }), ctx());
    expect(result.steps.map((s) => s.applet)).toEqual(['ring', 'vm']);
    expect(ports.counters.size).toBe(0);
  });

  test('answered hangs up, never noAnswer', async () => {
    const p = dialPart({ targets: [{ user: 'ann' }, { user: 'eve' }], strategy: 'sequential' });
    const result = await resumeCall(p, viaUrl(dialOf(await startCall(p, ctx())).action), { dialStatus: 'completed' }, ctx());
    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
  });

  test('the TwiML rings every number and client of the round in one <Dial>', async () => {
    const result = await startCall(dialPart({ targets: [{ user: 'ann' }, { user: 'bob' }] }), ctx());
    const twiml = renderCall(result.instructions, { action: () => 'https://example.test/twilio/voice/next', recording: () => 'https://example.test/r' } as never);
    expect(twiml).toMatch(/<Dial[^>]*><Number>\+15550100011<\/Number><Client>bob<\/Client><\/Dial>/);
  });
});

describe('checker', () => {
  const doc = (dial: Record<string, unknown>) =>
    flowDocumentSchema.parse({ name: 'T', call: { start: 'ring', applets: { ring: { type: 'dial', noAnswer: 'vm', ...dial }, vm: { type: 'voicemail', mailbox: { user: 'ann' } } } }, sms: { start: 'box', applets: { box: { type: 'inbox', mailbox: { user: 'ann' } } } } });
  const codes = (dial: Record<string, unknown>, ownNumbers?: Set<string>) => checkFlow(doc(dial), directory, { ownNumbers }).map((p) => p.code);

  test('a sound list has no problems', () => {
    expect(codes({ targets: [{ user: 'ann' }, { group: 'sales' }, { number: '+15550109999' }] })).toEqual([]);
  });

  test('each entry is checked as a single target would be: unknown users and groups, an empty group, nobody to ring, our own number', () => {
    expect(codes({ targets: [{ user: 'nobody' }, { group: 'nothing' }, { group: 'empty' }, { user: 'ghost' }, { number: '+15550100001' }] }, new Set(['+15550100001']))).toEqual([
      'unknown_user', 'unknown_group', 'empty_group', 'user_unreachable', 'own_number',
    ]);
  });

  test('too_many_targets counts the list as rung at once: groups expanded, a person once, a number as one', () => {
    // crowd (9 phones) + cat (phone and client) = 11 nouns at once.
    expect(codes({ targets: [{ group: 'crowd' }, { user: 'cat' }] })).toEqual(['too_many_targets']);
    // crowd + ann: 10. ann listed again inside night (with eve and away dan): eve makes 11.
    expect(codes({ targets: [{ group: 'crowd' }, { user: 'ann' }] })).toEqual([]);
    expect(codes({ targets: [{ group: 'crowd' }, { user: 'ann' }, { group: 'night' }] })).toEqual(['too_many_targets']);
    expect(codes({ targets: [{ group: 'crowd' }, { user: 'cat' }], strategy: 'sequential' })).toEqual([]);
  });

  test('screening a list rung at once is screen_simultaneous; one at a time is fine', () => {
    expect(codes({ targets: [{ user: 'ann' }, { user: 'eve' }], screen: true })).toEqual(['screen_simultaneous']);
    expect(codes({ targets: [{ user: 'ann' }, { user: 'eve' }], screen: true, strategy: 'sequential' })).toEqual([]);
  });

  test('a list without a number whose noAnswer leads back to it is a loop; with a number it always rings', () => {
    const loop = (targets: unknown[]) =>
      checkFlow(flowDocumentSchema.parse({ name: 'T', call: { start: 'ring', applets: { ring: { type: 'dial', targets, noAnswer: 'ring' } } } }), directory).map((p) => p.code);
    expect(loop([{ user: 'ann' }, { group: 'sales' }])).toContain('loop_without_input');
    expect(loop([{ user: 'ann' }, { number: '+15550109999' }])).not.toContain('loop_without_input');
  });

  test('the numbers to look up include the list’s numbers and the phones of everyone it rings', () => {
    expect(numbersToLookUp(doc({ targets: [{ number: '+15550109999' }, { group: 'night' }] }), directory)).toEqual(['+15550100011', '+15550100044', '+15550100055', '+15550109999']);
  });
});

test('a revision records the users and groups of the list (flowRefs), and the webhooks load them', () => {
  const d = flowDocumentSchema.parse({ name: 'T', call: { start: 'ring', applets: { ring: { type: 'dial', targets: [{ user: 'ann' }, { group: 'sales' }, { number: '+15550109999' }], noAnswer: 'vm' }, vm: { type: 'voicemail', mailbox: { user: 'eve' } } } } });
  expect(referencesOf(d)).toEqual({ users: ['ann', 'eve'], groups: ['sales'], flows: [], schedules: [] });
  expect(peopleNamedIn(d.call!)).toEqual({ users: ['ann'], groups: ['sales'] });
});

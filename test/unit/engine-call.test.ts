// The call engine, as a specification: DESIGN.md section 3 (call applets) and section 5 (one answer per step).
// Dials have their own file (engine-dial.test.ts).
import { resumeCall, startCall, type CallContext, type CallResult, type ResumeInput } from '../../lambdas/flows/call-engine';
import { screenPrompt, screenResult, type CallInstruction } from '../../lambdas/flows/call-instructions';
import { decodeState, encodeState, type CallState } from '../../lambdas/flows/call-state';
import { APOLOGY, MAX_APPLETS_PER_REQUEST, type EnginePorts } from '../../lambdas/flows/engine';
import type { Directory, User } from '../../lambdas/flows/people';
import { partSchema, type FlowPart } from '../../lambdas/flows/schema';

// ---------------------------------------------------------------------------------------------------
// Fixtures

const FLOW_NUMBER = '+15550100001';
const CALLER = '+15550107777';
const ann: User = { id: 'usr_ann', name: 'Ann', phone: '+15550100011', available: true };

const directory: Directory = {
  users: new Map([[ann.id, ann]]),
  groups: new Map([['grp_sales', { id: 'grp_sales', name: 'Sales', members: ['usr_ann'] }]]),
  flowIds: new Set(['flow_other']),
};

/** Calls and texts never reach the store in these tests: every port is a failure if used. */
const noPorts: EnginePorts = {
  nextRoundRobinStart: () => Promise.reject(new Error('not expected')),
  stickyMember: () => Promise.reject(new Error('not expected')),
  rememberSticky: () => Promise.reject(new Error('not expected')),
  presence: () => Promise.reject(new Error('not expected')),
};

const ctx = (over: Partial<CallContext> = {}): CallContext => ({
  now: new Date('2026-03-02T15:00:00Z'), // a Monday, 10:00 in New York
  from: CALLER,
  to: FLOW_NUMBER,
  directory,
  ports: noPorts,
  ...over,
});

/** Parsed as the store keeps revisions: defaults filled in. */
const part = (start: string, applets: Record<string, unknown>): FlowPart => partSchema.parse({ start, applets });

const hangup = { type: 'hangup' };
const greet = (next?: string) => ({ type: 'say', prompt: { text: 'Thanks for calling Acme.' }, next });
const vm = { type: 'voicemail', mailbox: { group: 'grp_sales' } };
const menu = (extra: Record<string, unknown> = {}) => ({
  type: 'menu',
  prompt: { text: 'For sales press 1. For support press 2.' },
  options: { '1': 'sales', '2': 'support', '#': 'operator' },
  invalidPrompt: { text: 'Sorry, that is not an option.' },
  fallback: 'vm',
  ...extra,
});
const menuPart = (extra: Record<string, unknown> = {}) =>
  part('greet', {
    greet: greet('menu'),
    menu: menu(extra),
    sales: { type: 'say', prompt: { text: 'Sales.' }, next: 'bye' },
    support: { type: 'say', prompt: { text: 'Support.' }, next: 'bye' },
    operator: { type: 'say', prompt: { text: 'Operator.' }, next: 'bye' },
    bye: hangup,
    vm,
  });

/** The state as it comes back from the action URL's query string (so every test exercises the encoding). */
const viaUrl = (state: CallState): CallState => {
  const decoded = decodeState(Object.fromEntries(new URLSearchParams(encodeState(state))));
  if (!decoded) throw new Error(`state did not survive the URL: ${JSON.stringify(state)}`);
  return decoded;
};

/** The state the carrier posts back to: the last waiting instruction's action (or redirect). */
function waitingState(result: CallResult): CallState {
  const waits = result.instructions.filter((i) => i.kind === 'gather' || i.kind === 'dial' || i.kind === 'record');
  const last = waits[waits.length - 1];
  if (!last || !('action' in last) || !last.action) throw new Error('the call is not waiting');
  return viaUrl(last.action);
}

const resume = (p: FlowPart, previous: CallResult, input: ResumeInput, over: Partial<CallContext> = {}) =>
  resumeCall(p, waitingState(previous), input, ctx(over));

const kinds = (instructions: CallInstruction[]) => instructions.map((i) => i.kind);
const spoken = (instructions: CallInstruction[]) =>
  instructions.flatMap((i) => (i.kind === 'say' || i.kind === 'gather') && 'text' in i.prompt ? [i.prompt.text] : []);
const stepIds = (result: CallResult) => result.steps.map((s) => s.applet);

// ---------------------------------------------------------------------------------------------------

describe('say', () => {
  test('speaks its prompt with its loop count, then goes on in the same request', async () => {
    const p = part('hello', {
      hello: { type: 'say', prompt: { text: 'Hello', voice: 'Polly.Joanna', language: 'en-US' }, loop: 2, next: 'bye' },
      bye: hangup,
    });

    const result = await startCall(p, ctx());

    expect(result.instructions).toEqual([
      { kind: 'say', prompt: { text: 'Hello', voice: 'Polly.Joanna', language: 'en-US' }, loop: 2 },
      { kind: 'hangup' },
    ]);
    expect(result.steps).toEqual([{ applet: 'hello', type: 'say' }, { applet: 'bye', type: 'hangup' }]);
    expect(result.redirectFlow).toBeUndefined();
  });

  test('plays an audio prompt once by default', async () => {
    const p = part('tune', { tune: { type: 'say', prompt: { play: 'https://cdn.example/hold.mp3' }, next: 'bye' }, bye: hangup });

    const result = await startCall(p, ctx());

    expect(result.instructions[0]).toEqual({ kind: 'say', prompt: { play: 'https://cdn.example/hold.mp3' }, loop: 1 });
  });
});

describe('menu', () => {
  test('asks for one key inside a gather, followed by a redirect that carries the same state (no input)', async () => {
    const result = await startCall(menuPart(), ctx());

    expect(kinds(result.instructions)).toEqual(['say', 'gather', 'redirect']);
    const [, gather, redirect] = result.instructions;
    expect(gather).toEqual({
      kind: 'gather',
      prompt: { text: 'For sales press 1. For support press 2.' },
      timeoutSeconds: 5,
      action: { step: 'menu', applet: 'menu', attempt: 1 },
    });
    expect(redirect).toEqual({ kind: 'redirect', to: { step: 'menu', applet: 'menu', attempt: 1 } });
    expect(stepIds(result)).toEqual(['greet', 'menu']);
  });

  test('a valid key goes to its option and runs on from there in the same request', async () => {
    const p = menuPart();
    const first = await startCall(p, ctx());

    const result = await resume(p, first, { digits: '2' });

    expect(spoken(result.instructions)).toEqual(['Support.']);
    expect(kinds(result.instructions)).toEqual(['say', 'hangup']);
    expect(stepIds(result)).toEqual(['menu', 'support', 'bye']);
  });

  test('# is an ordinary option key', async () => {
    const p = menuPart();
    const result = await resume(p, await startCall(p, ctx()), { digits: '#' });
    expect(spoken(result.instructions)).toEqual(['Operator.']);
  });

  test('an invalid key plays the invalid prompt and asks again (attempt 2)', async () => {
    const p = menuPart();
    const result = await resume(p, await startCall(p, ctx()), { digits: '7' });

    expect(kinds(result.instructions)).toEqual(['say', 'gather', 'redirect']);
    expect(spoken(result.instructions)[0]).toBe('Sorry, that is not an option.');
    expect(result.instructions[1]).toMatchObject({ action: { step: 'menu', applet: 'menu', attempt: 2 } });
    expect(result.instructions[2]).toMatchObject({ to: { step: 'menu', applet: 'menu', attempt: 2 } });
  });

  test('an invalid key without an invalid prompt just asks again', async () => {
    const p = menuPart({ invalidPrompt: undefined });
    const result = await resume(p, await startCall(p, ctx()), { digits: '9' });
    expect(kinds(result.instructions)).toEqual(['gather', 'redirect']);
  });

  test('no input asks again without the invalid prompt', async () => {
    const p = menuPart();
    const result = await resume(p, await startCall(p, ctx()), {});

    expect(kinds(result.instructions)).toEqual(['gather', 'redirect']);
    expect(result.instructions[0]).toMatchObject({ action: { attempt: 2 } });
  });

  test('an empty Digits counts as no input', async () => {
    const p = menuPart();
    const result = await resume(p, await startCall(p, ctx()), { digits: '' });
    expect(kinds(result.instructions)).toEqual(['gather', 'redirect']);
  });

  test('asks exactly `attempts` times in silence, then goes to the fallback', async () => {
    const p = menuPart({ attempts: 3 });
    let result = await startCall(p, ctx());
    let asks = 1;
    while (result.instructions.some((i) => i.kind === 'gather')) {
      result = await resume(p, result, {});
      if (result.instructions.some((i) => i.kind === 'gather')) asks++;
      if (asks > 10) throw new Error('the menu never gave up');
    }

    expect(asks).toBe(3);
    expect(stepIds(result)).toEqual(['menu', 'vm']);
    expect(kinds(result.instructions)).toEqual(['say', 'record', 'hangup']);
  });

  test('a wrong key on the last attempt explains, then goes to the fallback', async () => {
    const p = menuPart({ attempts: 2 });
    const second = await resume(p, await startCall(p, ctx()), {});

    const result = await resume(p, second, { digits: '5' });

    expect(spoken(result.instructions)).toEqual(['Sorry, that is not an option.', 'Please leave a message after the tone.']);
    expect(stepIds(result)).toEqual(['menu', 'vm']);
  });

  test('with attempts 1 the first miss goes to the fallback', async () => {
    const p = menuPart({ attempts: 1 });
    const result = await resume(p, await startCall(p, ctx()), {});
    expect(stepIds(result)).toEqual(['menu', 'vm']);
  });

  test('mixed failures count together: invalid, silence, invalid → fallback after 3', async () => {
    const p = menuPart({ attempts: 3 });
    const one = await startCall(p, ctx());
    const two = await resume(p, one, { digits: '8' });
    const three = await resume(p, two, {});
    expect(three.instructions.find((i) => i.kind === 'gather')).toMatchObject({ action: { attempt: 3 } });

    const result = await resume(p, three, { digits: '8' });

    expect(stepIds(result)).toEqual(['menu', 'vm']);
  });

  test('a valid key on the last attempt is still taken', async () => {
    const p = menuPart({ attempts: 2 });
    const second = await resume(p, await startCall(p, ctx()), {});
    const result = await resume(p, second, { digits: '1' });
    expect(spoken(result.instructions)).toEqual(['Sales.']);
  });

  test('timeoutSeconds reaches the gather', async () => {
    const result = await startCall(menuPart({ timeoutSeconds: 12 }), ctx());
    expect(result.instructions[1]).toMatchObject({ kind: 'gather', timeoutSeconds: 12 });
  });
});

describe('hours', () => {
  const hoursPart = (extra: Record<string, unknown> = {}) =>
    part('hours', {
      hours: {
        type: 'hours', timezone: 'America/New_York', weekly: { mon: [['09:00', '17:00']] }, open: 'open', closed: 'closed', ...extra,
      },
      open: { type: 'say', prompt: { text: 'We are open.' }, next: 'bye' },
      closed: { type: 'say', prompt: { text: 'We are closed.' }, next: 'bye' },
      bye: hangup,
    });

  test('during opening hours takes the open branch', async () => {
    const result = await startCall(hoursPart(), ctx({ now: new Date('2026-03-02T15:00:00Z') })); // Mon 10:00 EST
    expect(spoken(result.instructions)).toEqual(['We are open.']);
    expect(result.steps[0]).toEqual({ applet: 'hours', type: 'hours' });
  });

  test('outside opening hours takes the closed branch', async () => {
    const result = await startCall(hoursPart(), ctx({ now: new Date('2026-03-02T23:00:00Z') })); // Mon 18:00 EST
    expect(spoken(result.instructions)).toEqual(['We are closed.']);
  });

  test('an active override wins', async () => {
    const p = hoursPart({ override: { state: 'closed', until: '2026-03-03T00:00:00Z' } });
    const result = await startCall(p, ctx({ now: new Date('2026-03-02T15:00:00Z') }));
    expect(spoken(result.instructions)).toEqual(['We are closed.']);
  });
});

describe('caller', () => {
  const callerPart = part('who', {
    who: {
      type: 'caller',
      rules: [
        { numbers: ['+15550109999'], next: 'vip' },
        { anonymous: true, next: 'blocked' },
        { prefixes: ['+1212', '+44'], next: 'local' },
      ],
      otherwise: 'everyone',
    },
    vip: { type: 'say', prompt: { text: 'vip' }, next: 'bye' },
    blocked: hangup,
    local: { type: 'say', prompt: { text: 'local' }, next: 'bye' },
    everyone: { type: 'say', prompt: { text: 'everyone' }, next: 'bye' },
    bye: hangup,
  });
  const route = async (from: string) => stepIds(await startCall(callerPart, ctx({ from })))[1];

  test('an exact number matches its rule', async () => {
    expect(await route('+15550109999')).toBe('vip');
  });

  test('a prefix matches the start of the number', async () => {
    expect(await route('+12125550100')).toBe('local');
    expect(await route('+447700900123')).toBe('local');
  });

  test('anyone else goes to otherwise', async () => {
    expect(await route('+13105550100')).toBe('everyone');
  });

  test.each(['anonymous', 'Anonymous', '+266696687', 'restricted', 'unknown', '', 'RESTRICTED', '+7378742833'])(
    'a withheld number (%p) matches the anonymous rule',
    async (from) => {
      expect(await route(from)).toBe('blocked');
    },
  );

  test('the first matching rule wins', async () => {
    const p = part('who', {
      who: { type: 'caller', rules: [{ prefixes: ['+1555'], next: 'a' }, { numbers: [CALLER], next: 'b' }], otherwise: 'b' },
      a: hangup,
      b: hangup,
    });
    expect(stepIds(await startCall(p, ctx()))).toEqual(['who', 'a']);
  });

  test('a withheld number does not match a prefix its stand-in digits start with', async () => {
    const p = part('who', {
      who: { type: 'caller', rules: [{ prefixes: ['+2'], next: 'africa' }], otherwise: 'rest' },
      africa: hangup,
      rest: hangup,
    });
    expect(stepIds(await startCall(p, ctx({ from: '+266696687' })))).toEqual(['who', 'rest']);
  });
});

describe('voicemail', () => {
  test('speaks the default prompt, records into the mailbox and hangs up if nothing was recorded', async () => {
    const p = part('vm', { vm: { ...vm, maxSeconds: 90, transcribe: true } });

    const result = await startCall(p, ctx());

    expect(result.instructions).toEqual([
      { kind: 'say', prompt: { text: 'Please leave a message after the tone.' }, loop: 1 },
      { kind: 'record', maxSeconds: 90, transcribe: true, notify: { sms: false, email: false }, mailbox: { kind: 'group', id: 'grp_sales' }, action: { step: 'voicemail', applet: 'vm' } },
      { kind: 'hangup' },
    ]);
  });

  test('uses its own prompt and defaults (120 s, no transcript) for a user mailbox', async () => {
    const p = part('vm', { vm: { type: 'voicemail', prompt: { text: 'Ann is away.' }, mailbox: { user: 'usr_ann' } } });

    const result = await startCall(p, ctx());

    expect(spoken(result.instructions)).toEqual(['Ann is away.']);
    expect(result.instructions[1]).toMatchObject({ kind: 'record', maxSeconds: 120, transcribe: false, mailbox: { kind: 'user', id: 'usr_ann' } });
  });

  test('after the recording the call ends', async () => {
    const p = part('vm', { vm });
    const result = await resume(p, await startCall(p, ctx()), {});
    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
    expect(result.steps).toEqual([{ applet: 'vm', type: 'voicemail' }]);
  });
});

describe('redirect and hangup', () => {
  test('a redirect returns the other flow id with what was said so far', async () => {
    const p = part('greet', { greet: greet('away'), away: { type: 'redirect', flow: 'flow_other' } });

    const result = await startCall(p, ctx());

    expect(result.redirectFlow).toBe('flow_other');
    expect(spoken(result.instructions)).toEqual(['Thanks for calling Acme.']);
    expect(result.steps).toEqual([{ applet: 'greet', type: 'say' }, { applet: 'away', type: 'redirect' }]);
  });

  test('hangup hangs up', async () => {
    const result = await startCall(part('bye', { bye: hangup }), ctx());
    expect(result.instructions).toEqual([{ kind: 'hangup' }]);
  });
});

describe('runaway guard and dead ends', () => {
  const apologyAndHangup = [{ kind: 'say', prompt: APOLOGY, loop: 1 }, { kind: 'hangup' }];

  test(`a loop without input stops after ${MAX_APPLETS_PER_REQUEST} applets with an apology, marked in the steps`, async () => {
    const p = part('a', { a: { type: 'caller', rules: [], otherwise: 'b' }, b: { type: 'caller', rules: [], otherwise: 'a' } });

    const result = await startCall(p, ctx());

    expect(result.steps).toHaveLength(MAX_APPLETS_PER_REQUEST + 1);
    expect(result.steps[MAX_APPLETS_PER_REQUEST]).toEqual({ applet: 'a', type: 'guard' });
    expect(result.instructions).toEqual(apologyAndHangup);
  });

  test('the guard counts applets visited in the flow that redirected here', async () => {
    const p = part('greet', { greet: greet('bye'), bye: hangup });

    const result = await startCall(p, ctx({ visitedBefore: MAX_APPLETS_PER_REQUEST - 1 }));

    expect(result.steps).toEqual([{ applet: 'greet', type: 'say' }, { applet: 'bye', type: 'guard' }]);
  });

  test('an unset branch ends with an apology (never silence)', async () => {
    const result = await startCall(part('greet', { greet: greet() }), ctx());

    expect(result.steps).toEqual([{ applet: 'greet', type: 'say' }, { applet: '', type: 'missing' }]);
    expect(result.instructions.slice(1)).toEqual(apologyAndHangup);
  });

  test('a branch to an unknown applet, or an sms applet, ends with an apology', async () => {
    const unknown = await startCall(part('greet', { greet: greet('nowhere') }), ctx());
    expect(unknown.steps[1]).toEqual({ applet: 'nowhere', type: 'missing' });

    const sms = await startCall(part('r', { r: { type: 'reply', text: 'hi' } }), ctx());
    expect(sms.steps).toEqual([{ applet: 'r', type: 'missing' }]);
  });

  test('an applet id that is an Object.prototype property is not an applet', async () => {
    // "constructor" itself is refused by the schema now; "toString" is a valid id that names no applet here.
    const result = await startCall(part('greet', { greet: greet('toString') }), ctx());
    expect(result.steps[1]).toEqual({ applet: 'toString', type: 'missing' });
  });

  test('resuming a state that does not fit the flow ends politely', async () => {
    const p = menuPart();

    const wrongType = await resumeCall(p, { step: 'dial', applet: 'menu', pos: 1 }, { dialStatus: 'busy' }, ctx());
    const unknown = await resumeCall(p, { step: 'menu', applet: 'gone', attempt: 1 }, { digits: '1' }, ctx());

    expect(wrongType.steps).toEqual([{ applet: 'menu', type: 'missing' }]);
    expect(wrongType.instructions).toEqual(apologyAndHangup);
    expect(unknown.steps).toEqual([{ applet: 'gone', type: 'missing' }]);
  });
});

describe('screening', () => {
  test('the callee hears the caller’s number digit by digit and is asked to press 1', () => {
    const instructions = screenPrompt('+15550107777');

    expect(instructions).toEqual([
      { kind: 'gather', prompt: { text: 'Call from 1 5 5 5 0 1 0 7 7 7 7. Press 1 to accept.' }, timeoutSeconds: 10 },
      { kind: 'hangup' },
    ]);
  });

  test('a withheld number is announced as such', () => {
    expect(spoken(screenPrompt('anonymous'))).toEqual(['Call from a withheld number. Press 1 to accept.']);
  });

  test('1 accepts (an empty answer bridges the call); anything else declines', () => {
    expect(screenResult('1')).toEqual([]);
    expect(screenResult('2')).toEqual([{ kind: 'hangup' }]);
    expect(screenResult(undefined)).toEqual([{ kind: 'hangup' }]);
  });
});

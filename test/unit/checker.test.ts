// The flow checker, as a specification: DESIGN.md section 4, one block per problem code.
import { checkFlow } from '../../lambdas/flows/checker';
import type { Directory, Group, User } from '../../lambdas/flows/people';
import type { Problem } from '../../lambdas/flows/problems';
import { flowDocumentSchema, type FlowDocument } from '../../lambdas/flows/schema';

// ---------------------------------------------------------------------------------------------------
// Fixtures

const ann: User = { id: 'usr_ann', name: 'Ann', phone: '+15550100001', available: true };
const bob: User = { id: 'usr_bob', name: 'Bob', client: 'bob', available: true };
const ghost: User = { id: 'usr_ghost', name: 'Ghost', available: true }; // neither phone nor client
const crowd: User[] = Array.from({ length: 11 }, (_, i) => ({
  id: `usr_${i + 1}`, name: `Agent ${i + 1}`, phone: `+1555020${String(i).padStart(4, '0')}`, available: true,
}));

const groups: Group[] = [
  { id: 'grp_sales', name: 'Sales', members: ['usr_ann', 'usr_bob'] },
  { id: 'grp_empty', name: 'Nobody', members: [] },
  { id: 'grp_crowd', name: 'Crowd', members: crowd.map((u) => u.id) },
  { id: 'grp_ten', name: 'Ten', members: crowd.slice(0, 10).map((u) => u.id) },
  { id: 'grp_stale', name: 'Stale', members: ['usr_ann', 'usr_gone'] },
  { id: 'grp_ghosts', name: 'Ghosts', members: ['usr_ann', 'usr_ghost'] },
];

function directory(flowIds: string[] = ['flow_other']): Directory {
  return {
    users: new Map([ann, bob, ghost, ...crowd].map((u) => [u.id, u])),
    groups: new Map(groups.map((g) => [g.id, g])),
    flowIds: new Set(flowIds),
  };
}

type Applets = Record<string, unknown>;
const CALL_OK = { start: 'bye', applets: { bye: { type: 'hangup' } } };
const SMS_OK = { start: 'inbox', applets: { inbox: { type: 'inbox', mailbox: { user: 'usr_ann' } } } };

/** A document whose call part is under test; its sms part is sound. */
const callDoc = (start: string, applets: Applets): FlowDocument =>
  flowDocumentSchema.parse({ name: 'Test', call: { start, applets }, sms: SMS_OK });
/** A document whose sms part is under test; its call part is sound. */
const smsDoc = (start: string, applets: Applets): FlowDocument =>
  flowDocumentSchema.parse({ name: 'Test', call: CALL_OK, sms: { start, applets } });

const check = (doc: FlowDocument, options?: { flowId?: string; now?: Date }): Problem[] =>
  checkFlow(doc, directory(), options);

const say = (next?: string) => ({ type: 'say', prompt: { text: 'Hello' }, ...(next !== undefined && { next }) });
const hangup = { type: 'hangup' };
const vm = { type: 'voicemail', mailbox: { user: 'usr_ann' } };
const nineToFive = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] };
const hours = (extra: Record<string, unknown> = {}) => ({
  type: 'hours', timezone: 'Europe/Paris', weekly: nineToFive, open: 'bye', closed: 'bye', ...extra,
});

/** Exactly one problem, with these fields; its message must name each of `mentions`. */
function expectOnly(problems: Problem[], expected: Partial<Problem>, mentions: string[] = []): void {
  expect(problems).toEqual([expect.objectContaining(expected)]);
  for (const m of mentions) expect(problems[0].message).toContain(m);
}

/** A problem about the whole part names no applet and no branch. */
function expectNoLocation(problem: Problem): void {
  expect(problem).not.toHaveProperty('applet');
  expect(problem).not.toHaveProperty('branch');
}

// The "Main line" example of DESIGN.md section 3, verbatim.
const MAIN_LINE = {
  name: 'Main line',
  call: {
    start: 'hours',
    applets: {
      hours: {
        type: 'hours', timezone: 'America/New_York',
        weekly: {
          mon: [['09:00', '17:00']], tue: [['09:00', '12:00'], ['13:00', '17:00']],
          wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']],
          sat: [], sun: [],
        },
        closures: [{ date: '2026-12-24', name: 'Christmas Eve' }, { date: '--01-01', name: 'New Year' }],
        open: 'greet', closed: 'vm',
      },
      greet: { type: 'say', prompt: { text: 'Thanks for calling Acme.' }, next: 'menu' },
      menu: {
        type: 'menu', prompt: { text: 'For sales press 1. For support press 2.' },
        options: { '1': 'sales', '2': 'support' },
        attempts: 3, timeoutSeconds: 5,
        invalidPrompt: { text: 'Sorry, that is not an option.' },
        fallback: 'vm',
      },
      sales: { type: 'dial', group: 'grp_sales', strategy: 'sequential', ringSeconds: 20, noAnswer: 'vm' },
      support: { type: 'dial', user: 'usr_ann', screen: true, noAnswer: 'vm' },
      vm: {
        type: 'voicemail', prompt: { text: 'Please leave a message after the tone.' },
        mailbox: { group: 'grp_sales' }, maxSeconds: 120, transcribe: true,
      },
    },
  },
  sms: {
    start: 'reply',
    applets: {
      reply: { type: 'reply', text: 'Thanks, we will get back to you shortly.', next: 'inbox' },
      inbox: { type: 'inbox', mailbox: { group: 'grp_sales' }, notify: true },
    },
  },
};

// ---------------------------------------------------------------------------------------------------
// Valid flows

describe('valid flows have no problems', () => {
  test('the "Main line" example of DESIGN.md', () => {
    expect(check(flowDocumentSchema.parse(MAIN_LINE))).toEqual([]);
  });

  test('a menu that loops back through a greeting waits for the caller, so it is no loop', () => {
    const doc = callDoc('greet', {
      greet: say('menu'),
      menu: { type: 'menu', prompt: { text: 'Press 1' }, options: { '1': 'bye', '9': 'greet' }, fallback: 'greet' },
      bye: hangup,
    });
    expect(check(doc)).toEqual([]);
  });

  test('a dial whose noAnswer comes back to it waits for the dial result, so it is no loop', () => {
    const doc = callDoc('ring', {
      ring: { type: 'dial', number: '+15550109999', noAnswer: 'sorry' },
      sorry: say('ring'),
    });
    expect(check(doc)).toEqual([]);
  });

  test('a reply without next ends the text; hours, caller and keyword route texts', () => {
    const doc = smsDoc('vip', {
      vip: { type: 'caller', rules: [{ numbers: ['+15550100009'], next: 'fwd' }], otherwise: 'open' },
      open: { ...hours(), open: 'kw', closed: 'later' },
      kw: { type: 'keyword', rules: [{ keywords: ['LEAVE'], next: 'bye' }], otherwise: 'inbox' },
      later: { type: 'reply', text: 'We are closed.' },
      bye: { type: 'reply', text: 'Goodbye.' },
      fwd: { type: 'forward', to: '+15550100002' },
      inbox: { type: 'inbox', mailbox: { group: 'grp_sales' } },
    });
    expect(check(doc)).toEqual([]);
  });

  test('hours may close at 24:00, and ranges that touch do not overlap', () => {
    const doc = callDoc('h', {
      h: hours({ weekly: { fri: [['00:00', '08:00'], ['08:00', '12:00'], ['18:00', '24:00']] } }),
      bye: hangup,
    });
    expect(check(doc)).toEqual([]);
  });

  test('a redirect to another existing flow, or to this flow itself, is fine', () => {
    const other = callDoc('r', { r: { type: 'redirect', flow: 'flow_other' } });
    expect(check(other)).toEqual([]);
    const self = callDoc('m', {
      m: { type: 'menu', prompt: { text: 'Press 1' }, options: { '1': 'again' }, fallback: 'bye' },
      again: { type: 'redirect', flow: 'flow_self' },
      bye: hangup,
    });
    expect(check(self, { flowId: 'flow_self' })).toEqual([]);
  });

  test('simultaneous ringing of exactly 10 members, and sequential ringing of more, are fine', () => {
    const doc = callDoc('ten', {
      ten: { type: 'dial', group: 'grp_ten', noAnswer: 'crowd' },
      crowd: { type: 'dial', group: 'grp_crowd', strategy: 'round-robin', perRound: 10, noAnswer: 'bye' },
      bye: hangup,
    });
    expect(check(doc)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Errors

describe('unknown_start', () => {
  test('start names no applet of the part (and its applets are then not called unreachable)', () => {
    const doc = callDoc('welcome', { greet: say('bye'), bye: hangup });
    const found = check(doc);
    expectOnly(found, { severity: 'error', code: 'unknown_start', channel: 'call' }, ['"welcome"', '"greet"']);
    expectNoLocation(found[0]);
  });

  test('in the sms part too', () => {
    const doc = smsDoc('nope', { inbox: { type: 'inbox', mailbox: { user: 'usr_ann' } } });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_start', channel: 'sms' }, ['"nope"']);
  });

  test('a start that only Object.prototype has ("constructor") names no applet', () => {
    // The schema refuses "constructor" now; the checker must not be fooled by it either.
    const doc = { name: 'Test', call: { start: 'constructor', applets: { bye: hangup } }, sms: SMS_OK } as FlowDocument;
    expectOnly(check(doc), { severity: 'error', code: 'unknown_start', channel: 'call' }, ['"constructor"']);
  });
});

describe('unknown_applet', () => {
  test('a branch points to an id that is not in the part', () => {
    const doc = callDoc('h', { h: hours({ closed: 'voicemail' }), bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_applet', channel: 'call', applet: 'h', branch: 'closed' },
      ['"h"', 'closed', '"voicemail"']);
  });

  test('a menu option points to an applet of the other part (parts do not share applets)', () => {
    const doc = callDoc('m', {
      m: { type: 'menu', prompt: { text: 'Press 1' }, options: { '1': 'inbox' }, fallback: 'bye' },
      bye: hangup,
    });
    expectOnly(check(doc), { code: 'unknown_applet', applet: 'm', branch: 'options.1' }, ['"inbox"']);
  });

  test.each(['toString', 'hasOwnProperty', 'valueOf'])('a branch to "%s" (an inherited property, not an applet)', (target) => {
    const doc = callDoc('greet', { greet: say(target) });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_applet', applet: 'greet', branch: 'next' }, [`"${target}"`]);
  });
});

describe('missing_branch', () => {
  test('hours without a closed branch is a dead end', () => {
    const doc = callDoc('h', { h: hours({ closed: undefined }), bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'missing_branch', channel: 'call', applet: 'h', branch: 'closed' },
      ['"h"', 'closed']);
  });

  test('each empty branch of each kind is reported once, never also as unknown_applet', () => {
    const doc = callDoc('greet', {
      greet: say(''),
      menu: { type: 'menu', prompt: { text: 'Press 1' }, options: { '1': '', '2': 'bye' } },
      vip: { type: 'caller', rules: [{ anonymous: true }], otherwise: 'bye' },
      ring: { type: 'dial', user: 'usr_ann' },
      bye: hangup,
    });
    const found = check(doc).filter((p) => p.code !== 'unreachable');
    expect(found.map((p) => [p.code, p.applet, p.branch])).toEqual([
      ['missing_branch', 'greet', 'next'],
      ['missing_branch', 'menu', 'options.1'],
      ['missing_branch', 'menu', 'fallback'],
      ['missing_branch', 'vip', 'rules.0.next'],
      ['missing_branch', 'ring', 'noAnswer'],
    ]);
    expect(found.every((p) => p.severity === 'error' && p.channel === 'call')).toBe(true);
  });

  test('a keyword rule and otherwise in the sms part', () => {
    const doc = smsDoc('kw', { kw: { type: 'keyword', rules: [{ keywords: ['HOURS'] }], otherwise: '' } });
    expect(check(doc).map((p) => [p.code, p.channel, p.applet, p.branch])).toEqual([
      ['missing_branch', 'sms', 'kw', 'rules.0.next'],
      ['missing_branch', 'sms', 'kw', 'otherwise'],
    ]);
  });
});

describe('wrong_channel', () => {
  test('an sms applet in the call part', () => {
    const doc = callDoc('r', { r: { type: 'reply', text: 'Hi' } });
    expectOnly(check(doc), { severity: 'error', code: 'wrong_channel', channel: 'call', applet: 'r' }, ['"r"', 'reply']);
  });

  test('a call applet in the sms part', () => {
    const doc = smsDoc('vm', { vm });
    expectOnly(check(doc), { severity: 'error', code: 'wrong_channel', channel: 'sms', applet: 'vm' }, ['"vm"', 'voicemail']);
  });
});

describe('loop_without_input', () => {
  test('instant call applets that lead back to each other spin forever; reported once, on the first applet', () => {
    const doc = callDoc('h', {
      h: hours({ open: 'greet', closed: 'greet' }),
      greet: say('again'),
      again: say('h'),
    });
    expectOnly(check(doc), { severity: 'error', code: 'loop_without_input', channel: 'call', applet: 'h' },
      ['"h" → "greet" → "again" → "h"']);
  });

  test('a user or group dial whose noAnswer leads back to it spins when nobody can be rung (everyone unavailable)', () => {
    const user = callDoc('hold', { hold: say('ring'), ring: { type: 'dial', user: 'usr_ann', noAnswer: 'hold' } });
    expectOnly(check(user), { severity: 'error', code: 'loop_without_input', channel: 'call', applet: 'hold' }, ['"hold" → "ring" → "hold"', 'nobody can be rung']);
    const group = callDoc('ring', { ring: { type: 'dial', group: 'grp_sales', strategy: 'sequential', noAnswer: 'ring' } });
    expectOnly(check(group), { code: 'loop_without_input', applet: 'ring' }, ['"ring" → "ring"']);
  });

  test('a dial that goes back through a menu waits for the caller: no loop', () => {
    const doc = callDoc('ring', {
      ring: { type: 'dial', user: 'usr_ann', noAnswer: 'ask' },
      ask: { type: 'menu', prompt: { text: 'Press 1 to try again.' }, options: { 1: 'ring' }, fallback: 'vm' },
      vm,
    });
    expect(check(doc).filter((p) => p.code === 'loop_without_input')).toEqual([]);
  });

  test('a say whose next is itself', () => {
    const doc = callDoc('s', { s: say('s') });
    expectOnly(check(doc), { code: 'loop_without_input', applet: 's' }, ['"s" → "s"']);
  });

  test('a loop is an error even when no path reaches it', () => {
    const doc = callDoc('bye', { bye: hangup, a: say('b'), b: say('a') });
    const loops = check(doc).filter((p) => p.code === 'loop_without_input');
    expect(loops).toEqual([expect.objectContaining({ severity: 'error', channel: 'call', applet: 'a' })]);
  });

  test('in the sms part nothing waits, so any cycle is a loop', () => {
    const doc = smsDoc('hello', {
      hello: { type: 'reply', text: 'Hi', next: 'kw' },
      kw: { type: 'keyword', rules: [{ keywords: ['MORE'], next: 'hello' }], otherwise: 'inbox' },
      inbox: { type: 'inbox', mailbox: { user: 'usr_ann' } },
    });
    expectOnly(check(doc), { severity: 'error', code: 'loop_without_input', channel: 'sms', applet: 'hello' },
      ['"hello" → "kw" → "hello"']);
  });

  test('a redirect to this same flow with nothing waiting before it restarts forever', () => {
    const doc = callDoc('greet', { greet: say('again'), again: { type: 'redirect', flow: 'flow_self' } });
    expectOnly(check(doc, { flowId: 'flow_self' }), { code: 'loop_without_input', applet: 'greet' });
  });
});

describe('unknown_user', () => {
  test('a dial to a user who does not exist', () => {
    const doc = callDoc('d', { d: { type: 'dial', user: 'usr_nobody', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_user', channel: 'call', applet: 'd' }, ['"d"', '"usr_nobody"']);
  });

  test("a voicemail or inbox in a missing user's mailbox", () => {
    const call = callDoc('v', { v: { type: 'voicemail', mailbox: { user: 'usr_nobody' } } });
    expectOnly(check(call), { code: 'unknown_user', channel: 'call', applet: 'v' }, ['"usr_nobody"']);
    const sms = smsDoc('i', { i: { type: 'inbox', mailbox: { user: 'usr_nobody' } } });
    expectOnly(check(sms), { code: 'unknown_user', channel: 'sms', applet: 'i' }, ['"usr_nobody"']);
  });

  test('a group member who is not a user', () => {
    const doc = callDoc('d', { d: { type: 'dial', group: 'grp_stale', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_user', applet: 'd' }, ['"grp_stale"', '"usr_gone"']);
  });
});

describe('unknown_group', () => {
  test('a dial to a group that does not exist', () => {
    const doc = callDoc('d', { d: { type: 'dial', group: 'grp_nope', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_group', channel: 'call', applet: 'd' }, ['"d"', '"grp_nope"']);
  });

  test("an inbox in a missing group's mailbox", () => {
    const doc = smsDoc('i', { i: { type: 'inbox', mailbox: { group: 'grp_nope' } } });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_group', channel: 'sms', applet: 'i' }, ['"grp_nope"']);
  });
});

describe('unknown_flow', () => {
  test('a redirect to a flow that does not exist', () => {
    const doc = callDoc('r', { r: { type: 'redirect', flow: 'flow_gone' } });
    expectOnly(check(doc), { severity: 'error', code: 'unknown_flow', channel: 'call', applet: 'r' }, ['"r"', '"flow_gone"']);
  });
});

describe('empty_group', () => {
  test('a dial to a group without members', () => {
    const doc = callDoc('d', { d: { type: 'dial', group: 'grp_empty', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'empty_group', channel: 'call', applet: 'd' }, ['"grp_empty"']);
  });

  test("a voicemail in an empty group's mailbox", () => {
    const doc = callDoc('v', { v: { type: 'voicemail', mailbox: { group: 'grp_empty' } } });
    expectOnly(check(doc), { severity: 'error', code: 'empty_group', applet: 'v' }, ['"grp_empty"']);
  });
});

describe('bad_timezone', () => {
  test.each(['Mars/Olympus_Mons', 'New York', ' '])('"%s" is not a time zone', (timezone) => {
    const doc = callDoc('h', { h: hours({ timezone }), bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'bad_timezone', channel: 'call', applet: 'h' }, [`"${timezone}"`]);
  });
});

describe('bad_hours', () => {
  const badHours = (weekly: Record<string, string[][]>) => check(callDoc('h', { h: hours({ weekly }), bye: hangup }));

  test('a range that closes before it opens', () => {
    expectOnly(badHours({ mon: [['17:00', '09:00']] }), { severity: 'error', code: 'bad_hours', channel: 'call', applet: 'h' },
      ['mon', '"17:00","09:00"']);
  });

  test('a range that closes when it opens', () => {
    expectOnly(badHours({ tue: [['09:00', '09:00']] }), { code: 'bad_hours', applet: 'h' }, ['tue', '"09:00","09:00"']);
  });

  test('24:00 as an opening time', () => {
    expectOnly(badHours({ wed: [['24:00', '24:00']] }), { code: 'bad_hours', applet: 'h' }, ['wed', '24:00']);
  });

  test('overlapping ranges on the same day, in any order', () => {
    expectOnly(badHours({ thu: [['13:00', '17:00'], ['09:00', '13:30']] }), { code: 'bad_hours', applet: 'h' },
      ['thu', '"09:00","13:30"', '"13:00","17:00"']);
  });

  test('a range inside another one overlaps it: one problem per overlapping pair', () => {
    const found = badHours({ fri: [['08:00', '18:00'], ['10:00', '11:00'], ['12:00', '13:00']] });
    expect(found.map((p) => [p.code, p.applet])).toEqual([['bad_hours', 'h'], ['bad_hours', 'h']]);
    expect(found[0].message).toContain('"08:00","18:00"] and ["10:00","11:00"]');
    expect(found[1].message).toContain('"08:00","18:00"] and ["12:00","13:00"]');
  });

  test('a closure on a date no calendar has (but 29 February is fine every year)', () => {
    const doc = callDoc('h', {
      h: hours({ closures: [{ date: '--02-29' }, { date: '2026-02-30' }] }),
      bye: hangup,
    });
    expectOnly(check(doc), { code: 'bad_hours', applet: 'h' }, ['"2026-02-30"']);
  });
});

describe('too_many_targets', () => {
  test('a simultaneous dial of a group with more than 10 members', () => {
    const doc = callDoc('d', { d: { type: 'dial', group: 'grp_crowd', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'error', code: 'too_many_targets', channel: 'call', applet: 'd' },
      ['"d"', '"grp_crowd"', '11']);
  });
});

// ---------------------------------------------------------------------------------------------------
// Warnings

describe('unreachable', () => {
  test('an applet no path from start reaches, once each', () => {
    const doc = callDoc('greet', { greet: say('bye'), bye: hangup, orphan: say('bye'), lost: hangup });
    const found = check(doc);
    expect(found).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'unreachable', channel: 'call', applet: 'orphan' }),
      expect.objectContaining({ severity: 'warning', code: 'unreachable', channel: 'call', applet: 'lost' }),
    ]);
    expect(found[0].message).toContain('"orphan"');
  });

  test('in the sms part', () => {
    const doc = smsDoc('inbox', { inbox: { type: 'inbox', mailbox: { user: 'usr_ann' } }, old: { type: 'reply', text: 'x' } });
    expectOnly(check(doc), { severity: 'warning', code: 'unreachable', channel: 'sms', applet: 'old' });
  });
});

describe('always_closed', () => {
  test('hours with no range on any day', () => {
    const doc = callDoc('h', { h: hours({ weekly: {} }), bye: hangup });
    expectOnly(check(doc), { severity: 'warning', code: 'always_closed', channel: 'call', applet: 'h' }, ['"h"']);
  });

  test('an open override counts only while it lasts', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const until = (iso: string) => callDoc('h', { h: hours({ weekly: {}, override: { state: 'open', until: iso } }), bye: hangup });
    expect(check(until('2026-03-02T00:00:00Z'), { now })).toEqual([]);
    expectOnly(check(until('2026-02-28T00:00:00Z'), { now }), { code: 'always_closed', applet: 'h' });
  });

  test('a closed override does not open anything', () => {
    const doc = callDoc('h', {
      h: hours({ weekly: {}, override: { state: 'closed', until: '2999-01-01T00:00:00Z' } }),
      bye: hangup,
    });
    expectOnly(check(doc), { code: 'always_closed', applet: 'h' });
  });
});

describe('no_call_part / no_sms_part', () => {
  test('a flow without a call part', () => {
    const doc = flowDocumentSchema.parse({ name: 'Texts only', sms: SMS_OK });
    const found = check(doc);
    expectOnly(found, { severity: 'warning', code: 'no_call_part', channel: 'call' }, ['call']);
    expectNoLocation(found[0]);
  });

  test('a flow without an sms part', () => {
    const doc = flowDocumentSchema.parse({ name: 'Calls only', call: CALL_OK });
    const found = check(doc);
    expectOnly(found, { severity: 'warning', code: 'no_sms_part', channel: 'sms' }, ['sms']);
    expectNoLocation(found[0]);
  });

  test('a flow with neither part gets both warnings', () => {
    const found = check(flowDocumentSchema.parse({ name: 'Empty' }));
    expect(found.map((p) => [p.severity, p.code, p.channel])).toEqual([
      ['warning', 'no_call_part', 'call'],
      ['warning', 'no_sms_part', 'sms'],
    ]);
  });
});

describe('user_unreachable', () => {
  test('a dialled user with neither phone nor client', () => {
    const doc = callDoc('d', { d: { type: 'dial', user: 'usr_ghost', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'warning', code: 'user_unreachable', channel: 'call', applet: 'd' }, ['"usr_ghost"']);
  });

  test('such a user as a member of a dialled group', () => {
    const doc = callDoc('d', { d: { type: 'dial', group: 'grp_ghosts', noAnswer: 'bye' }, bye: hangup });
    expectOnly(check(doc), { severity: 'warning', code: 'user_unreachable', applet: 'd' }, ['"usr_ghost"', '"grp_ghosts"']);
  });

  test('a mailbox owner needs no phone: nobody is rung', () => {
    const doc = callDoc('v', { v: { type: 'voicemail', mailbox: { user: 'usr_ghost' } } });
    expect(check(doc)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The schema catches malformed documents before the checker sees them, naming the field.

describe('the schema rejects malformed documents with a path', () => {
  const issues = (input: unknown) => {
    const result = flowDocumentSchema.safeParse(input);
    expect(result.success).toBe(false);
    return result.error!.issues.map((i) => i.path.join('.'));
  };

  test('menu attempts above 10', () => {
    expect(issues({
      name: 'x',
      call: { start: 'm', applets: { m: { type: 'menu', prompt: { text: 'Hi' }, options: {}, attempts: 11, fallback: 'm' } } },
    })).toEqual(['call.applets.m.attempts']);
  });

  test('an applet id with a space', () => {
    expect(issues({ name: 'x', call: { start: 'bye', applets: { 'bad id': hangup } } })).toEqual(['call.applets.bad id']);
  });

  test('applet ids that are Object.prototype machinery, wherever an id goes', () => {
    // "__proto__" as a key would be swallowed by the object (the applet vanishes from the saved document).
    expect(issues(JSON.parse('{"name":"x","call":{"start":"bye","applets":{"bye":{"type":"hangup"},"__proto__":{"type":"hangup"}}}}')))
      .toEqual(['call.applets.__proto__']);
    expect(issues({ name: 'x', call: { start: 'bye', applets: { bye: hangup, constructor: hangup } } })).toEqual(['call.applets.constructor']);
    expect(issues({ name: 'x', call: { start: 'constructor', applets: { bye: hangup } } })).toEqual(['call.start']);
    expect(issues({ name: 'x', sms: { start: 'r', applets: { r: { type: 'reply', text: 'Hi', next: 'prototype' } } } }))
      .toEqual(['sms.applets.r.next']);
    expect(issues({ name: 'x', call: { start: 'm', applets: { m: { type: 'menu', prompt: { text: 'Hi' }, options: { '1': '__proto__' } } } } }))
      .toEqual(['call.applets.m.options.1']);
  });

  test('a dial with two targets', () => {
    expect(issues({
      name: 'x',
      call: { start: 'd', applets: { d: { type: 'dial', user: 'usr_ann', number: '+15550100001', noAnswer: 'd' } } },
    })).toEqual(['call.applets.d.user']);
  });
});

describe('reserved_keyword: a keyword rule naming a word Twilio answers itself (STOP, START, HELP...)', () => {
  const doc = (keywords: string[][]) =>
    smsDoc('kw', {
      kw: { type: 'keyword', rules: keywords.map((k) => ({ keywords: k, next: 'r' })), otherwise: 'inbox' },
      r: { type: 'reply', text: 'Noted.' },
      inbox: { type: 'inbox', mailbox: { group: 'grp_sales' } },
    });

  test('a warning (the flow still publishes), naming the words once each, in any case', () => {
    const found = check(doc([['SALES', 'stop'], ['Help', 'STOP', 'Unsubscribe']]));
    expectOnly(found, { severity: 'warning', code: 'reserved_keyword', channel: 'sms', applet: 'kw' }, ['STOP, HELP, UNSUBSCRIBE', 'Twilio answers']);
  });

  test.each(['STOPALL', 'CANCEL', 'END', 'QUIT', 'START', 'YES', 'UNSTOP', 'INFO'])('%s is reserved', (word) => {
    expect(check(doc([[word.toLowerCase()]])).map((p) => p.code)).toEqual(['reserved_keyword']);
  });

  test('other words, and words that only start like one, are not', () => {
    expect(check(doc([['SALES', 'STOPS', 'HELPDESK', 'ENDING']]))).toEqual([]);
  });
});

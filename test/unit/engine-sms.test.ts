// The sms engine, as a specification: DESIGN.md section 3 (sms applets). Every applet is instant: one
// incoming text, one complete answer.
import { MAX_APPLETS_PER_REQUEST } from '../../lambdas/flows/engine';
import type { Directory, User } from '../../lambdas/flows/people';
import { partSchema, type FlowPart } from '../../lambdas/flows/schema';
import { carrierKeyword } from '../../lambdas/flows/carrier-keywords';
import { recipientsOf, runSms, withoutRecipients, type SmsContext } from '../../lambdas/flows/sms-engine';

const FLOW_NUMBER = '+15550100001';
const SENDER = '+15550107777';

const ann: User = { id: 'ann', name: 'Ann', phone: '+15550100011', available: true };
const bob: User = { id: 'bob', name: 'Bob', client: 'bob', available: true }; // no phone: no text
const cat: User = { id: 'cat', name: 'Cat', phone: '+15550100033', available: false }; // unavailable still gets texts
const dup: User = { id: 'dup', name: 'Ann again', phone: '+15550100011', available: true }; // shares Ann's phone

const directory: Directory = {
  users: new Map([ann, bob, cat, dup].map((u) => [u.id, u])),
  groups: new Map([
    ['sales', { id: 'sales', name: 'Sales', members: ['ann', 'bob', 'cat'] }],
    ['shared', { id: 'shared', name: 'Shared', members: ['ann', 'dup'] }],
  ]),
  flowIds: new Set(),
};

const ctx = (over: Partial<SmsContext> = {}): SmsContext => ({
  now: new Date('2026-03-02T15:00:00Z'), // Monday 10:00 in New York
  from: SENDER,
  to: FLOW_NUMBER,
  body: 'Hello there',
  media: [],
  directory,
  ...over,
});

const part = (start: string, applets: Record<string, unknown>): FlowPart => partSchema.parse({ start, applets });
const inbox = (extra: Record<string, unknown> = {}) => ({ type: 'inbox', mailbox: { group: 'sales' }, ...extra });
const reply = (text: string, next?: string) => ({ type: 'reply', text, next });
const ids = (steps: Array<{ applet: string }>) => steps.map((s) => s.applet);

describe('reply', () => {
  test('answers the sender with text and media; without next the reply is the end', () => {
    const p = part('r', { r: { type: 'reply', text: 'Thanks!', media: ['https://cdn.example/logo.png'] } });

    const result = runSms(p, ctx());

    expect(result).toEqual({
      replies: [{ body: 'Thanks!', media: ['https://cdn.example/logo.png'] }],
      steps: [{ applet: 'r', type: 'reply' }],
    });
  });

  test('with next goes on: reply then inbox', () => {
    const p = part('r', { r: reply('We got it.', 'box'), box: inbox() });

    const result = runSms(p, ctx());

    expect(result.replies).toEqual([{ body: 'We got it.' }]);
    expect(result.store).toEqual({ mailbox: { kind: 'group', id: 'sales' } });
    expect(ids(result.steps)).toEqual(['r', 'box']);
  });
});

describe('keyword', () => {
  const p = part('kw', {
    kw: { type: 'keyword', rules: [{ keywords: ['SALES', 'buy'], next: 'sales' }, { keywords: ['Help'], next: 'help' }], otherwise: 'other' },
    sales: reply('sales'),
    help: reply('help'),
    other: reply('other'),
  });
  const answer = (body: string) => runSms(p, ctx({ body })).replies[0].body;

  test.each([
    ['sales please', 'sales'],
    ['SALES', 'sales'],
    ['Buy now', 'sales'],
    ['  help me', 'help'],
    ['HELP!', 'help'],
    ['Sales!', 'sales'],
  ])('%p → %s (first word, case-insensitive)', (body, expected) => {
    expect(answer(body)).toBe(expected);
  });

  test('only the first word counts', () => {
    expect(answer('I need help')).toBe('other');
  });

  test('no keyword, or an empty body (media only), goes to otherwise', () => {
    expect(answer('hello')).toBe('other');
    expect(answer('')).toBe('other');
    expect(answer('salesman')).toBe('other');
  });
});

describe('hours and caller', () => {
  const p = part('hours', {
    hours: { type: 'hours', timezone: 'America/New_York', weekly: { mon: [['09:00', '17:00']] }, open: 'who', closed: 'closed' },
    who: { type: 'caller', rules: [{ numbers: [SENDER], next: 'vip' }, { anonymous: true, next: 'anon' }], otherwise: 'open' },
    vip: reply('vip'),
    anon: reply('anon'),
    open: reply('open'),
    closed: reply('closed'),
  });

  test('hours route on the flow’s time zone', () => {
    expect(runSms(p, ctx({ from: '+15550100999' })).replies[0].body).toBe('open');
    expect(runSms(p, ctx({ now: new Date('2026-03-02T23:00:00Z') })).replies[0].body).toBe('closed');
  });

  test('caller rules apply to senders as to callers', () => {
    expect(runSms(p, ctx()).replies[0].body).toBe('vip');
    expect(runSms(p, ctx({ from: 'unknown' })).replies[0].body).toBe('anon');
  });
});

describe('inbox', () => {
  test('stores the text in the mailbox and sends nothing without notify', () => {
    const result = runSms(part('box', { box: inbox({ mailbox: { user: 'ann' } }) }), ctx());
    expect(result).toEqual({ replies: [], store: { mailbox: { kind: 'user', id: 'ann' } }, steps: [{ applet: 'box', type: 'inbox' }] });
  });

  test('notify texts every group member with a phone, once each, "From <sender>: <body>"', () => {
    const result = runSms(part('box', { box: inbox({ notify: true }) }), ctx());

    expect(result.replies).toEqual([
      { to: '+15550100011', body: `From ${SENDER}: Hello there` },
      { to: '+15550100033', body: `From ${SENDER}: Hello there` },
    ]);
  });

  test('notify for a user mailbox texts that user', () => {
    const result = runSms(part('box', { box: inbox({ mailbox: { user: 'ann' }, notify: true }) }), ctx());
    expect(result.replies).toEqual([{ to: '+15550100011', body: `From ${SENDER}: Hello there` }]);
  });

  test('a phone shared by two members gets one notification', () => {
    const result = runSms(part('box', { box: inbox({ mailbox: { group: 'shared' }, notify: true }) }), ctx());
    expect(result.replies.map((r) => r.to)).toEqual(['+15550100011']);
  });

  test('a notification says how many attachments came, without resending them', () => {
    const media = [{ url: 'https://api.twilio.com/m/1', contentType: 'image/jpeg' }, { url: 'https://api.twilio.com/m/2', contentType: 'image/png' }];
    const result = runSms(part('box', { box: inbox({ mailbox: { user: 'ann' }, notify: true }) }), ctx({ body: '', media }));
    expect(result.replies).toEqual([{ to: '+15550100011', body: `From ${SENDER} [2 attachments]` }]);
  });

  test('replies to the sender come before notifications', () => {
    const result = runSms(part('r', { r: reply('Thanks', 'box'), box: inbox({ mailbox: { user: 'ann' }, notify: true }) }), ctx());
    expect(result.replies.map((r) => r.to)).toEqual([undefined, '+15550100011']);
  });
});

describe('forward', () => {
  test('forwards the text, saying who sent it, with its media', () => {
    const media = [{ url: 'https://api.twilio.com/m/1', contentType: 'image/jpeg' }];

    const result = runSms(part('fwd', { fwd: { type: 'forward', to: '+15550109999' } }), ctx({ body: 'See photo', media }));

    expect(result.forward).toEqual({ to: '+15550109999', body: `From ${SENDER}: See photo`, media: ['https://api.twilio.com/m/1'] });
    expect(result.replies).toEqual([]);
    expect(result.store).toBeUndefined();
  });

  test('a text without media forwards no media', () => {
    const result = runSms(part('fwd', { fwd: { type: 'forward', to: '+15550109999' } }), ctx());
    expect(result.forward).toEqual({ to: '+15550109999', body: `From ${SENDER}: Hello there` });
  });
});

describe('runaway guard and dead ends', () => {
  test(`a loop stops after ${MAX_APPLETS_PER_REQUEST} applets: no replies are sent, the text goes to unrouted`, () => {
    const p = part('a', { a: reply('again', 'b'), b: { type: 'keyword', rules: [], otherwise: 'a' } });

    const result = runSms(p, ctx());

    expect(result.steps).toHaveLength(MAX_APPLETS_PER_REQUEST + 1);
    expect(result.steps[MAX_APPLETS_PER_REQUEST].type).toBe('guard');
    expect(result.replies).toEqual([]);
    expect(result.store).toEqual({ mailbox: 'unrouted' });
  });

  test('a branch that leads nowhere keeps the replies so far and stores the text in unrouted', () => {
    const p = part('kw', { kw: { type: 'keyword', rules: [], otherwise: 'nowhere' } });

    const result = runSms(p, ctx());

    expect(result.steps).toEqual([{ applet: 'kw', type: 'keyword' }, { applet: 'nowhere', type: 'missing' }]);
    expect(result.store).toEqual({ mailbox: 'unrouted' });
  });

  test('a call applet in the sms part is a dead end', () => {
    const result = runSms(part('h', { h: { type: 'hangup' } }), ctx());
    expect(result.steps).toEqual([{ applet: 'h', type: 'missing' }]);
  });
});

describe('carrier limits: at most 10 messages per answer, at most 1,600 characters per message', () => {
  const crowd: User[] = Array.from({ length: 12 }, (_, i) => ({ id: `m${i}`, name: `M${i}`, phone: `+1555090${String(i).padStart(4, '0')}`, available: true }));
  const big: Directory = {
    ...directory,
    users: new Map([...directory.users, ...crowd.map((u) => [u.id, u] as const)]),
    groups: new Map([...directory.groups, ['crowd', { id: 'crowd', name: 'Crowd', members: crowd.map((u) => u.id) }]]),
  };

  test('a reply and 12 notifications: the reply and 9 notifications in the answer, 3 left over with their recipients', () => {
    const p = part('r', { r: reply('Thanks', 'i'), i: { type: 'inbox', mailbox: { group: 'crowd' }, notify: true } });
    const result = runSms(p, ctx({ directory: big }));

    expect(result.replies).toHaveLength(10);
    expect(result.replies[0]).toEqual({ body: 'Thanks' });
    expect(result.replies.slice(1).map((m) => m.to)).toEqual(crowd.slice(0, 9).map((u) => u.phone));
    expect(result.overflow).toEqual(crowd.slice(9).map((u) => ({ to: u.phone, body: `From ${SENDER}: Hello there` })));
    expect(result.store).toEqual({ mailbox: { kind: 'group', id: 'crowd' } });
  });

  test('replies past the limit go to overflow addressed to the sender', () => {
    const applets: Record<string, unknown> = {};
    for (let i = 0; i < 11; i++) applets[`r${i}`] = reply(`Reply ${i}`, i < 10 ? `r${i + 1}` : undefined);
    const result = runSms(part('r0', applets), ctx());
    expect(result.replies).toHaveLength(10);
    expect(result.overflow).toEqual([{ to: SENDER, body: 'Reply 10' }]);
  });

  test('nothing over the limit: no overflow at all', () => {
    expect(runSms(part('i', { i: inbox({ notify: true }) }), ctx())).not.toHaveProperty('overflow');
  });

  const long = 'x'.repeat(1600);

  test('a 1,600-character text is forwarded as 1,600 characters: the quoted text is shortened, never the number', () => {
    const result = runSms(part('f', { f: { type: 'forward', to: '+15550109999' } }), ctx({ body: long }));
    const body = result.forward!.body;
    expect(body).toHaveLength(1600);
    expect(body.startsWith(`From ${SENDER}: xxx`)).toBe(true);
    expect(body.endsWith('x…')).toBe(true);
    // The forward target did not read all of it: the text is kept in unrouted too.
    expect(result.store).toEqual({ mailbox: 'unrouted', reason: 'forward_shortened' });
  });

  test('a text that fits whole with its prefix is forwarded whole and stored nowhere else', () => {
    const fits = 'y'.repeat(1600 - `From ${SENDER}: `.length);
    const result = runSms(part('f', { f: { type: 'forward', to: '+15550109999' } }), ctx({ body: fits }));
    expect(result.forward!.body).toBe(`From ${SENDER}: ${fits}`);
    expect(result.store).toBeUndefined();
  });

  test('a notification keeps its attachment count and stays within 1,600 characters', () => {
    const result = runSms(part('i', { i: inbox({ notify: true, mailbox: { user: 'ann' } }) }), ctx({
      body: long, media: [{ url: 'https://m.example/1.jpg', contentType: 'image/jpeg' }],
    }));
    const body = result.replies[0].body;
    expect(body).toHaveLength(1600);
    expect(body.startsWith(`From ${SENDER}: `)).toBe(true);
    expect(body.endsWith('… [1 attachment]')).toBe(true);
  });

  test('the cut never splits an emoji (a surrogate pair)', () => {
    // "From +4477009001: " leaves 1,582 units, 1,581 before the ellipsis: an odd cut would split an emoji
    // (2 UTF-16 units each) and leave half of one, which XML cannot carry.
    const emoji = '😀'.repeat(800);
    const result = runSms(part('f', { f: { type: 'forward', to: '+15550109999' } }), ctx({ from: '+4477009001', body: emoji }));
    const body = result.forward!.body;
    expect(body.length).toBeLessThanOrEqual(1600);
    expect(body).toMatch(/^From \+4477009001: (😀)+…$/u);
  });
});

describe('carrier keywords: STOP, START, HELP... are the carrier\'s to answer (DESIGN.md section 17)', () => {
  test.each([
    ['STOP', 'opt_out'], [' stop ', 'opt_out'], ['StopAll', 'opt_out'], ['unsubscribe', 'opt_out'], ['CANCEL', 'opt_out'], ['end', 'opt_out'], ['Quit\n', 'opt_out'],
    ['START', 'opt_in'], ['yes', 'opt_in'], ['Unstop', 'opt_in'],
    ['HELP', 'help'], ['info', 'help'],
  ])('%p is %s (the whole body, trimmed, any case)', (body, kind) => {
    expect(carrierKeyword(body)?.kind).toBe(kind);
  });

  test.each(['stop please', 'please stop', 'STOP.', 'stops', 'yes please', '', 'HELP ME'])('%p is not: Twilio matches the whole body only', (body) => {
    expect(carrierKeyword(body)).toBeUndefined();
  });

  const flow = part('r', {
    r: reply('Thanks, we will get back to you.', 'kw'),
    kw: { type: 'keyword', rules: [{ keywords: ['STOP', 'HELP'], next: 'sorry' }], otherwise: 'box' },
    sorry: reply('Sorry to see you go', 'box'),
    box: inbox({ notify: true }),
  });

  test('STOP is stored in the inbox the flow picks (keyword rules take otherwise), with no reply and no notification', () => {
    const result = runSms(flow, ctx({ body: 'STOP' }));
    expect(result.replies).toEqual([]);
    expect(result.overflow).toBeUndefined();
    expect(result.store).toEqual({ mailbox: { kind: 'group', id: 'sales' } });
    expect(result.carrierKeyword).toEqual({ word: 'STOP', kind: 'opt_out' });
    expect(ids(result.steps)).toEqual(['r', 'kw', 'box']);
  });

  test('START and HELP are answered by nobody either; a longer text runs as usual', () => {
    for (const body of ['start', 'Help']) {
      const result = runSms(flow, ctx({ body }));
      expect(result.replies).toEqual([]);
      expect(result.store).toEqual({ mailbox: { kind: 'group', id: 'sales' } });
    }
    const usual = runSms(flow, ctx({ body: 'stop calling me' }));
    expect(usual.carrierKeyword).toBeUndefined();
    expect(usual.replies.map((r) => r.body)).toEqual(['Thanks, we will get back to you.', 'Sorry to see you go', 'From +15550107777: stop calling me', 'From +15550107777: stop calling me']);
  });

  test('a forward sends nothing: the text is kept in unrouted instead', () => {
    const result = runSms(part('f', { f: { type: 'forward', to: '+15550109999' } }), ctx({ body: 'QUIT' }));
    expect(result.forward).toBeUndefined();
    expect(result.store).toEqual({ mailbox: 'unrouted', reason: 'carrier_keyword' });
  });

  test('withoutRecipients leaves opted-out recipients out of the answer, fitting it again', () => {
    const result = runSms(flow, ctx({ body: 'hello' }));
    expect(recipientsOf(result, SENDER)).toEqual([SENDER, ann.phone, cat.phone]);
    const kept = withoutRecipients(result, SENDER, new Set([SENDER, cat.phone!]));
    expect(kept.replies).toEqual([{ to: ann.phone, body: 'From +15550107777: hello' }]);
    expect(kept.store).toEqual(result.store);
    const fwd = runSms(part('f', { f: { type: 'forward', to: '+15550109999' } }), ctx());
    expect(withoutRecipients(fwd, SENDER, new Set(['+15550109999']))).toMatchObject({ replies: [], store: { mailbox: 'unrouted', reason: 'forward_opted_out' } });
    expect(withoutRecipients(fwd, SENDER, new Set(['+15550109999'])).forward).toBeUndefined();
  });
});

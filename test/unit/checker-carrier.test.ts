// The checker codes of issue 9, as a specification (DESIGN.md section 4): what a live Twilio does with a
// flow as written — too many nouns, screening a simultaneous ring, loops through redirects or through our
// own numbers, transcription limits, recording consent, and notifications past one answer's 10 messages.
import { checkFlow, numbersToLookUp, type CheckOptions } from '../../lambdas/flows/checker';
import type { Directory, Group, User } from '../../lambdas/flows/people';
import type { Problem } from '../../lambdas/flows/problems';
import { flowDocumentSchema, partSchema, type FlowDocument, type FlowPart } from '../../lambdas/flows/schema';

const OWN = '+15550100001'; // one of the organisation's Switchboard numbers

const phone = (i: number) => `+1555030${String(i).padStart(4, '0')}`;
/** Members with a mobile and a softphone: two Twilio nouns each. */
const both: User[] = Array.from({ length: 6 }, (_, i) => ({ id: `usr_b${i}`, name: `Both ${i}`, phone: phone(i), client: `b${i}`, available: true }));
/** Members with a mobile only: one noun each. */
const mobiles: User[] = Array.from({ length: 12 }, (_, i) => ({ id: `usr_m${i}`, name: `Mobile ${i}`, phone: phone(100 + i), available: true }));
const looper: User = { id: 'usr_loop', name: 'Loop', phone: OWN, available: true };
const plain: User = { id: 'usr_plain', name: 'Plain', phone: '+15550309999', available: true };

const groups: Group[] = [
  { id: 'grp_both6', name: 'Six with two devices', members: both.map((u) => u.id) },
  { id: 'grp_both5', name: 'Five with two devices', members: both.slice(0, 5).map((u) => u.id) },
  { id: 'grp_m10', name: 'Ten mobiles', members: mobiles.slice(0, 10).map((u) => u.id) },
  { id: 'grp_m11', name: 'Eleven mobiles', members: mobiles.slice(0, 11).map((u) => u.id) },
  { id: 'grp_m9', name: 'Nine mobiles', members: mobiles.slice(0, 9).map((u) => u.id) },
  { id: 'grp_loop', name: 'With a looper', members: [plain.id, looper.id] },
  { id: 'grp_mixed', name: 'Mixed', members: [both[0].id, mobiles[0].id, mobiles[1].id] },
];

const directory: Directory = {
  users: new Map([...both, ...mobiles, looper, plain].map((u) => [u.id, u])),
  groups: new Map(groups.map((g) => [g.id, g])),
  flowIds: new Set(['flw_a', 'flw_b', 'flw_c', 'flw_d', 'flw_e', 'flw_f', 'flw_g']),
};

const hangup = { type: 'hangup' };
const vm = { type: 'voicemail', mailbox: { user: 'usr_plain' } };
const notice = (next: string) => ({ type: 'say', prompt: { text: 'This call may be recorded.' }, next });
const SMS_OK = { start: 'inbox', applets: { inbox: { type: 'inbox', mailbox: { user: 'usr_plain' } } } };
const CALL_OK = { start: 'bye', applets: { bye: hangup } };

const callDoc = (start: string, applets: Record<string, unknown>): FlowDocument =>
  flowDocumentSchema.parse({ name: 'Test', call: { start, applets }, sms: SMS_OK });
const smsDoc = (start: string, applets: Record<string, unknown>): FlowDocument =>
  flowDocumentSchema.parse({ name: 'Test', call: CALL_OK, sms: { start, applets } });
const dialDoc = (dial: Record<string, unknown>) => callDoc('d', { d: { type: 'dial', noAnswer: 'vm', ...dial }, vm });

const check = (doc: FlowDocument, options: CheckOptions = {}): Problem[] => checkFlow(doc, directory, options);
const codes = (problems: Problem[]) => problems.map((p) => `${p.severity}:${p.code}${p.applet ? `@${p.applet}` : ''}`);

describe('too_many_targets counts Twilio nouns: each phone and each softphone rung at once', () => {
  test('6 members with a phone and a softphone rung at once are 12 nouns: an error naming 12', () => {
    const found = check(dialDoc({ group: 'grp_both6' }));
    expect(codes(found)).toEqual(['error:too_many_targets@d']);
    expect(found[0].message).toContain('12');
  });

  test('5 such members are 10 nouns, and 10 mobiles are 10: both fine', () => {
    expect(check(dialDoc({ group: 'grp_both5' }))).toEqual([]);
    expect(check(dialDoc({ group: 'grp_m10' }))).toEqual([]);
  });

  test('a perRound round is counted by its worst members: any perRound of them can share a round', () => {
    expect(codes(check(dialDoc({ group: 'grp_both6', strategy: 'sequential', perRound: 6 })))).toEqual(['error:too_many_targets@d']);
    expect(codes(check(dialDoc({ group: 'grp_both6', strategy: 'round-robin', perRound: 6 })))).toEqual(['error:too_many_targets@d']);
    expect(check(dialDoc({ group: 'grp_both6', strategy: 'sequential', perRound: 5 }))).toEqual([]);
    // 2 + 1 + 1: three members of a mixed group at once are 4 nouns.
    expect(check(dialDoc({ group: 'grp_mixed', strategy: 'sequential', perRound: 3 }))).toEqual([]);
  });

  test('the round-robin and sequential rounds of one member never exceed the limit', () => {
    expect(check(dialDoc({ group: 'grp_m11', strategy: 'sequential' }))).toEqual([]);
  });
});

describe('screen_simultaneous: screening works one leg at a time', () => {
  test('a screened group dial with the default (simultaneous) strategy is an error', () => {
    const found = check(dialDoc({ group: 'grp_m9', screen: true }));
    expect(codes(found)).toEqual(['error:screen_simultaneous@d']);
    expect(found[0].message).toContain('simultaneous');
  });

  test('a screened sequential dial with perRound above 1 is an error too', () => {
    const found = check(dialDoc({ group: 'grp_m9', strategy: 'sequential', perRound: 2, screen: true }));
    expect(codes(found)).toEqual(['error:screen_simultaneous@d']);
    expect(found[0].message).toContain('perRound 2');
  });

  test('screened sequential and round-robin dials of one member per round are fine', () => {
    expect(check(dialDoc({ group: 'grp_both6', strategy: 'sequential', screen: true }))).toEqual([]);
    expect(check(dialDoc({ group: 'grp_both6', strategy: 'round-robin', screen: true }))).toEqual([]);
  });

  test('a screened user with a phone and a softphone is fine: the engine rings them one after the other', () => {
    expect(check(dialDoc({ user: 'usr_b0', screen: true }))).toEqual([]);
  });

  test('the same group unscreened and simultaneous is fine', () => {
    expect(check(dialDoc({ group: 'grp_m9' }))).toEqual([]);
  });
});

describe('own_number: a target that is one of our own Switchboard numbers', () => {
  const own = { ownNumbers: new Set([OWN]) };

  test('a dial to our own number', () => {
    expect(codes(check(dialDoc({ number: OWN }), own))).toEqual(['error:own_number@d']);
    expect(check(dialDoc({ number: '+15550309999' }), own)).toEqual([]);
  });

  test('a user whose phone is our own number, rung directly or as a group member', () => {
    const direct = check(dialDoc({ user: 'usr_loop' }), own);
    expect(codes(direct)).toEqual(['error:own_number@d']);
    expect(direct[0].message).toContain('usr_loop');
    expect(codes(check(dialDoc({ group: 'grp_loop', strategy: 'sequential' }), own))).toEqual(['error:own_number@d']);
  });

  test('a forward to our own number', () => {
    expect(codes(check(smsDoc('f', { f: { type: 'forward', to: OWN } }), own))).toEqual(['error:own_number@f']);
  });

  test('an inbox that notifies a member whose phone is our own number (the notification would come back in)', () => {
    const doc = smsDoc('i', { i: { type: 'inbox', mailbox: { group: 'grp_loop' }, notify: true } });
    expect(codes(check(doc, own))).toEqual(['error:own_number@i']);
    // Without notify nobody is texted.
    expect(check(smsDoc('i', { i: { type: 'inbox', mailbox: { group: 'grp_loop' } } }), own)).toEqual([]);
  });

  test('not checked when the caller does not say which numbers are ours', () => {
    expect(check(dialDoc({ number: OWN }))).toEqual([]);
  });

  test('numbersToLookUp lists the numbers to look up: dial and forward targets, phones of people rung or notified', () => {
    const doc = flowDocumentSchema.parse({
      name: 'Numbers',
      call: {
        start: 'd1',
        applets: {
          d1: { type: 'dial', number: '+15550400001', noAnswer: 'd2' },
          d2: { type: 'dial', group: 'grp_loop', strategy: 'sequential', noAnswer: 'vm' },
          vm: { type: 'voicemail', mailbox: { user: 'usr_b0' } },
        },
      },
      sms: { start: 'k', applets: {
        k: { type: 'keyword', rules: [{ keywords: ['FWD'], next: 'f' }], otherwise: 'i' },
        f: { type: 'forward', to: '+15550400002' },
        i: { type: 'inbox', mailbox: { user: 'usr_m0' }, notify: true },
      } },
    });
    expect(numbersToLookUp(doc, directory)).toEqual([OWN, '+15550309999', '+15550400001', '+15550400002', mobiles[0].phone].sort());
  });
});

describe('redirect_loop: redirects across flows, as the webhook follows them in one request', () => {
  const part = (applets: Record<string, unknown>, start = Object.keys(applets)[0]): FlowPart => partSchema.parse({ start, applets });
  const redirectTo = (flow: string) => part({ r: { type: 'redirect', flow } });
  const menuThen = (flow: string) => part({
    m: { type: 'menu', prompt: { text: 'Press 1' }, options: { '1': 'r' }, fallback: 'bye' },
    r: { type: 'redirect', flow },
    bye: hangup,
  });
  const doc = (call: FlowPart) => flowDocumentSchema.parse({ name: 'A', call, sms: SMS_OK });

  test('A → B → A without waiting is an error on the redirect applet, naming the loop', () => {
    const found = check(doc(redirectTo('flw_b')), { flowId: 'flw_a', otherFlows: new Map([['flw_b', redirectTo('flw_a')]]) });
    expect(codes(found)).toEqual(['error:redirect_loop@r']);
    expect(found[0].message).toContain('"flw_a" → "flw_b" → "flw_a" → "flw_b"');
  });

  test('a loop further on (A → B → C → B) is an error too', () => {
    const otherFlows = new Map([['flw_b', redirectTo('flw_c')], ['flw_c', redirectTo('flw_b')]]);
    expect(codes(check(doc(redirectTo('flw_b')), { flowId: 'flw_a', otherFlows }))).toEqual(['error:redirect_loop@r']);
  });

  test('a flow that waits for the caller before redirecting breaks the loop', () => {
    // B sends calls back to A, whose start is a menu: the next redirect happens only after a key press.
    expect(check(doc(menuThen('flw_b')), { flowId: 'flw_a', otherFlows: new Map([['flw_b', redirectTo('flw_a')]]) })).toEqual([]);
    // A redirects straight away, but B waits.
    expect(check(doc(redirectTo('flw_b')), { flowId: 'flw_a', otherFlows: new Map([['flw_b', menuThen('flw_a')]]) })).toEqual([]);
  });

  test('a chain of more than 5 redirects is an error; 5 are fine', () => {
    const chain = (length: number) => {
      const ids = ['flw_b', 'flw_c', 'flw_d', 'flw_e', 'flw_f', 'flw_g'].slice(0, length);
      return new Map(ids.map((id, i) => [id, i + 1 < ids.length ? redirectTo(ids[i + 1]) : part({ bye: hangup })]));
    };
    expect(check(doc(redirectTo('flw_b')), { flowId: 'flw_a', otherFlows: chain(5) })).toEqual([]);
    const found = check(doc(redirectTo('flw_b')), { flowId: 'flw_a', otherFlows: chain(6) });
    expect(codes(found)).toEqual(['error:redirect_loop@r']);
    expect(found[0].message).toContain('more than 5');
  });

  test('not checked without the other flows', () => {
    expect(check(doc(redirectTo('flw_b')), { flowId: 'flw_a' })).toEqual([]);
  });
});

describe('transcribe_too_long: Twilio transcribes only 2-120 s recordings', () => {
  const voicemail = (extra: Record<string, unknown>) => callDoc('v', { v: { type: 'voicemail', mailbox: { user: 'usr_plain' }, ...extra } });

  test('maxSeconds over 120 with transcribe is a warning', () => {
    const found = check(voicemail({ maxSeconds: 121, transcribe: true }));
    expect(codes(found)).toEqual(['warning:transcribe_too_long@v']);
    expect(found[0].message).toContain('121');
  });

  test('120 s, or no transcription, is fine', () => {
    expect(check(voicemail({ maxSeconds: 120, transcribe: true }))).toEqual([]);
    expect(check(voicemail({ maxSeconds: 600 }))).toEqual([]);
  });
});

describe('record_without_notice: a recorded dial needs an announcement on every path', () => {
  const ring = { type: 'dial', number: '+15550309999', record: true, noAnswer: 'vm' };

  test('a recorded dial at the start is a warning', () => {
    expect(codes(check(callDoc('d', { d: ring, vm })))).toEqual(['warning:record_without_notice@d']);
  });

  test('a say before it on every path is fine; a menu prompt counts as one', () => {
    expect(check(callDoc('n', { n: notice('d'), d: ring, vm }))).toEqual([]);
    const menu = { type: 'menu', prompt: { text: 'Calls are recorded. Press 1.' }, options: { '1': 'd' }, fallback: 'vm' };
    expect(check(callDoc('m', { m: menu, d: ring, vm }))).toEqual([]);
  });

  test('one path without the notice is enough for the warning', () => {
    const hours = {
      type: 'hours', timezone: 'Europe/Paris', weekly: { mon: [['09:00', '17:00']] }, open: 'n', closed: 'd',
    };
    expect(codes(check(callDoc('h', { h: hours, n: notice('d'), d: ring, vm })))).toEqual(['warning:record_without_notice@d']);
  });

  test('a dial that does not record needs nothing', () => {
    expect(check(callDoc('d', { d: { ...ring, record: false }, vm }))).toEqual([]);
  });

  test('the dial\'s own recordingNotice is the notice: on every path, whatever comes before it', () => {
    expect(check(callDoc('d', { d: { ...ring, recordingNotice: { text: 'This call is recorded.' } }, vm }))).toEqual([]);
    const hours = {
      type: 'hours', timezone: 'Europe/Paris', weekly: { mon: [['09:00', '17:00']] }, open: 'n', closed: 'd',
    };
    expect(check(callDoc('h', { h: hours, n: notice('d'), d: { ...ring, recordingNotice: { play: 'https://example.com/recorded.mp3' } }, vm }))).toEqual([]);
  });
});

describe('notify_over_limit: one answer carries at most 10 messages, replies included', () => {
  const inbox = (group: string) => ({ type: 'inbox', mailbox: { group }, notify: true });

  test('notifying 11 phones is a warning', () => {
    const found = check(smsDoc('i', { i: inbox('grp_m11') }));
    expect(codes(found)).toEqual(['warning:notify_over_limit@i']);
    expect(found[0].message).toContain('11 phone(s)');
  });

  test('10 phones fit, but not after a reply', () => {
    expect(check(smsDoc('i', { i: inbox('grp_m10') }))).toEqual([]);
    const found = check(smsDoc('r', { r: { type: 'reply', text: 'Thanks', next: 'i' }, i: inbox('grp_m10') }));
    expect(codes(found)).toEqual(['warning:notify_over_limit@i']);
    expect(found[0].message).toContain('after up to 1 reply');
  });

  test('the path with the most replies counts', () => {
    const doc = smsDoc('k', {
      k: { type: 'keyword', rules: [{ keywords: ['A'], next: 'r1' }], otherwise: 'i' },
      r1: { type: 'reply', text: 'One', next: 'r2' },
      r2: { type: 'reply', text: 'Two', next: 'i' },
      i: inbox('grp_m9'),
    });
    expect(codes(check(doc))).toEqual(['warning:notify_over_limit@i']);
  });

  test('an inbox that does not notify sends nothing', () => {
    expect(check(smsDoc('i', { i: { type: 'inbox', mailbox: { group: 'grp_m11' } } }))).toEqual([]);
  });
});

describe('voice_retired: a voice the library accepts but Twilio no longer lists for <Say>', () => {
  test('alice in a say, a menu or a voicemail prompt is a warning on that applet; other voices are fine', () => {
    const doc = callDoc('s', {
      s: { type: 'say', prompt: { text: 'Hello', voice: 'alice' }, next: 'm' },
      m: { type: 'menu', prompt: { text: 'Press 1', voice: 'alice', language: 'en-GB' }, options: { '1': 'v' }, fallback: 'v' },
      v: { type: 'voicemail', mailbox: { user: 'usr_plain' }, prompt: { text: 'Leave a message', voice: 'Polly.Joanna-Neural' } },
    });
    const found = check(doc);
    expect(codes(found)).toEqual(['warning:voice_retired@s', 'warning:voice_retired@m']);
    expect(found[0].message).toContain('"alice"');
    expect(found[0].message).toContain('Polly.');
    expect(check(callDoc('s', { s: { type: 'say', prompt: { text: 'Hello', voice: 'woman' }, next: 'h' }, h: { type: 'hangup' } }))).toEqual([]);
  });
});

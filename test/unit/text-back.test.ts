// The `text` call applet and voicemail `notify` as the domain decides them (DESIGN.md section 3): texts
// are data the engine returns, never I/O.
import { startCall, type CallContext } from '../../lambdas/flows/call-engine';
import { checkFlow } from '../../lambdas/flows/checker';
import type { EnginePorts } from '../../lambdas/flows/engine';
import { MAX_SMS_TEXT } from '../../lambdas/flows/applets';
import { canTextBack, clockDuration, transcriptNotices, voicemailNotices } from '../../lambdas/flows/outbound';
import type { Directory } from '../../lambdas/flows/people';
import { flowDocumentSchema, partSchema } from '../../lambdas/flows/schema';

const NUMBER = '+15550100001';
const CALLER = '+15550107777';
const directory: Directory = {
  users: new Map([
    ['ann', { id: 'ann', name: 'Ann', phone: '+15550100011', available: true }],
    ['bob', { id: 'bob', name: 'Bob', phone: '+15550100011', available: false }],
    ['cy', { id: 'cy', name: 'Cy', client: 'cy', available: true }],
    ['dee', { id: 'dee', name: 'Dee', phone: '+15550100014', available: true }],
  ]),
  groups: new Map([['team', { id: 'team', name: 'Team', members: ['ann', 'bob', 'cy', 'dee'] }]]),
  flowIds: new Set(),
};
const noPorts = {} as EnginePorts;
const ctx = (from = CALLER): CallContext => ({ now: new Date('2026-03-02T15:00:00Z'), from, to: NUMBER, directory, ports: noPorts });
const part = (applets: Record<string, unknown>, start = 'thanks') => partSchema.parse({ start, applets });
const textThenGreet = part({
  thanks: { type: 'text', text: 'Thanks for calling!', next: 'greet' },
  greet: { type: 'say', prompt: { text: 'Hello' }, next: 'bye' },
  bye: { type: 'hangup' },
});

describe('the text applet', () => {
  test('texts the caller from the number called and goes on at once, in the same request', async () => {
    const result = await startCall(textThenGreet, ctx());
    expect(result.outbound).toEqual([{ from: NUMBER, to: CALLER, body: 'Thanks for calling!' }]);
    expect(result.steps.map((s) => s.type)).toEqual(['text', 'say', 'hangup']);
    expect(result.instructions.map((i) => i.kind)).toEqual(['say', 'hangup']);
  });

  test.each(['anonymous', '', '+266696687', 'client:ann', 'sip:someone@example.com'])('is skipped for a caller with no number to text (%j), and the call goes on', async (from) => {
    const result = await startCall(textThenGreet, ctx(from));
    expect(result.outbound).toEqual([]);
    expect(result.steps.map((s) => s.type)).toEqual(['text', 'say', 'hangup']);
  });

  test('a flow without text applets sends nothing', async () => {
    expect((await startCall(part({ bye: { type: 'hangup' } }, 'bye'), ctx())).outbound).toEqual([]);
  });

  test('its text is at most 1,600 characters (Twilio error 21617), named in the 400', () => {
    const parsed = flowDocumentSchema.safeParse({ name: 'F', call: { start: 't', applets: { t: { type: 'text', text: 'x'.repeat(1601), next: 'b' }, b: { type: 'hangup' } } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['call', 'applets', 't', 'text']);
    expect(flowDocumentSchema.safeParse({ name: 'F', call: { start: 't', applets: { t: { type: 'text', text: 'x'.repeat(1600), next: 'b' }, b: { type: 'hangup' } } } }).success).toBe(true);
  });

  test('the checker: a call applet (wrong_channel in the sms part), needs its next (missing_branch), and loops without input', () => {
    const codes = (doc: unknown) => checkFlow(flowDocumentSchema.parse(doc), directory).filter((p) => p.severity === 'error').map((p) => [p.code, p.applet]);
    const inbox = { type: 'inbox', mailbox: { user: 'ann' } };
    expect(codes({ name: 'F', sms: { start: 't', applets: { t: { type: 'text', text: 'hi', next: 'i' }, i: inbox } } })).toEqual([['wrong_channel', 't']]);
    expect(codes({ name: 'F', call: { start: 't', applets: { t: { type: 'text', text: 'hi' } } } })).toEqual([['missing_branch', 't']]);
    expect(codes({ name: 'F', call: { start: 'a', applets: { a: { type: 'text', text: 'hi', next: 'b' }, b: { type: 'say', prompt: { text: 'x' }, next: 'a' } } } }))
      .toEqual([['loop_without_input', 'a']]);
  });
});

describe('voicemail notify', () => {
  test('is off by default and carried to the record instruction when on', async () => {
    const off = await startCall(part({ vm: { type: 'voicemail', mailbox: { group: 'team' } } }, 'vm'), ctx());
    const on = await startCall(part({ vm: { type: 'voicemail', mailbox: { group: 'team' }, notify: true } }, 'vm'), ctx());
    expect(off.instructions.find((i) => i.kind === 'record')).toMatchObject({ notify: { sms: false, email: false } });
    // `true` stays what it was before emails: texts only.
    expect(on.instructions.find((i) => i.kind === 'record')).toMatchObject({ notify: { sms: true, email: false } });
    const both = await startCall(part({ vm: { type: 'voicemail', mailbox: { group: 'team' }, notify: { sms: true, email: true } } }, 'vm'), ctx());
    expect(both.instructions.find((i) => i.kind === 'record')).toMatchObject({ notify: { sms: true, email: true } });
    const mail = await startCall(part({ vm: { type: 'voicemail', mailbox: { group: 'team' }, notify: { email: true } } }, 'vm'), ctx());
    expect(mail.instructions.find((i) => i.kind === 'record')).toMatchObject({ notify: { sms: false, email: true } });
    expect(on.outbound).toEqual([]);
  });

  test('a notifying voicemail whose member’s phone is one of our own numbers is own_number (the notice would loop back)', () => {
    const doc = flowDocumentSchema.parse({ name: 'F', call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { group: 'team' }, notify: true } } } });
    const own = (notify: boolean | { sms?: boolean; email?: boolean }) => checkFlow({ ...doc, call: { ...doc.call!, applets: { vm: { ...doc.call!.applets.vm, notify } as never } } }, directory, { ownNumbers: new Set(['+15550100014']) })
      .filter((p) => p.code === 'own_number').map((p) => p.applet);
    expect(own(true)).toEqual(['vm']);
    expect(own({ sms: true, email: true })).toEqual(['vm']);
    expect(own(false)).toEqual([]);
    // An email to the member does not reach their phone: nothing loops.
    expect(own({ email: true })).toEqual([]);
  });

  test('each member with a phone gets "New voicemail from …, 0:42" from the number called, once per phone, availability aside', () => {
    expect(voicemailNotices({ kind: 'group', id: 'team' }, directory, { caller: CALLER, number: NUMBER, durationSeconds: 42 })).toEqual([
      { from: NUMBER, to: '+15550100011', body: `New voicemail from ${CALLER}, 0:42` },
      { from: NUMBER, to: '+15550100014', body: `New voicemail from ${CALLER}, 0:42` },
    ]);
    expect(voicemailNotices({ kind: 'user', id: 'cy' }, directory, { caller: CALLER, number: NUMBER })).toEqual([]);
    expect(voicemailNotices({ kind: 'user', id: 'dee' }, directory, { caller: 'anonymous', number: NUMBER })[0].body).toBe('New voicemail from a withheld number');
  });

  test('the transcript follows, cut to one text', () => {
    const [notice] = transcriptNotices({ kind: 'user', id: 'ann' }, directory, { caller: CALLER, number: NUMBER, transcript: ` ${'word '.repeat(500)}` });
    expect(notice.body.startsWith(`Voicemail from ${CALLER}: word word`)).toBe(true);
    expect([...notice.body].length).toBe(MAX_SMS_TEXT);
    expect(notice.body.endsWith('…')).toBe(true);
  });

  test.each([[0, '0:00'], [7, '0:07'], [42, '0:42'], [60, '1:00'], [725, '12:05']])('%i seconds read %s', (seconds, text) => {
    expect(clockDuration(seconds)).toBe(text);
  });

  test('only a phone number can be texted back', () => {
    expect([CALLER, ' +15550107777 ', 'anonymous', 'client:x', '5550107777'].map(canTextBack)).toEqual([true, true, false, false, false]);
  });
});

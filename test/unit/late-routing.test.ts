// The pure walk of DESIGN.md section 11 for a voicemail recorded while its flow could not be read: the
// first voicemail applet the call part reaches without caller input, as of the call's arrival.
import { lateVoicemail, lateVoicemailTarget } from '../../lambdas/flows/late-routing';
import { flowDocumentSchema, type FlowPart } from '../../lambdas/flows/schema';
import { runSms } from '../../lambdas/flows/sms-engine';

const part = (start: string, applets: Record<string, unknown>): FlowPart => flowDocumentSchema.parse({ name: 'x', call: { start, applets } }).call!;
const AT = new Date('2026-12-07T15:00:00Z'); // a Monday, 10:00 in New York
const vm = (user: string) => ({ type: 'voicemail', mailbox: { user } });

test('say, text, caller rules and a dial nobody answered lead on; hours at the arrival time', () => {
  const p = part('greet', {
    greet: { type: 'say', prompt: { text: 'Hi' }, next: 'tb' },
    tb: { type: 'text', text: 'Thanks for calling', next: 'who' },
    who: { type: 'caller', rules: [{ prefixes: ['+1212'], next: 'vip' }], otherwise: 'h' },
    vip: vm('usr_vip'),
    h: { type: 'hours', timezone: 'America/New_York', weekly: { mon: [['09:00', '17:00']] }, open: 'ring', closed: 'night' },
    ring: { type: 'dial', number: '+15550100001', noAnswer: 'day' },
    day: vm('usr_day'),
    night: vm('usr_night'),
  });
  expect(lateVoicemail(p, { at: AT, from: '+15550109999' })).toEqual({ kind: 'voicemail', applet: 'day', mailbox: { kind: 'user', id: 'usr_day' }, notify: { sms: false, email: false }, path: ['greet', 'tb', 'who', 'h', 'ring', 'day'] });
  expect(lateVoicemail(p, { at: new Date('2026-12-07T23:00:00Z'), from: '+15550109999' })).toMatchObject({ kind: 'voicemail', applet: 'night' });
  expect(lateVoicemail(p, { at: AT, from: '+12125550000' })).toMatchObject({ kind: 'voicemail', applet: 'vip' });
});

test('a menu is passed by its fallback only; without one, or at a hangup, there is no mailbox', () => {
  const menu = (fallback?: string) => ({ type: 'menu', prompt: { text: 'Press 1' }, options: { '1': 'one' }, ...(fallback && { fallback }) });
  expect(lateVoicemail(part('m', { m: menu('fb'), one: vm('usr_one'), fb: vm('usr_fb') }), { at: AT, from: '' })).toMatchObject({ kind: 'voicemail', applet: 'fb' });
  expect(lateVoicemail(part('m', { m: menu(), one: vm('usr_one') }), { at: AT, from: '' })).toMatchObject({ kind: 'none', reason: 'menu_option' });
  expect(lateVoicemail(part('b', { b: { type: 'hangup' } }), { at: AT, from: '' })).toMatchObject({ kind: 'none', reason: 'hangup' });
  expect(lateVoicemail(part('m', { m: menu('m'), one: vm('usr_one') }), { at: AT, from: '' })).toMatchObject({ kind: 'none', reason: 'loop' });
});

test('a redirect goes on in the other flow as it stood, at most five times', async () => {
  const first = part('r', { r: { type: 'redirect', flow: 'flw_b' } });
  const b = part('v', { v: vm('usr_b') });
  await expect(lateVoicemailTarget(first, { at: AT, from: '' }, async (id) => (id === 'flw_b' ? b : undefined))).resolves.toEqual({ mailbox: { kind: 'user', id: 'usr_b' }, notify: { sms: false, email: false } });
  await expect(lateVoicemailTarget(first, { at: AT, from: '' }, async () => undefined)).resolves.toBeUndefined();
  let loads = 0;
  await expect(lateVoicemailTarget(first, { at: AT, from: '' }, async () => (loads++, first))).resolves.toBeUndefined();
  expect(loads).toBe(5);
});

test('a text run late sends only the replies marked lateReply; the rest of the sms part runs as usual', () => {
  const sms = flowDocumentSchema.parse({
    name: 'x',
    sms: { start: 'a', applets: { a: { type: 'reply', text: 'Hi', next: 'b' }, b: { type: 'reply', text: 'Sorry for the wait', lateReply: true, next: 'in' }, in: { type: 'inbox', mailbox: { user: 'usr_a' } } } },
  }).sms!;
  const ctx = { now: AT, from: '+15550109999', to: '+15550100001', body: 'hi', media: [], directory: { users: new Map(), groups: new Map(), flowIds: new Set<string>() } };
  expect(runSms(sms, ctx).replies.map((r) => r.body)).toEqual(['Hi', 'Sorry for the wait']);
  const late = runSms(sms, { ...ctx, late: true });
  expect(late.replies.map((r) => r.body)).toEqual(['Sorry for the wait']);
  expect(late.store).toEqual({ mailbox: { kind: 'user', id: 'usr_a' } });
});

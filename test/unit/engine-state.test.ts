// CallState travels in action URLs' query strings: what is written must read back the same, and
// anything else must be refused (undefined), never half-understood.
import { decodeState, encodeState, type CallState } from '../../lambdas/flows/call-state';

const roundTrip = (state: CallState) => decodeState(Object.fromEntries(new URLSearchParams(encodeState(state))));

describe('encodeState / decodeState', () => {
  test.each<CallState>([
    { step: 'menu', applet: 'main-menu', attempt: 3 },
    { step: 'dial', applet: 'sales', pos: 0 },
    { step: 'dial', applet: 'sales', pos: 2, rr: 1, sticky: 'usr_ann', user: 'usr_bob' },
    { step: 'dial', applet: 'sales', pos: 1, idle: [3, 0, 2, 1] },
    { step: 'voicemail', applet: 'vm_1' },
  ])('%p survives the query string', (state) => {
    expect(roundTrip(state)).toEqual(state);
  });

  test('writes short flat strings', () => {
    expect(encodeState({ step: 'dial', applet: 'sales', pos: 2, rr: 1 })).toEqual({ step: 'dial', applet: 'sales', pos: '2', rr: '1' });
  });

  test('ignores keys it does not own (the handler’s flow and revision)', () => {
    expect(decodeState({ flow: 'f_1', rev: '3', step: 'menu', applet: 'm', attempt: '1' })).toEqual({ step: 'menu', applet: 'm', attempt: 1 });
  });

  test('ignores keys of another step', () => {
    expect(decodeState({ step: 'voicemail', applet: 'vm', attempt: '2' })).toEqual({ step: 'voicemail', applet: 'vm' });
  });

  test.each<[string, Record<string, string | string[] | undefined>]>([
    ['nothing', {}],
    ['no step', { applet: 'm', attempt: '1' }],
    ['an unknown step', { step: 'hours', applet: 'h' }],
    ['no applet', { step: 'voicemail' }],
    ['a bad applet id', { step: 'voicemail', applet: 'a b' }],
    ['an applet id too long', { step: 'voicemail', applet: 'x'.repeat(65) }],
    ['a repeated key', { step: 'voicemail', applet: ['a', 'b'] }],
    ['attempt 0', { step: 'menu', applet: 'm', attempt: '0' }],
    ['attempt 11', { step: 'menu', applet: 'm', attempt: '11' }],
    ['a non-numeric attempt', { step: 'menu', applet: 'm', attempt: '1e1' }],
    ['a negative position', { step: 'dial', applet: 'd', pos: '-1' }],
    ['no position', { step: 'dial', applet: 'd' }],
    ['a bad round-robin offset', { step: 'dial', applet: 'd', pos: '1', rr: 'x' }],
    ['an empty sticky member', { step: 'dial', applet: 'd', pos: '1', sticky: '' }],
    ['a user id too long', { step: 'dial', applet: 'd', pos: '1', user: 'u'.repeat(65) }],
    ['a longest-idle order that is not positions', { step: 'dial', applet: 'd', pos: '1', idle: '1,2' }],
    ['a longest-idle order naming a position twice', { step: 'dial', applet: 'd', pos: '1', idle: '1.2.1' }],
    ['an empty longest-idle order', { step: 'dial', applet: 'd', pos: '1', idle: '' }],
  ])('refuses %s', (_, query) => {
    expect(decodeState(query)).toBeUndefined();
  });
});

// The dashboard's pure pieces: the editor's model of a part (branches with the checker's names, edits,
// reachability, diffs), the TwiML formatting, and the applet JSON Schemas its forms are generated from.
import { appletJsonSchemas } from '../../local/web-build';
import { branches, deleteApplet, diffParts, newApplet, newAppletId, reachable, sameDocument, setBranch } from '../../web/src/flow-model';
import { prettyXml } from '../../web/src/twiml-format';
import { CALL_APPLETS, SMS_APPLETS, flowDocumentSchema } from '../../lambdas/flows/schema';
import type { Part } from '../../web/src/types';

const part: Part = {
  start: 'menu',
  applets: {
    menu: { type: 'menu', prompt: { text: 'Press 1.' }, options: { '1': 'vip', '2': '' }, fallback: 'vm' },
    vip: { type: 'caller', rules: [{ numbers: ['+15550100001'], next: 'vm' }, { prefixes: ['+1212'], anonymous: true }], otherwise: 'vm' },
    vm: { type: 'voicemail', mailbox: { group: 'g1' } },
    lost: { type: 'say', prompt: { text: 'Nobody gets here.' }, next: 'vm' },
  },
};

it('names branches as the checker does, with readable labels', () => {
  expect(branches(part.applets.menu)).toEqual([
    { branch: 'options.1', label: 'press 1', target: 'vip' },
    { branch: 'options.2', label: 'press 2', target: undefined },
    { branch: 'fallback', label: 'fallback', target: 'vm' },
  ]);
  expect(branches(part.applets.vip).map((b) => b.label)).toEqual(['+15550100001', '+1212…, anonymous', 'otherwise']);
  expect(branches(part.applets.vm)).toEqual([]);
});

it('sets a branch by its name without touching the original, and finds what start reaches', () => {
  const menu = setBranch(part.applets.menu, 'options.2', 'lost');
  expect(menu.options).toEqual({ '1': 'vip', '2': 'lost' });
  expect(part.applets.menu.options).toEqual({ '1': 'vip', '2': '' });
  expect(setBranch(part.applets.vip, 'rules.1.next', 'vm').rules).toEqual([{ numbers: ['+15550100001'], next: 'vm' }, { prefixes: ['+1212'], anonymous: true, next: 'vm' }]);
  expect([...reachable(part)].sort()).toEqual(['menu', 'vip', 'vm']);
  expect([...reachable({ ...part, applets: { ...part.applets, menu: menu } })].sort()).toEqual(['lost', 'menu', 'vip', 'vm']);
  expect(reachable({ start: 'nowhere', applets: part.applets }).size).toBe(0);
});

it('never takes a branch to an inherited property ("toString", "constructor") for a reachable applet', () => {
  // Plain indexing would find Object.prototype.toString and draw it as a live applet the diagram has no node for.
  const draft: Part = { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'Hi' }, next: 'toString' }, vm: part.applets.vm } };
  expect([...reachable(draft)]).toEqual(['greet']);
  expect(reachable({ ...draft, start: 'constructor' }).size).toBe(0);
  expect([...reachable({ ...draft, applets: { ...draft.applets, toString: { type: 'hangup' } } })].sort()).toEqual(['greet', 'toString']);
});

it('deleting an applet clears every branch to it and moves the start if needed', () => {
  const without = deleteApplet(part, 'vm');
  expect(Object.keys(without.applets).sort()).toEqual(['lost', 'menu', 'vip']);
  expect(without.applets.menu.fallback).toBe('');
  expect(without.applets.vip.otherwise).toBe('');
  expect((without.applets.vip.rules as Array<{ next?: string }>)[0].next).toBe('');
  expect(deleteApplet(part, 'menu').start).not.toBe('menu');
});

it('diffs two parts into added, removed and changed applets, ignoring key order', () => {
  const after: Part = { start: 'vip', applets: { ...part.applets, menu: { ...part.applets.menu, attempts: 5 }, extra: { type: 'hangup' } } };
  delete after.applets.lost;
  expect(diffParts(part, after)).toEqual({ added: ['extra'], removed: ['lost'], changed: ['menu'], startChanged: true });
  const reordered = { start: part.start, applets: Object.fromEntries(Object.entries(part.applets).reverse()) };
  expect(diffParts(part, reordered)).toEqual({ added: [], removed: [], changed: [], startChanged: false });
  expect(sameDocument({ name: 'a', call: part }, { name: 'a', call: reordered })).toBe(true);
  expect(diffParts(undefined, part).added).toHaveLength(4);
});

it('diffs by own applet ids: an applet named "toString" is added or removed, not changed', () => {
  const withToString: Part = { start: part.start, applets: { ...part.applets, toString: { type: 'hangup' } } };
  expect(diffParts(part, withToString)).toEqual({ added: ['toString'], removed: [], changed: [], startChanged: false });
  expect(diffParts(withToString, part)).toEqual({ added: [], removed: ['toString'], changed: [], startChanged: false });
});

it('a new applet of every type gets a free id and is valid for the flow schema as it stands', () => {
  expect(newAppletId(part, 'menu')).toBe('menu2');
  expect(newAppletId(part, 'hangup')).toBe('hangup');
  for (const [channel, types] of [['call', CALL_APPLETS], ['sms', SMS_APPLETS]] as const) {
    for (const type of types) {
      const doc = { name: 'x', [channel]: { start: 'a', applets: { a: newApplet(type, { group: 'g1', flow: 'f2', timezone: 'America/New_York' }) } } };
      const parsed = flowDocumentSchema.safeParse(doc);
      expect({ type, issues: parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.')) }).toEqual({ type, issues: [] });
    }
  }
});

it('the forms get a JSON Schema for every applet type, made from the zod schema, branches recognisable', () => {
  const schemas = appletJsonSchemas() as Record<string, { properties: Record<string, { anyOf?: Array<{ const?: string }>; enum?: string[]; default?: unknown }>; required?: string[] }>;
  expect(Object.keys(schemas).sort()).toEqual([...new Set([...CALL_APPLETS, ...SMS_APPLETS])].sort());
  expect(schemas.dial.properties.strategy).toMatchObject({ enum: ['simultaneous', 'sequential', 'round-robin', 'longest-idle'], default: 'simultaneous' });
  expect(schemas.dial.properties.noAnswer.anyOf?.some((o) => o.const === '')).toBe(true);
  expect(schemas.say.required).toEqual(['type', 'prompt']);
  expect(Object.keys(schemas.hours.properties)).toEqual(expect.arrayContaining(['timezone', 'weekly', 'closures', 'override', 'open', 'closed']));
});

it('shows TwiML one element a line, text elements kept whole', () => {
  expect(prettyXml('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi &amp; bye</Say><Dial action="/x"><Number>+1555</Number></Dial><Hangup/></Response>')).toBe(
    ['<Response>', '  <Say>Hi &amp; bye</Say>', '  <Dial action="/x">', '    <Number>+1555</Number>', '  </Dial>', '  <Hangup/>', '</Response>'].join('\n'),
  );
});

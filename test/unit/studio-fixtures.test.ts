// Real Studio flows (test/fixtures/studio/, sources and licences in its README) imported as a user would:
// each yields a document the schema takes, every widget is in the report, menus keep Studio's keys, and the
// checker says what Studio let through. The counts pin what each flow imports to today.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldIssues } from '../../lambdas/admin/http';
import { checkFlow } from '../../lambdas/flows/checker';
import type { Directory } from '../../lambdas/flows/people';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { importStudioFlow, studioDefinitionSchema, type StudioDefinition } from '../../lambdas/flows/studio-import';

const FIXTURES = join(__dirname, '..', 'fixtures', 'studio');
const read = (file: string): unknown => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
const MAILBOX = { group: 'grp_sales' };
const directory: Directory = { users: new Map(), groups: new Map([['grp_sales', { id: 'grp_sales', name: 'Sales', members: [] }]]), flowIds: new Set() };

interface Expected {
  mapped: number;
  notImported: number;
  applets: { call: number; sms: number };
  /** Applet types the mapped widgets became (`start`: the trigger). */
  as: Record<string, number>;
  /** The checker's findings on the imported document, by severity and code. */
  problems: Record<string, number>;
}

const EXPECTED: Record<string, Expected> = {
  // 49 widgets: 16 menus keep their keys; PIN and card-number entries, speech splits and a function are not imported.
  'plastik-ivr.json': {
    mapped: 27, notImported: 22, applets: { call: 39, sms: 0 },
    as: { start: 1, menu: 16, say: 9, dial: 1 },
    problems: { 'error:missing_branch': 4, 'warning:unreachable': 25, 'warning:no_sms_part': 1 },
  },
  // The key split names no key yet (every key asks again); the speech branch is not imported.
  'ivr-builder-basic.json': {
    mapped: 7, notImported: 3, applets: { call: 7, sms: 1 },
    as: { start: 1, say: 3, menu: 2, reply: 1 },
    problems: { 'error:missing_branch': 1, 'warning:unreachable': 5 },
  },
  // Started by REST API executions only: nothing an incoming call or text reaches.
  'appointment-confirmations.json': {
    mapped: 1, notImported: 16, applets: { call: 0, sms: 0 },
    as: { start: 1 },
    problems: { 'warning:no_call_part': 1, 'warning:no_sms_part': 1 },
  },
  'patient-appointment-management.json': {
    mapped: 1, notImported: 24, applets: { call: 0, sms: 0 },
    as: { start: 1 },
    problems: { 'warning:no_call_part': 1, 'warning:no_sms_part': 1 },
  },
  // Its text flow starts with send-and-wait-for-reply: no sms part, texts land in unrouted.
  'vaccine-standby.json': {
    mapped: 1, notImported: 15, applets: { call: 0, sms: 0 },
    as: { start: 1 },
    problems: { 'warning:no_call_part': 1, 'warning:no_sms_part': 1 },
  },
  // Starts with a Function: a hangup stands in for it, and everything after is unreachable.
  'flex-schedule-manager.json': {
    mapped: 1, notImported: 4, applets: { call: 4, sms: 0 },
    as: { start: 1 },
    problems: { 'warning:unreachable': 3, 'warning:no_sms_part': 1 },
  },
};

const count = <T>(items: T[], key: (item: T) => string) => items.reduce<Record<string, number>>((acc, i) => ((acc[key(i)] = (acc[key(i)] ?? 0) + 1), acc), {});

/** The keys a gather's Digits split names with one-key equal_to / matches_any_of conditions, as Studio wrote them. */
function studioMenuKeys(definition: StudioDefinition, gather: string): string[] {
  const keypress = definition.states.find((s) => s.name === gather)!.transitions.find((t) => t.event === 'keypress')?.next;
  const split = definition.states.find((s) => s.name === keypress && s.type === 'split-based-on');
  if (!split) return [];
  return split.transitions.flatMap((t) => (t.conditions ?? []).flatMap((c) => String(c.value).split(',').map((v) => v.trim()))).filter((v) => /^[0-9*#]$/.test(v));
}

describe.each(Object.entries(EXPECTED))('%s', (file, expected) => {
  const definition = studioDefinitionSchema.parse(read(file));
  const { document, report } = importStudioFlow(definition, { mailbox: MAILBOX });

  test('imports to a document the schema takes', () => {
    expect(flowDocumentSchema.safeParse(document).success).toBe(true);
  });

  test('every widget is in the report, mapped or not imported with a reason', () => {
    expect(new Set(report.map((e) => e.widget))).toEqual(new Set(definition.states.map((s) => s.name)));
    for (const e of report.filter((e) => e.status === 'not_imported')) expect(e.reason!.split(' ').length).toBeGreaterThan(4);
  });

  test(`maps ${expected.mapped}, does not import ${expected.notImported}`, () => {
    expect({
      mapped: report.filter((e) => e.status === 'mapped').length,
      notImported: report.filter((e) => e.status === 'not_imported').length,
      applets: { call: Object.keys(document.call?.applets ?? {}).length, sms: Object.keys(document.sms?.applets ?? {}).length },
      as: count(report.filter((e) => e.status === 'mapped'), (e) => e.as!),
    }).toEqual({ mapped: expected.mapped, notImported: expected.notImported, applets: expected.applets, as: expected.as });
  });

  test('menus keep the keys Studio tested', () => {
    for (const e of report.filter((e) => e.type === 'gather-input-on-call' && e.as === 'menu')) {
      const menu = document.call!.applets[e.applet!] as { options: Record<string, string> };
      const keys = studioMenuKeys(definition, e.widget);
      if (keys.length) expect(Object.keys(menu.options).sort()).toEqual([...new Set(keys)].sort());
    }
  });

  test('the checker’s findings', () => {
    expect(count(checkFlow(document, directory), (p) => `${p.severity}:${p.code}`)).toEqual(expected.problems);
  });
});

test('a hand-edited definition Studio itself would refuse is refused, naming each bad path', () => {
  const parsed = studioDefinitionSchema.safeParse(read('connie-voicemail-only.json'));
  expect(parsed.success).toBe(false);
  expect(fieldIssues(parsed.error!, 'definition').map((i) => i.path)).toEqual([
    'definition.states.1.transitions.0.event', 'definition.states.4.transitions.0.event',
    'definition.states.5.transitions.0.event', 'definition.states.6.transitions.0.event',
  ]);
});

test('the Plastik IVR’s main menu keeps its keys and where each leads', () => {
  const { document } = importStudioFlow(studioDefinitionSchema.parse(read('plastik-ivr.json')), { mailbox: MAILBOX });
  expect(document.call!.start).toBe('main_menu');
  expect(document.call!.applets.main_menu).toMatchObject({
    type: 'menu',
    options: { '0': 'call_say', '1': 'list_of_products', '2': 'list_of_promos', '3': 'card_info_gather', '4': 'become_member_say', '5': 'activate_card_16digit', '6': expect.any(String), '9': 'main_menu' },
  });
});

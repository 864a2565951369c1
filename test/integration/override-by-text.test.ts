// Closing and opening a schedule by text (DESIGN.md section 15, issue 22 item 3) through the signed sms
// webhook against DynamoDB Local: `CLOSE <schedule> [until HH:MM] <PIN>` / `OPEN <schedule> <PIN>` from an
// editor's or admin's registered phone to any organisation number. A right PIN changes the override and
// the answer says what changed; a wrong one changes nothing and is counted (a metric, and per user: past
// five in fifteen minutes nothing is checked); anything that is not such a command is routed as usual.
import { metrics } from '../../lambdas/observability/metrics';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { hashPin } from '../../lambdas/store/pins';
import { createStores } from '../../lambdas/store/stores';
import type { WebhookDeps } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const EDITOR_PHONE = '+15550701001';
const MEMBER_PHONE = '+15550701002';
const STRANGER = '+15550709999';
const PIN = '482913';
const NUMBER = '+15550700001';

let t: TestTables;
let stores: ReturnType<typeof createStores>;
let spilled: TestSpill;
let deps: WebhookDeps;
let clock: Date;
let editor: string;
let member: string;
let office: string;

let n = 0;
const sid = () => `SM${String(++n).padStart(32, '0')}`;
const nineToFive: Array<[string, string]> = [['09:00', '17:00']];
const week = { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] };

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
  spilled = tempSpill();
  deps = { ...stores, spill: spilled.spill, now: () => clock, authToken: async () => TEST_AUTH_TOKEN };
  editor = (await stores.directory.createUser({ name: 'Erin', phone: EDITOR_PHONE, available: true, role: 'editor' })).id;
  member = (await stores.directory.createUser({ name: 'Mo', phone: MEMBER_PHONE, available: true, role: 'member' })).id;
  await stores.directory.setPinHash(editor, await hashPin(PIN));
  await stores.directory.setPinHash(member, await hashPin(PIN));
  office = (await stores.schedules.create({ name: 'Main office', timezone: 'America/New_York', weekly: week, rules: [] }, new Date())).id;
  await stores.schedules.create({ name: 'Warehouse', timezone: 'America/Chicago', weekly: week, rules: [] }, new Date());
  // The number's flow answers texts by the schedule: "open" or "closed", and keeps them in Mo's inbox.
  const doc = flowDocumentSchema.parse({
    name: 'Texts by the office hours',
    sms: {
      start: 'h',
      applets: {
        h: { type: 'hours', schedule: office, open: 'open', closed: 'closed' },
        open: { type: 'reply', text: 'We are open.', next: 'box' },
        closed: { type: 'reply', text: 'We are closed.', next: 'box' },
        box: { type: 'inbox', mailbox: { user: member } },
      },
    },
  });
  await stores.flows.publish('flw_by_text', doc, undefined, new Date('2026-11-01T00:00:00Z'));
  await stores.numbers.register(NUMBER, undefined, 'flw_by_text', new Date('2026-11-01T00:00:00Z'));
});
afterAll(() => {
  spilled.dispose();
  t.client.destroy();
  t.doc.destroy();
});
beforeEach(async () => {
  clock = new Date('2026-11-19T15:00:00.000Z'); // Thu 10:00 in New York: open by the hours
  await stores.schedules.setOverride(office, undefined, clock, 'test');
});

/** A signed text to the organisation's number; the answer's messages. A fresh webhook each time: no cache between texts. */
async function text(body: string, from = EDITOR_PHONE, messageSid = sid()): Promise<string[]> {
  const res = await smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: from, To: NUMBER, Body: body, NumMedia: '0' } }));
  expect(res.statusCode).toBe(200);
  return [...(res.body as string).matchAll(/<Message>(?:<Body>)?(.*?)(?:<\/Body>)?<\/Message>/gs)].map((m) => m[1]);
}
const overrideOf = async (id = office) => (await stores.schedules.get(id)).override;
const inbox = async () => stores.messages.list(`user#${member}`);

test('CLOSE … until 14:00 with the right PIN closes the schedule until 14:00 on its clock, and says so; nothing lands in a mailbox', async () => {
  const before = (await inbox()).length;
  const messageSid = sid();
  expect(await text(`CLOSE Main office until 14:00 ${PIN}`, EDITOR_PHONE, messageSid)).toEqual([
    'Main office is now closed until 14:00 (America/New_York): calls and texts take its closed branch. Then its hours apply again.',
  ]);
  expect(await overrideOf()).toEqual({ state: 'closed', until: '2026-11-19T19:00:00.000Z', setAt: clock.toISOString(), setBy: `sms:${editor}` });
  expect((await inbox()).length).toBe(before);
  // The trace keeps the text with the PIN hidden.
  const trace = await stores.traces.get(messageSid);
  expect(trace.steps).toEqual([expect.objectContaining({ type: 'override', input: { Body: 'CLOSE Main office until 14:00 ••••' } })]);
  expect(JSON.stringify(trace)).not.toContain(PIN);
  // The next text to the number takes the closed branch: no new revision of the flow.
  expect(await text('Hello?', STRANGER)).toEqual(['We are closed.']);
  expect((await stores.flows.getCurrent('flw_by_text'))?.revision).toBe(1);
  // At 14:00 it expires by itself.
  clock = new Date('2026-11-19T19:00:00.000Z');
  expect(await text('Hello again?', STRANGER)).toEqual(['We are open.']);
});

test('CLOSE without until lasts until OPEN, which clears it: the schedule’s own hours again', async () => {
  expect(await text(`close   main OFFICE ${PIN}`)).toEqual([
    'Main office is now closed until someone opens it (text OPEN Main office and your PIN): calls and texts take its closed branch.',
  ]);
  expect(await overrideOf()).toMatchObject({ state: 'closed' });
  expect((await overrideOf())?.until).toBeUndefined();
  expect(await text(`OPEN Main office ${PIN}`)).toEqual(['Main office: the closed override is cleared; it follows its hours again (open now).']);
  expect(await overrideOf()).toBeUndefined();
  expect(await text('Hi', STRANGER)).toEqual(['We are open.']);
});

test('OPEN … until 20:00 opens it past its hours until then; a schedule can be named by its id', async () => {
  clock = new Date('2026-11-19T23:30:00.000Z'); // 18:30, closed by the hours
  expect(await text(`OPEN ${office} until 20:00 ${PIN}`)).toEqual([
    'Main office is now open until 20:00 (America/New_York), whatever its hours say. Then its hours apply again.',
  ]);
  expect(await overrideOf()).toMatchObject({ state: 'open', until: '2026-11-20T01:00:00.000Z' });
  expect(await text('Still there?', STRANGER)).toEqual(['We are open.']);
});

test('a wrong PIN changes nothing, is answered, and is counted (metric and per user)', async () => {
  const added = jest.spyOn(metrics, 'addMetric');
  try {
    expect(await text('CLOSE Main office 000000')).toEqual(['That PIN is not right: nothing changed.']);
    expect(await overrideOf()).toBeUndefined();
    expect(added).toHaveBeenCalledWith('OverridePinRejected', 'Count', 1);
    expect(await stores.pins.pinFailures(editor, clock)).toMatchObject({ count: 1 });
  } finally {
    added.mockRestore();
  }
});

test('five wrong PINs in a row lock texts out for that user for fifteen minutes; the right PIN then changes nothing either', async () => {
  const user = (await stores.directory.createUser({ name: 'Lou', phone: '+15550701003', available: true, role: 'admin' })).id;
  await stores.directory.setPinHash(user, await hashPin('777777'));
  for (let i = 1; i < 5; i++) expect(await text('CLOSE Warehouse 111111', '+15550701003')).toEqual(['That PIN is not right: nothing changed.']);
  const [fifth] = await text('CLOSE Warehouse 111111', '+15550701003');
  expect(fifth).toMatch(/^That PIN is not right: nothing changed\. Too many wrong PINs: texts cannot change schedules for you until 15:15 UTC/);
  expect(await text('CLOSE Warehouse 777777', '+15550701003')).toEqual([expect.stringMatching(/^Too many wrong PINs/)]);
  expect((await stores.schedules.list()).find((s) => s.name === 'Warehouse')?.override).toBeUndefined();
  clock = new Date('2026-11-19T15:16:00.000Z');
  expect(await text('CLOSE Warehouse 777777', '+15550701003')).toEqual([expect.stringMatching(/^Warehouse is now closed/)]);
});

test('an unknown schedule is answered with the schedules there are, after the PIN; nothing changes', async () => {
  expect(await text(`CLOSE Head office ${PIN}`)).toEqual(['No schedule is called "Head office": nothing changed. Schedules: Main office, Warehouse.']);
  expect(await overrideOf()).toBeUndefined();
});

test('not a command: the same words from a member, from a stranger, or without a PIN are ordinary texts, routed by the flow', async () => {
  const before = (await inbox()).length;
  expect(await text(`CLOSE Main office ${PIN}`, MEMBER_PHONE)).toEqual(['We are open.']);
  expect(await text(`CLOSE Main office ${PIN}`, STRANGER)).toEqual(['We are open.']);
  expect(await text('Close Main office please')).toEqual(['We are open.']);
  expect(await overrideOf()).toBeUndefined();
  expect((await inbox()).length).toBe(before + 3);
});

test('a replayed command (same MessageSid) is answered once', async () => {
  const messageSid = sid();
  expect(await text(`CLOSE Main office ${PIN}`, EDITOR_PHONE, messageSid)).toHaveLength(1);
  expect(await text(`CLOSE Main office ${PIN}`, EDITOR_PHONE, messageSid)).toEqual([]);
});

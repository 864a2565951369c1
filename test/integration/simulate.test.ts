import { adminHarness, type AdminHarness } from '../support/admin';
import { seedDemo } from '../../local/seed';

let h: AdminHarness;
let flowId: string;
beforeAll(async () => {
  h = await adminHarness();
  flowId = (await seedDemo(h.deps)).flowId!;
});

const sim = (body: unknown) => h.api('POST', `/api/flows/${flowId}/simulate`, body);

it('walks an open-hours call through the menu and a sequential group to voicemail', async () => {
  const res = await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: ['1', 'no-answer', 'busy', 'no-answer'] });
  expect(res.status).toBe(200);
  const types = res.body.steps.map((s: { applets: Array<{ type: string }> }) => s.applets.map((a) => a.type).join('>'));
  expect(types).toEqual(['hours>say>menu', 'menu>dial', 'dial', 'dial', 'dial>voicemail']);
  expect(res.body.steps[1].input).toEqual({ Digits: '1' });
  expect(res.body.steps[1].twiml).toContain('<Dial');
  expect(res.body.steps.at(-1).twiml).toContain('<Record');
  expect(res.body.ended).toBe(true);
});

it('goes to voicemail when closed, using the time given', async () => {
  const res = await sim({ channel: 'call', from: '+15550109999', at: '2026-12-24T15:00:00Z' });
  expect(res.body.steps[0].applets.map((a: { applet: string }) => a.applet)).toEqual(['hours', 'vm']);
});

it('treats "" as silence: the menu asks again, then falls back', async () => {
  const res = await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: ['', '', ''] });
  expect(res.body.steps.at(-1).applets.map((a: { applet: string }) => a.applet)).toEqual(['menu', 'vm']);
});

it('stops and says so when inputs run out', async () => {
  const res = await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: [] });
  expect(res.body).toMatchObject({ ended: false });
  expect(res.body.steps).toHaveLength(1);
});

it('runs the sms part and reports where the text would be stored, storing nothing', async () => {
  const res = await sim({ channel: 'sms', from: '+15550109999', body: 'hi' });
  expect(res.body.steps[0].twiml).toContain('Thanks, we will get back to you shortly.');
  expect(res.body.stored).toMatch(/^group#grp_/);
  const group = (await h.api('GET', '/api/groups')).body.groups[0].id;
  expect((await h.api('GET', `/api/mailboxes/group/${group}/messages`)).body.messages).toEqual([]);
});

it('answers 400 naming bad fields and 404 for an unknown flow', async () => {
  const bad = await sim({ channel: 'fax', from: '' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['channel', 'from']);
  expect((await h.api('POST', '/api/flows/flw_none/simulate', { channel: 'call', from: '+15550109999' })).status).toBe(404);
});

describe('a draft (the editor\'s unpublished edits, as `document`)', () => {
  const published = async () => (await h.api('GET', `/api/flows/${flowId}`)).body;

  it('runs the draft instead of the current revision, says so, and publishes nothing', async () => {
    const before = await published();
    const draft = structuredClone({ name: before.name, call: before.call, sms: before.sms });
    draft.call.applets.greet.prompt = { text: 'Thanks for calling the draft.' };
    draft.sms.applets[draft.sms.start].text = 'Draft reply.';
    const call = await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: [], document: draft });
    expect(call.status).toBe(200);
    expect(call.body).toMatchObject({ draft: true, revision: before.currentRevision });
    expect(call.body.steps[0].twiml).toContain('Thanks for calling the draft.');
    const text = await sim({ channel: 'sms', from: '+15550109999', body: 'hi', document: draft });
    expect(text.body).toMatchObject({ draft: true });
    expect(text.body.steps[0].twiml).toContain('Draft reply.');
    // The published revision is untouched, and a run without `document` is still of it.
    expect(await published()).toEqual(before);
    const live = await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: [] });
    expect(live.body.draft).toBe(false);
    expect(live.body.steps[0].twiml).toContain('Thanks for calling Acme.');
  });

  it('a draft with checker errors is 422 flow_invalid with its problems; a malformed one 400 naming the field under document', async () => {
    const before = await published();
    const broken = { name: before.name, call: { ...before.call, start: 'nowhere' } };
    const invalid = await sim({ channel: 'call', from: '+15550109999', document: broken });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('flow_invalid');
    expect(invalid.body.error.details).toContainEqual(expect.objectContaining({ severity: 'error', channel: 'call' }));
    const malformed = await sim({ channel: 'call', from: '+15550109999', document: { name: before.name, call: { start: 'a', applets: { a: { type: 'teleport' } } } } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.map((d: { path: string }) => d.path)).toEqual([expect.stringMatching(/^document\.call\.applets\.a/)]);
    expect(await published()).toEqual(before);
  });
});

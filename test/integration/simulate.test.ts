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

it('lists the texts a request would send through the carrier: the `text` applet, from the called number to the caller', async () => {
  const before = (await h.api('GET', `/api/flows/${flowId}`)).body;
  const draft = structuredClone({ name: before.name, call: before.call, sms: before.sms });
  draft.call.applets.sms = { type: 'text', text: 'Our hours are 9 to 5.', next: draft.call.applets.greet.next };
  draft.call.applets.greet.next = 'sms';
  const to = (await h.api('GET', `/api/flows/${flowId}/numbers`)).body.numbers[0].number;
  const res = await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: [], document: draft });
  expect(res.status).toBe(200);
  expect(res.body.steps[0].applets.map((a: { applet: string }) => a.applet)).toEqual(['hours', 'greet', 'sms', 'menu']);
  expect(res.body.steps[0].texts).toEqual([{ from: to, to: '+15550109999', body: 'Our hours are 9 to 5.' }]);
  // A softphone caller has no number to text: nothing listed, the call goes on.
  const soft = await sim({ channel: 'call', from: 'client:ann', at: '2026-11-24T15:00:00Z', inputs: [], document: draft });
  expect(soft.body.steps[0].texts).toBeUndefined();
  // Without the applet, no texts at all.
  expect((await sim({ channel: 'call', from: '+15550109999', at: '2026-11-24T15:00:00Z', inputs: [] })).body.steps[0].texts).toBeUndefined();
});

it('a text whose answer passes the 10-message limit lists the rest as texts sent through the carrier, from the called number', async () => {
  const members: string[] = [];
  for (let i = 0; i < 11; i++) members.push((await h.api('POST', '/api/users', { name: `Member ${i}`, phone: `+155503100${String(i).padStart(2, '0')}` })).body.id);
  const group = (await h.api('POST', '/api/groups', { name: 'Big team', members })).body.id;
  const before = (await h.api('GET', `/api/flows/${flowId}`)).body;
  const draft = { name: before.name, call: before.call, sms: { start: 'reply', applets: { reply: { type: 'reply', text: 'Got it.', next: 'box' }, box: { type: 'inbox', mailbox: { group }, notify: true } } } };
  const to = (await h.api('GET', `/api/flows/${flowId}/numbers`)).body.numbers[0].number;
  const res = await sim({ channel: 'sms', from: '+15550109999', body: 'hi', document: draft });
  expect(res.status).toBe(200);
  // 1 reply + 11 notifications: 10 in the TwiML, 2 through the REST API.
  expect((res.body.steps[0].twiml.match(/<Message/g) ?? []).length).toBe(10);
  expect(res.body.steps[0].texts).toHaveLength(2);
  for (const t of res.body.steps[0].texts) expect(t).toEqual({ from: to, to: expect.stringMatching(/^\+155503100\d\d$/), body: expect.stringContaining('hi') });
});

it('a STOP body shows no reply: it would be stored where the flow keeps texts, and the carrier answers it', async () => {
  const before = (await h.api('GET', `/api/flows/${flowId}`)).body;
  const user = (await h.api('POST', '/api/users', { name: 'Stop owner', phone: '+15550310500' })).body.id;
  const draft = { name: before.name, call: before.call, sms: { start: 'reply', applets: { reply: { type: 'reply', text: 'Got it.', next: 'box' }, box: { type: 'inbox', mailbox: { user }, notify: true } } } };
  const res = await sim({ channel: 'sms', from: '+15550109999', body: ' stop ', document: draft });
  expect(res.status).toBe(200);
  expect(res.body.steps[0].twiml).not.toContain('<Message');
  expect(res.body.steps[0].texts).toBeUndefined();
  expect(res.body.stored).toBe(`user#${user}`);
  expect(res.body.note).toContain('opted out');
  const usual = await sim({ channel: 'sms', from: '+15550109999', body: 'stop by at noon?', document: draft });
  expect((usual.body.steps[0].twiml.match(/<Message/g) ?? []).length).toBe(2);
  expect(usual.body.note).toBeUndefined();
});

describe('dial additions (issue 22 item 4)', () => {
  it('shows the announcement the answering person hears, with the number\'s name, and the recording notice', async () => {
    const { deps } = h;
    const [ann, bob] = await Promise.all([
      deps.directory.createUser({ name: 'Ann', phone: '+15550230001', available: true }),
      deps.directory.createUser({ name: 'Bob', phone: '+15550230002', available: true }),
    ]);
    const team = await deps.directory.createGroup({ name: 'Idle simulators', members: [ann.id, bob.id] });
    const created = await h.api('POST', '/api/flows', {
      name: 'Announced',
      call: {
        start: 'ring',
        applets: {
          ring: {
            type: 'dial', group: team.id, strategy: 'longest-idle', announce: 'Call for the {number}', record: true,
            recordingNotice: { text: 'This call may be recorded.' }, noAnswer: 'bye',
          },
          bye: { type: 'hangup' },
        },
      },
    });
    expect(created.status).toBe(201);
    // The notice satisfies record_without_notice: only the missing sms part is worth a word.
    expect(created.body.problems.map((p: { code: string }) => p.code)).toEqual(['no_sms_part']);
    await deps.numbers.register('+15550100091', 'Sales line', created.body.id, new Date());
    // Ann took a call a minute ago; Bob has not taken one: Bob is idle longest and rings first.
    await deps.presence.legAnswered(ann.id, 'CA00000000000000000000000000000a01', new Date(Date.now() - 120_000));
    await deps.presence.legEnded(ann.id, 'CA00000000000000000000000000000a01', true, new Date(Date.now() - 60_000));

    const res = await h.api('POST', `/api/flows/${created.body.id}/simulate`, { channel: 'call', from: '+15550109999', to: '+15550100091', inputs: ['no-answer', 'no-answer'] });
    expect(res.status).toBe(200);
    const [first, second] = res.body.steps;
    expect(first.twiml).toMatch(/<Say>This call may be recorded\.<\/Say><Dial [^>]*><Number [^>]*>\+15550230002<\/Number>/);
    expect(first.whisper).toBe('Call for the Sales line');
    expect(second.twiml).toContain('+15550230001');
    // Nothing was recorded by the dry run.
    expect((await deps.presence.presence([bob.id])).get(bob.id)).toBeUndefined();
  });
});

describe('a queue (issue 22 item 1)', () => {
  it('shows the <Enqueue>, the first wait answer (position, hold), and where bridged or timeout lead', async () => {
    const { deps } = h;
    const dee = await deps.directory.createUser({ name: 'Dee', phone: '+15550230009', available: true });
    const created = await h.api('POST', '/api/flows', {
      name: 'Queued sim',
      call: {
        start: 'q',
        applets: {
          q: { type: 'queue', name: 'help', targets: [{ user: dee.id }], hold: { text: 'Please hold.' }, timeout: 'vm' },
          vm: { type: 'voicemail', mailbox: { user: dee.id } },
        },
      },
    });
    const sim = (inputs: string[]) => h.api('POST', `/api/flows/${created.body.id}/simulate`, { channel: 'call', from: '+15550109999', inputs });
    const bridged = await sim(['bridged']);
    expect(bridged.status).toBe(200);
    expect(bridged.body.steps[0].twiml).toMatch(/<Enqueue action="[^"]+step=queue&amp;applet=q" method="POST" waitUrl="[^"]+queue-wait[^"]+" waitUrlMethod="POST">help<\/Enqueue>/);
    expect(bridged.body.steps[0].queueWait).toMatch(/<Say>You are next in line\.<\/Say><Say loop="\d+">Please hold\.<\/Say><Redirect/);
    expect(bridged.body.steps[1]).toMatchObject({ input: { QueueResult: 'bridged' } });
    expect(bridged.body.steps[1].twiml).toContain('<Hangup/>');
    const timeout = await sim(['timeout']);
    expect(timeout.body.steps[1].applets.map((a: { applet: string }) => a.applet)).toEqual(['q', 'vm']);
    expect(timeout.body.steps[1].input).toEqual({ QueueResult: 'leave' });
  });
});

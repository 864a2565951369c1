// Shared schedules through the admin API against DynamoDB Local (DESIGN.md section 15, issue 22 items 2
// and 3): CRUD with If-Match on the version, 400 naming the field, a schedule in use cannot be deleted (409
// naming the flows, also when a publish races the delete), an edit re-checks the flows that use it, the
// override expires by itself at `until` (an injected clock) without a new revision of any flow, the
// simulator takes the same rules, and PINs are stored only as salted hashes.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { adminHarness, type AdminHarness } from '../support/admin';

let clock = new Date('2026-11-19T15:00:00.000Z');
let h: AdminHarness;
beforeAll(async () => {
  h = await adminHarness(() => clock);
});
afterAll(() => {
  h.tables.client.destroy();
  h.tables.doc.destroy();
});

const nineToFive = [['09:00', '17:00']];
const office = (name = 'Office') => ({
  name,
  timezone: 'America/New_York',
  weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] },
  rules: [
    { name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } },
    { name: 'Christmas Eve', on: { yearly: '--12-24' }, hours: [['09:00', '13:00']] },
  ],
});
/** A flow whose call part asks the schedule: open → say, closed → voicemail. */
const scheduledFlow = (schedule: string, mailboxUser: string, name = 'Front desk') => ({
  name,
  call: {
    start: 'hours',
    applets: {
      hours: { type: 'hours', schedule, open: 'hello', closed: 'vm' },
      hello: { type: 'say', prompt: { text: 'We are open.' }, next: 'bye' },
      bye: { type: 'hangup' },
      vm: { type: 'voicemail', mailbox: { user: mailboxUser } },
    },
  },
});

let user: string;
beforeAll(async () => {
  user = (await h.api('POST', '/api/users', { name: 'Desk', phone: '+15550660001' })).body.id;
});

describe('CRUD with If-Match', () => {
  test('create (201, ETag "1"), read, replace with the current version (ETag "2"), list', async () => {
    const created = await h.api('POST', '/api/schedules', office());
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^sch_/), name: 'Office', version: 1, flows: [] });
    const id = created.body.id;
    expect((await h.api('GET', `/api/schedules/${id}`)).body.rules).toEqual(office().rules);
    const edited = await h.api('PUT', `/api/schedules/${id}`, { ...office('Main office'), rules: [] }, { 'if-match': '"1"' });
    expect(edited.status).toBe(200);
    expect(edited.headers.etag).toBe('"2"');
    expect(edited.body).toMatchObject({ name: 'Main office', version: 2, rules: [], recheck: [] });
    const list = (await h.api('GET', '/api/schedules')).body.schedules;
    expect(list.find((s: { id: string }) => s.id === id)).toMatchObject({ name: 'Main office', version: 2 });
  });

  test('a write naming a stale version is refused with 412 and changes nothing; without If-Match it goes through', async () => {
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    await h.api('PUT', `/api/schedules/${id}`, office('Second'), { 'if-match': '1' });
    const stale = await h.api('PUT', `/api/schedules/${id}`, office('Lost edit'), { 'if-match': '1' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'precondition_failed', message: 'version 1 is stale: the current version is 2' });
    expect((await h.api('GET', `/api/schedules/${id}`)).body.name).toBe('Second');
    expect((await h.api('DELETE', `/api/schedules/${id}`, undefined, { 'if-match': '1' })).status).toBe(412);
    expect((await h.api('PUT', `/api/schedules/${id}`, office('Third'))).body.version).toBe(3);
  });

  test('bad input is a 400 naming each field, and nothing is stored', async () => {
    const before = (await h.api('GET', '/api/schedules')).body.schedules.length;
    const res = await h.api('POST', '/api/schedules', {
      ...office(),
      timezone: 'Mars/Olympus_Mons',
      weekly: { ...office().weekly, mon: [['17:00', '09:00']] },
      rules: [{ name: 'Nope', on: { date: '2026-02-30' } }, { name: 'Backwards', on: { from: '2026-12-31', to: '2026-12-01' } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['rules.0.on.date', 'rules.1.on.to', 'timezone', 'weekly.mon']);
    expect((await h.api('GET', '/api/schedules')).body.schedules.length).toBe(before);
    expect((await h.api('POST', '/api/schedules', { ...office(), override: { state: 'closed' } })).body.error.details).toEqual([{ path: 'override', message: 'unknown field' }]);
  });

  test('an unknown or unkeyable id is 404', async () => {
    expect((await h.api('GET', '/api/schedules/sch_000000000000')).status).toBe(404);
    expect((await h.api('PUT', '/api/schedules/sch_000000000000', office())).status).toBe(404);
    expect((await h.api('GET', `/api/schedules/${'x'.repeat(300)}`)).status).toBe(404);
  });
});

describe('schedules in use', () => {
  test('a schedule a published flow uses cannot be deleted (409 naming the flow); once no flow uses it, it can', async () => {
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    const flow = (await h.api('POST', '/api/flows', scheduledFlow(id, user))).body.id;
    expect((await h.api('GET', `/api/schedules/${id}`)).body.flows).toEqual([{ id: flow, name: 'Front desk' }]);
    const refused = await h.api('DELETE', `/api/schedules/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/is used by Front desk \(flw_/);
    expect(refused.body.error.details).toEqual([{ flow, name: 'Front desk' }]);
    expect((await h.api('GET', `/api/schedules/${id}`)).status).toBe(200);
    // A new revision with inline hours releases it.
    const inline = scheduledFlow(id, user);
    inline.call.applets.hours = { type: 'hours', timezone: 'America/New_York', open: 'hello', closed: 'vm' } as never;
    expect((await h.api('PUT', `/api/flows/${flow}`, inline)).status).toBe(200);
    expect((await h.api('DELETE', `/api/schedules/${id}`)).status).toBe(204);
    expect((await h.api('GET', `/api/schedules/${id}`)).status).toBe(404);
  });

  test('deleting the flow releases its schedules', async () => {
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    const flow = (await h.api('POST', '/api/flows', scheduledFlow(id, user))).body.id;
    expect((await h.api('DELETE', `/api/flows/${flow}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/schedules/${id}`)).status).toBe(204);
  });

  test('a flow naming a schedule that does not exist is refused (422 unknown_schedule), and the check says so', async () => {
    const res = await h.api('POST', '/api/flows', scheduledFlow('sch_missing00000', user));
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ code: 'unknown_schedule', applet: 'hours', severity: 'error' }));
    const check = await h.api('POST', '/api/flows/check', scheduledFlow('sch_missing00000', user));
    expect(check.body.problems.map((p: { code: string }) => p.code)).toContain('unknown_schedule');
  });

  test('a publish racing the delete never leaves a flow naming a deleted schedule', async () => {
    for (let round = 0; round < 5; round++) {
      const id = (await h.api('POST', '/api/schedules', office(`Race ${round}`))).body.id;
      const [published, deleted] = await Promise.all([h.api('POST', '/api/flows', scheduledFlow(id, user, `Race ${round}`)), h.api('DELETE', `/api/schedules/${id}`)]);
      const schedule = await h.api('GET', `/api/schedules/${id}`);
      if (published.status === 201) {
        // The flow won: the schedule is still there and knows the flow.
        expect(deleted.status).toBe(409);
        expect(schedule.body.flows.map((f: { id: string }) => f.id)).toEqual([published.body.id]);
      } else {
        expect(published.status).toBe(422);
        expect(deleted.status).toBe(204);
        expect(schedule.status).toBe(404);
      }
    }
  });

  test('an edit re-checks every flow that uses the schedule, as a group edit does: no hours left is always_closed there', async () => {
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    const flow = (await h.api('POST', '/api/flows', scheduledFlow(id, user, 'Rechecked'))).body.id;
    expect((await h.api('GET', `/api/flows/${flow}`)).body.problems.map((p: { code: string }) => p.code)).not.toContain('always_closed');
    const never = { ...office(), weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, rules: [] };
    const edited = await h.api('PUT', `/api/schedules/${id}`, never);
    expect(edited.status).toBe(200);
    expect(edited.body.recheck).toEqual([{ flow, name: 'Rechecked', problems: expect.arrayContaining([expect.objectContaining({ code: 'always_closed', applet: 'hours', severity: 'warning' })]) }]);
    expect((await h.api('GET', `/api/flows/${flow}`)).body.problems.map((p: { code: string }) => p.code)).toContain('always_closed');
    // The flow itself did not change: one schedule edit changes every flow that uses it.
    expect((await h.api('GET', `/api/flows/${flow}`)).body.revision).toBe(1);
  });
});

describe('the override', () => {
  test('closed until a time: shown while active, gone by itself once `until` has passed, no new revision', async () => {
    clock = new Date('2026-11-19T15:00:00.000Z');
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    const flow = (await h.api('POST', '/api/flows', scheduledFlow(id, user))).body.id;
    const set = await h.api('PUT', `/api/schedules/${id}/override`, { state: 'closed', until: '2026-11-19T16:00:00Z' });
    expect(set.status).toBe(200);
    expect(set.body.override).toMatchObject({ state: 'closed', until: '2026-11-19T16:00:00Z', setBy: 'api', setAt: '2026-11-19T15:00:00.000Z' });
    expect(set.body.version).toBe(1); // not an edit of the schedule
    clock = new Date('2026-11-19T15:59:59.000Z');
    expect((await h.api('GET', `/api/schedules/${id}`)).body.override?.state).toBe('closed');
    clock = new Date('2026-11-19T16:00:00.000Z');
    expect((await h.api('GET', `/api/schedules/${id}`)).body.override).toBeUndefined();
    expect((await h.api('GET', '/api/schedules')).body.schedules.find((s: { id: string }) => s.id === id).override).toBeUndefined();
    expect((await h.api('GET', `/api/flows/${flow}`)).body.revision).toBe(1);
  });

  test('the simulator sees it while it lasts and not after', async () => {
    clock = new Date('2026-11-19T15:00:00.000Z');
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    const flow = (await h.api('POST', '/api/flows', scheduledFlow(id, user))).body.id;
    await h.api('PUT', `/api/schedules/${id}/override`, { state: 'closed', until: '2026-11-19T18:00:00Z' });
    const path = async (at: string) =>
      (await h.api('POST', `/api/flows/${flow}/simulate`, { channel: 'call', from: '+15550669999', at })).body.steps[0].applets.map((a: { applet: string }) => a.applet);
    expect(await path('2026-11-19T17:00:00Z')).toEqual(['hours', 'vm']); // noon, inside the override
    expect(await path('2026-11-19T18:30:00Z')).toEqual(['hours', 'hello', 'bye']); // 13:30, after it
  });

  test('without until it lasts until cleared; DELETE clears it', async () => {
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    await h.api('PUT', `/api/schedules/${id}/override`, { state: 'open' });
    clock = new Date('2030-01-01T00:00:00.000Z');
    expect((await h.api('GET', `/api/schedules/${id}`)).body.override).toMatchObject({ state: 'open' });
    const cleared = await h.api('DELETE', `/api/schedules/${id}/override`);
    expect(cleared.status).toBe(200);
    expect(cleared.body.override).toBeUndefined();
    clock = new Date('2026-11-19T15:00:00.000Z');
  });

  test('bad overrides are 400 naming the field; an unknown schedule is 404; nothing is written', async () => {
    const id = (await h.api('POST', '/api/schedules', office())).body.id;
    const bad = await h.api('PUT', `/api/schedules/${id}/override`, { state: 'shut', until: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['state', 'until']);
    const past = await h.api('PUT', `/api/schedules/${id}/override`, { state: 'closed', until: '2026-11-19T14:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([{ path: 'until', message: expect.stringMatching(/must be in the future/) }]);
    expect((await h.api('PUT', '/api/schedules/sch_000000000000/override', { state: 'closed' })).status).toBe(404);
    expect((await h.api('GET', `/api/schedules/${id}`)).body.override).toBeUndefined();
  });
});

test('the simulator decides by the schedule’s rules: the 4th Thursday of November 2026 is closed at noon, the 19th open', async () => {
  const id = (await h.api('POST', '/api/schedules', office())).body.id;
  const flow = (await h.api('POST', '/api/flows', scheduledFlow(id, user, 'Thanksgiving'))).body.id;
  const path = async (at: string) =>
    (await h.api('POST', `/api/flows/${flow}/simulate`, { channel: 'call', from: '+15550669999', at })).body.steps[0].applets.map((a: { applet: string }) => a.applet);
  expect(await path('2026-11-26T17:00:00Z')).toEqual(['hours', 'vm']);
  expect(await path('2026-11-19T17:00:00Z')).toEqual(['hours', 'hello', 'bye']);
  expect(await path('2026-12-24T17:30:00Z')).toEqual(['hours', 'hello', 'bye']); // 12:30 on Christmas Eve
  expect(await path('2026-12-24T18:30:00Z')).toEqual(['hours', 'vm']); // 13:30: it closed at 13:00
});

describe('override PINs', () => {
  test('set through the people API: stored only as a salted hash, shown as hasPin; a bad PIN is a 400', async () => {
    const id = (await h.api('POST', '/api/users', { name: 'Editor', phone: '+15550660002', role: 'editor' })).body.id;
    const bad = await h.api('PUT', `/api/users/${id}/pin`, { pin: '12a' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'pin', message: 'must be 4 to 12 digits' }]);
    expect((await h.api('PUT', `/api/users/${id}/pin`, { pin: '482913' })).status).toBe(204);
    const read = (await h.api('GET', `/api/users/${id}`)).body;
    expect(read).toEqual({ id, name: 'Editor', phone: '+15550660002', role: 'editor', available: true, hasPin: true });
    const item = (await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.directory, Key: { id } }))).Item!;
    expect(item.pin).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(item.pin).not.toContain('482913');
    // The same PIN twice is two different hashes (a fresh salt each time).
    await h.api('PUT', `/api/users/${id}/pin`, { pin: '482913' });
    const again = (await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.directory, Key: { id } }))).Item!;
    expect(again.pin).not.toBe(item.pin);
    // A PUT of the user keeps the PIN (it is not one of the fields a PUT replaces).
    await h.api('PUT', `/api/users/${id}`, { name: 'Editor B', phone: '+15550660002', role: 'editor' });
    expect((await h.api('GET', `/api/users/${id}`)).body.hasPin).toBe(true);
    expect((await h.api('DELETE', `/api/users/${id}/pin`)).status).toBe(204);
    expect((await h.api('GET', `/api/users/${id}`)).body.hasPin).toBeUndefined();
    expect((await h.api('PUT', '/api/users/usr_000000000000/pin', { pin: '1234' })).status).toBe(404);
  });

  test('a role outside admin, editor and member is a 400', async () => {
    const res = await h.api('POST', '/api/users', { name: 'Boss', role: 'owner' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['role']);
  });
});

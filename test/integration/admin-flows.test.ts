import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow, callOnlyFlow } from '../support/fixtures';

let h: AdminHarness;
let userId: string;

beforeAll(async () => {
  h = await adminHarness();
  userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
});

describe('POST /api/flows', () => {
  it('creates revision 1 with a server-generated id and returns warnings', async () => {
    const res = await h.api('POST', '/api/flows', callOnlyFlow());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^flw_/), name: 'Calls only', revision: 1 });
    expect(res.body.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'no_sms_part' })]);
    expect(res.headers.etag).toBe('"1"');
  });

  it('answers 400 naming every bad field by path, and writes nothing', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const res = await h.api('POST', '/api/flows', {
      name: '',
      call: { start: 'm', applets: { m: { type: 'menu', prompt: { text: 'hi' }, options: {}, attempts: 11, colour: 'red' } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'call.applets.m.attempts', 'call.applets.m.colour']));
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await h.api('POST', '/api/flows', '{not json');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });

  it('answers 422 with the problems when the flow has errors, and writes nothing', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const res = await h.api('POST', '/api/flows', {
      name: 'Broken',
      call: { start: 'ring', applets: { ring: { type: 'dial', user: 'usr_nobody', noAnswer: 'nowhere' } } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('flow_invalid');
    const codes = res.body.error.details.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['unknown_user', 'unknown_applet']));
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });
});

describe('revisions', () => {
  let id: string;
  beforeAll(async () => {
    id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Rev test'))).body.id;
  });

  it('publishes a new revision on PUT and keeps the old one unchanged', async () => {
    const put = await h.api('PUT', `/api/flows/${id}`, { ...callAndSmsFlow(userId, 'Rev test v2') });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: 'Rev test v2', revision: 2 });
    const r1 = await h.api('GET', `/api/flows/${id}/revisions/1`);
    expect(r1.body).toMatchObject({ name: 'Rev test', revision: 1 });
    const current = await h.api('GET', `/api/flows/${id}`);
    expect(current.body).toMatchObject({ name: 'Rev test v2', revision: 2, problems: [] });
    expect(current.headers.etag).toBe('"2"');
  });

  it('answers 412 when If-Match names a stale revision, in either spelling', async () => {
    for (const ifMatch of ['1', '"1"']) {
      const res = await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'stale'), { 'if-match': ifMatch });
      expect(res.status).toBe(412);
    }
    expect((await h.api('GET', `/api/flows/${id}`)).body.name).not.toBe('stale');
  });

  it('accepts a current If-Match', async () => {
    const current = (await h.api('GET', `/api/flows/${id}`)).body.revision;
    const res = await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'fresh'), { 'if-match': `"${current}"` });
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(current + 1);
  });

  it('lists the history newest first and restores an old revision as a new one', async () => {
    const history = await h.api('GET', `/api/flows/${id}/revisions`);
    expect(history.body.revisions.map((r: { revision: number }) => r.revision)).toEqual([3, 2, 1]);
    expect(history.body.revisions[2]).toMatchObject({ name: 'Rev test', publishedAt: expect.any(String) });
    const restored = await h.api('POST', `/api/flows/${id}/revisions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, name: 'Rev test', revision: 4 });
    expect((await h.api('GET', `/api/flows/${id}/revisions/4`)).body.call).toEqual((await h.api('GET', `/api/flows/${id}/revisions/1`)).body.call);
  });

  it('answers 404 for an unknown revision or flow', async () => {
    expect((await h.api('GET', `/api/flows/${id}/revisions/99`)).status).toBe(404);
    expect((await h.api('GET', '/api/flows/flw_missing')).status).toBe(404);
    expect((await h.api('PUT', '/api/flows/flw_missing', callOnlyFlow())).status).toBe(404);
    expect((await h.api('GET', `/api/flows/${id}/revisions/zero`)).status).toBe(400);
  });
});

describe('GET /api/flows (dashboard)', () => {
  it('lists each flow with its number count and applet types in path order', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Dash'))).body.id;
    await h.api('PUT', '/api/numbers/+15550109001', { name: 'Dash 1', flowId: id });
    const flow = (await h.api('GET', '/api/flows')).body.flows.find((f: { id: string }) => f.id === id);
    expect(flow).toEqual({
      id, name: 'Dash', revision: 1, numberCount: 1,
      call: { configured: true, applets: ['dial', 'voicemail'] },
      sms: { configured: true, applets: ['inbox'] },
    });
  });
});

describe('POST /api/flows/check', () => {
  it('returns the problems without saving', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const res = await h.api('POST', '/api/flows/check', { name: 'x', call: { start: 'nope', applets: { a: { type: 'hangup' } } } });
    expect(res.status).toBe(200);
    expect(res.body.problems.map((p: { code: string }) => p.code)).toEqual(expect.arrayContaining(['unknown_start', 'no_sms_part']));
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });
});

describe('DELETE /api/flows/{id}', () => {
  it('is refused with 409 listing the numbers while numbers use the flow', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'In use'))).body.id;
    await h.api('PUT', '/api/numbers/+15550109101', { flowId: id });
    const res = await h.api('DELETE', `/api/flows/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([expect.objectContaining({ number: '+15550109101' })]);
    expect((await h.api('GET', `/api/flows/${id}`)).status).toBe(200);
  });

  it('with ?unassign=true leaves the numbers without a flow and deletes every revision', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Going'))).body.id;
    await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'Going v2'));
    await h.api('PUT', '/api/numbers/+15550109201', { flowId: id });
    const res = await h.api('DELETE', `/api/flows/${id}?unassign=true`);
    expect(res.status).toBe(204);
    expect((await h.api('GET', `/api/flows/${id}`)).status).toBe(404);
    expect((await h.api('GET', `/api/flows/${id}/revisions`)).status).toBe(404);
    expect((await h.api('GET', '/api/numbers/+15550109201')).body).toMatchObject({ flowId: null, status: 'no_flow' });
    const noFlow = (await h.api('GET', '/api/numbers?status=no_flow')).body.numbers.map((n: { number: string }) => n.number);
    expect(noFlow).toContain('+15550109201');
  });
});

describe('routing', () => {
  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await h.api('GET', '/api/nothing')).status).toBe(404);
    expect((await h.api('PATCH', '/api/flows')).status).toBe(405);
  });
});

import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow, groupFlow } from '../support/fixtures';

let h: AdminHarness;
beforeAll(async () => {
  h = await adminHarness();
});

describe('users', () => {
  it('creates, reads, replaces and lists a user; available defaults to true', async () => {
    const created = await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001', client: 'ann' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^usr_/), name: 'Ann', available: true });
    const id = created.body.id;
    const put = await h.api('PUT', `/api/users/${id}`, { name: 'Ann B', phone: '+15550200009', available: false });
    expect(put.body).toEqual({ id, name: 'Ann B', phone: '+15550200009', available: false });
    expect((await h.api('GET', `/api/users/${id}`)).body.name).toBe('Ann B');
    expect((await h.api('GET', '/api/users')).body.users.map((u: { id: string }) => u.id)).toContain(id);
  });

  it('answers 400 naming each bad field', async () => {
    const res = await h.api('POST', '/api/users', { name: '', phone: '555', email: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'name', 'phone']);
  });

  it('refuses to delete a user a published flow uses (409 listing the flows), then allows it (invariant 5)', async () => {
    const id = (await h.api('POST', '/api/users', { name: 'Used', phone: '+15550200002' })).body.id;
    const flow = (await h.api('POST', '/api/flows', callAndSmsFlow(id))).body.id;
    const refused = await h.api('DELETE', `/api/users/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([{ flow }]);
    expect((await h.api('GET', `/api/users/${id}`)).status).toBe(200);
    await h.api('DELETE', `/api/flows/${flow}`);
    expect((await h.api('DELETE', `/api/users/${id}`)).status).toBe(204);
    expect((await h.api('GET', `/api/users/${id}`)).status).toBe(404);
  });

  it('releases a user when the flow stops using it in a new revision', async () => {
    const a = (await h.api('POST', '/api/users', { name: 'A', phone: '+15550200003' })).body.id;
    const b = (await h.api('POST', '/api/users', { name: 'B', phone: '+15550200004' })).body.id;
    const flow = (await h.api('POST', '/api/flows', callAndSmsFlow(a))).body.id;
    await h.api('PUT', `/api/flows/${flow}`, callAndSmsFlow(b));
    expect((await h.api('DELETE', `/api/users/${a}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/users/${b}`)).status).toBe(409);
  });

  it('refuses to delete a user who is a group member', async () => {
    const id = (await h.api('POST', '/api/users', { name: 'Member', phone: '+15550200005' })).body.id;
    const group = (await h.api('POST', '/api/groups', { name: 'G', members: [id] })).body.id;
    const res = await h.api('DELETE', `/api/users/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([{ group }]);
  });
});

describe('groups', () => {
  it('creates a group of existing users and refuses unknown members with 400 naming the member', async () => {
    const u = (await h.api('POST', '/api/users', { name: 'U', phone: '+15550200006' })).body.id;
    const ok = await h.api('POST', '/api/groups', { name: 'Team', members: [u] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ id: expect.stringMatching(/^grp_/), name: 'Team', members: [u] });
    const bad = await h.api('POST', '/api/groups', { name: 'Ghosts', members: [u, 'usr_ghost'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'members.1', message: expect.stringContaining('usr_ghost') }]);
    expect((await h.api('GET', '/api/groups')).body.groups.map((g: { name: string }) => g.name)).not.toContain('Ghosts');
  });

  it('updates members and keeps the membership references exact', async () => {
    const a = (await h.api('POST', '/api/users', { name: 'A', phone: '+15550200007' })).body.id;
    const b = (await h.api('POST', '/api/users', { name: 'B', phone: '+15550200008' })).body.id;
    const g = (await h.api('POST', '/api/groups', { name: 'Swap', members: [a] })).body.id;
    expect((await h.api('PUT', `/api/groups/${g}`, { name: 'Swap', members: [b] })).body.members).toEqual([b]);
    expect((await h.api('DELETE', `/api/users/${a}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/users/${b}`)).status).toBe(409);
  });

  it('refuses to delete a group a flow uses (409 listing the flows)', async () => {
    const u = (await h.api('POST', '/api/users', { name: 'U2', phone: '+15550200010' })).body.id;
    const g = (await h.api('POST', '/api/groups', { name: 'Used group', members: [u] })).body.id;
    const flow = (await h.api('POST', '/api/flows', groupFlow(g))).body.id;
    const res = await h.api('DELETE', `/api/groups/${g}`);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([{ flow }]);
    await h.api('DELETE', `/api/flows/${flow}`);
    expect((await h.api('DELETE', `/api/groups/${g}`)).status).toBe(204);
    // The member is free again once the group is gone.
    expect((await h.api('DELETE', `/api/users/${u}`)).status).toBe(204);
  });

  it('answers 404 for unknown ids', async () => {
    expect((await h.api('GET', '/api/groups/grp_none')).status).toBe(404);
    expect((await h.api('PUT', '/api/groups/grp_none', { name: 'x', members: [] })).status).toBe(404);
    expect((await h.api('DELETE', '/api/users/usr_none')).status).toBe(404);
  });
});

it('answers 503 with a clear error, quickly, when DynamoDB does not answer', async () => {
  const { createDynamoDb } = await import('../../lambdas/store/dynamo-client');
  const { createStores } = await import('../../lambdas/store/stores');
  const { adminApi } = await import('../../lambdas/admin/api');
  const { apiEvent } = await import('../support/admin');
  const down = createDynamoDb({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const api = adminApi({ ...createStores(down, h.tables.names), now: () => new Date() }, { open: true });
  for (const [method, path, body] of [['GET', '/api/flows'], ['POST', '/api/users', { name: 'Nobody' }]] as const) {
    const res = await api(apiEvent(method, path, body));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.parse(res.body ?? '').error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('not answering') });
  }
});

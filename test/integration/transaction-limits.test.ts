// DynamoDB transactions hold at most 100 items, and saving a group or publishing a flow writes one item per
// member or per user/group named. The schema limits (49 members; 49 users and groups per flow) keep every
// such write within one transaction: over the limit is a 400 naming the field, never a 500. (DynamoDB Local
// does not enforce the 100-item limit, so these tests check the limits themselves.)
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { adminHarness, type AdminHarness } from '../support/admin';

let h: AdminHarness;
let users: string[];

beforeAll(async () => {
  h = await adminHarness();
  users = [];
  for (let batch = 0; batch < 5; batch++) {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.api('POST', '/api/users', { name: `U${batch * 20 + i}`, phone: `+1555030${String(batch * 20 + i).padStart(4, '0')}` })),
    );
    users.push(...created.map((c) => c.body.id as string));
  }
});

/** A call part that dials each target in turn, then hangs up. */
function dialing(targets: Array<{ user: string } | { group: string }>, name = 'Many') {
  const applets: Record<string, unknown> = { bye: { type: 'hangup' } };
  targets.forEach((t, i) => {
    applets[`d${i}`] = { type: 'dial', ...t, strategy: 'sequential', noAnswer: i + 1 < targets.length ? `d${i + 1}` : 'bye' };
  });
  return { name, call: { start: 'd0', applets } };
}

describe('groups', () => {
  it('refuses more than 49 members with 400 naming members, and writes nothing', async () => {
    const before = (await h.api('GET', '/api/groups')).body.groups.length;
    for (const count of [50, 100]) {
      const res = await h.api('POST', '/api/groups', { name: 'Too big', members: users.slice(0, count) });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'members', message: expect.stringContaining('49') }]);
    }
    expect((await h.api('GET', '/api/groups')).body.groups.length).toBe(before);
  });

  it('creates a group of 49, replaces all 49 members, and deletes it (each one transaction)', async () => {
    const created = await h.api('POST', '/api/groups', { name: 'Full', members: users.slice(0, 49) });
    expect(created.status).toBe(201);
    const swapped = await h.api('PUT', `/api/groups/${created.body.id}`, { name: 'Full', members: users.slice(49, 98) });
    expect(swapped.status).toBe(200);
    expect((await h.api('PUT', `/api/groups/${created.body.id}`, { name: 'Full', members: users.slice(0, 50) })).status).toBe(400);
    // The old members were released, the new ones are held.
    expect((await h.api('DELETE', `/api/users/${users[0]}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/users/${users[49]}`)).status).toBe(409);
    expect((await h.api('DELETE', `/api/groups/${created.body.id}`)).status).toBe(204);
    users[0] = (await h.api('POST', '/api/users', { name: 'U0 again', phone: '+15550309999' })).body.id;
  });
});

describe('flows', () => {
  it('refuses a flow naming more than 49 users and groups, naming the first one over the limit', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const tooMany = await h.api('POST', '/api/flows', dialing(users.slice(0, 50).map((user) => ({ user }))));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([{ path: 'call.applets.d49.user', message: expect.stringContaining('49') }]);
    // Users and groups count together; naming the same user twice counts once.
    const group = (await h.api('POST', '/api/groups', { name: 'Pair', members: users.slice(0, 2) })).body.id;
    const mixed = await h.api('POST', '/api/flows', dialing([...users.slice(0, 49).map((user) => ({ user })), { group }]));
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.details).toEqual([expect.objectContaining({ path: 'call.applets.d49.group' })]);
    const repeated = await h.api('POST', '/api/flows', dialing([...users.slice(0, 49), users[0]].map((user) => ({ user }))));
    expect(repeated.status).toBe(201);
    expect((await h.api('DELETE', `/api/flows/${repeated.body.id}`)).status).toBe(204);
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });

  it('validates a restored revision again: one stored before the limit is a 400 (in AWS its transaction would fail)', async () => {
    const group = (await h.api('GET', '/api/groups')).body.groups.find((g: { name: string }) => g.name === 'Pair').id;
    const id = (await h.api('POST', '/api/flows', dialing([{ group }]))).body.id;
    // 99 users and groups: restoring it as is would need a transaction of 2 + 99 items.
    const extra = (await h.api('POST', '/api/users', { name: 'Extra', phone: '+15550309998' })).body.id;
    const old = dialing([...[...users.slice(3), extra].map((user) => ({ user })), { group }], 'Old');
    expect(Object.keys(old.call.applets)).toHaveLength(100); // 99 dials and the hangup
    await h.tables.doc.send(new PutCommand({
      TableName: h.tables.names.flows,
      Item: { id, rev: 1000, name: 'Old', document: JSON.stringify(old), publishedAt: new Date().toISOString() },
    }));
    const res = await h.api('POST', `/api/flows/${id}/revisions/1000/restore`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'call.applets.d49.user' })]);
  });

  it('publishes 49 users, swaps them all for 49 others in the next revision, and deletes the flow', async () => {
    const created = await h.api('POST', '/api/flows', dialing(users.slice(0, 49).map((user) => ({ user }))));
    expect(created.status).toBe(201);
    const swapped = await h.api('PUT', `/api/flows/${created.body.id}`, dialing(users.slice(49, 98).map((user) => ({ user }))));
    expect(swapped.status).toBe(200);
    expect((await h.api('DELETE', `/api/users/${users[2]}`)).status).toBe(204); // users[0] and [1] are in the group "Pair"
    expect((await h.api('DELETE', `/api/users/${users[50]}`)).status).toBe(409);
    expect((await h.api('DELETE', `/api/flows/${created.body.id}`)).status).toBe(204);
    expect((await h.api('DELETE', `/api/users/${users[50]}`)).status).toBe(204);
  });
});

// A dial's `targets` against the store (issue 20 item 2): the users and groups of the list are references
// of the published revision (invariant 5: they cannot be deleted while it names them), and a number on the
// list that is one of ours is refused on publish (own_number), as a single number is.
import { adminHarness, type AdminHarness } from '../support/admin';

let h: AdminHarness;
let ann: string;
let bob: string;
let team: string;

beforeAll(async () => {
  h = await adminHarness();
  ann = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550400001' })).body.id;
  bob = (await h.api('POST', '/api/users', { name: 'Bob', phone: '+15550400002' })).body.id;
  team = (await h.api('POST', '/api/groups', { name: 'Team', members: [bob] })).body.id;
});

const flowWith = (targets: unknown[]) => ({
  name: 'Several',
  call: { start: 'ring', applets: { ring: { type: 'dial', targets, strategy: 'sequential', noAnswer: 'bye' }, bye: { type: 'hangup' } } },
});

it('users and groups on the list cannot be deleted while the published revision names them', async () => {
  const flow = await h.api('POST', '/api/flows', flowWith([{ user: ann }, { group: team }, { number: '+15550409999' }]));
  expect(flow.status).toBe(201);
  const userDelete = await h.api('DELETE', `/api/users/${ann}`);
  expect(userDelete.status).toBe(409);
  const groupDelete = await h.api('DELETE', `/api/groups/${team}`);
  expect(groupDelete.status).toBe(409);
  // Published without them, they can go.
  await h.api('PUT', `/api/flows/${flow.body.id}`, flowWith([{ number: '+15550409999' }]));
  expect((await h.api('DELETE', `/api/groups/${team}`)).status).toBe(204);
});

it('a number on the list that is one of our own is refused (422 own_number) and nothing is published', async () => {
  await h.api('PUT', '/api/numbers/%2B15550408888', { name: 'Our line' });
  const res = await h.api('POST', '/api/flows', flowWith([{ user: bob }, { number: '+15550408888' }]));
  expect(res.status).toBe(422);
  expect(res.body.error.details.map((p: { code: string }) => p.code)).toContain('own_number');
});

it('a list naming a user who does not exist is refused (422 unknown_user)', async () => {
  const res = await h.api('POST', '/api/flows', flowWith([{ user: bob }, { user: 'usr_gone' }]));
  expect(res.status).toBe(422);
  expect(res.body.error.details.filter((p: { severity: string }) => p.severity === 'error').map((p: { code: string }) => p.code)).toEqual(['unknown_user']);
});

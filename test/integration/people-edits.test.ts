// Edits of users and groups that published flows depend on (DESIGN.md section 4): an edit that would give
// a published flow an error is refused with 409 listing the flows, and changes nothing. Against DynamoDB Local.
import { adminHarness, type AdminHarness } from '../support/admin';

let h: AdminHarness;
beforeAll(async () => {
  h = await adminHarness();
});

let sequence = 0;
const nextPhone = () => `+1555061${String(++sequence).padStart(4, '0')}`;

async function user(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.api('POST', '/api/users', { name: `User ${sequence}`, phone: nextPhone(), ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function group(members: string[]): Promise<string> {
  const res = await h.api('POST', '/api/groups', { name: 'Team', members });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A published flow that rings the group all at once. */
async function simultaneousFlow(groupId: string): Promise<string> {
  const res = await h.api('POST', '/api/flows', {
    name: 'Ring all',
    call: {
      start: 'ring',
      applets: {
        ring: { type: 'dial', group: groupId, noAnswer: 'vm' },
        vm: { type: 'voicemail', mailbox: { group: groupId } },
      },
    },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Five members with a phone and a softphone: 10 Twilio nouns, the most one dial rings. */
async function fullGroup() {
  const members: string[] = [];
  for (let i = 0; i < 5; i++) members.push(await user({ client: `soft${sequence}` }));
  const groupId = await group(members);
  const flowId = await simultaneousFlow(groupId);
  return { members, groupId, flowId };
}

describe('PUT /api/groups/{id}', () => {
  it('refuses (409, listing the flow) a member that would make 12 nouns ring at once, and changes nothing', async () => {
    const { members, groupId, flowId } = await fullGroup();
    const sixth = await user({ client: `soft${sequence}` });

    const res = await h.api('PUT', `/api/groups/${groupId}`, { name: 'Team', members: [...members, sixth] });

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.details).toEqual([
      { flow: flowId, name: 'Ring all', problems: [expect.objectContaining({ code: 'too_many_targets', applet: 'ring' })] },
    ]);
    expect(res.body.error.message).toContain(flowId);
    expect((await h.api('GET', `/api/groups/${groupId}`)).body.members).toEqual(members);
    // And the user was not recorded as a member either: it can still be deleted.
    expect((await h.api('DELETE', `/api/users/${sixth}`)).status).toBe(204);
  });

  it('refuses emptying a group a published flow rings (empty_group)', async () => {
    const { members, groupId } = await fullGroup();
    const res = await h.api('PUT', `/api/groups/${groupId}`, { name: 'Team', members: [] });
    expect(res.status).toBe(409);
    expect(res.body.error.details[0].problems).toEqual([
      expect.objectContaining({ code: 'empty_group', applet: 'ring' }),
      expect.objectContaining({ code: 'empty_group', applet: 'vm' }),
    ]);
    expect((await h.api('GET', `/api/groups/${groupId}`)).body.members).toEqual(members);
  });

  it('accepts edits that keep every flow valid: a rename, a member with a phone only... one too many', async () => {
    const { members, groupId } = await fullGroup();
    expect((await h.api('PUT', `/api/groups/${groupId}`, { name: 'Renamed', members })).status).toBe(200);
    // 10 nouns + 1 mobile = 11: refused; dropping one two-device member first makes room.
    const mobile = await user();
    expect((await h.api('PUT', `/api/groups/${groupId}`, { name: 'Renamed', members: [...members, mobile] })).status).toBe(409);
    const res = await h.api('PUT', `/api/groups/${groupId}`, { name: 'Renamed', members: [...members.slice(1), mobile] });
    expect(res.status).toBe(200);
    expect(res.body.members).toEqual([...members.slice(1), mobile]);
  });

  it('still answers 400 for a member who does not exist', async () => {
    const { members, groupId } = await fullGroup();
    const res = await h.api('PUT', `/api/groups/${groupId}`, { name: 'Team', members: [...members.slice(1), 'usr_nobody'] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'members.4' })]);
  });
});

describe('PUT /api/users/{id}', () => {
  it('refuses giving a member of a full simultaneous ring a softphone (11 nouns), listing the flow', async () => {
    const members: string[] = [];
    for (let i = 0; i < 4; i++) members.push(await user({ client: `soft${sequence}` }));
    const phoneOnly = await user();
    const phoneOnlyUser = (await h.api('GET', `/api/users/${phoneOnly}`)).body;
    const groupId = await group([...members, phoneOnly]);
    const flowId = await simultaneousFlow(groupId); // 4 × 2 + 1 = 9 nouns
    const second = await user();
    await h.api('PUT', `/api/groups/${groupId}`, { name: 'Team', members: [...members, phoneOnly, second] }); // 10

    const res = await h.api('PUT', `/api/users/${phoneOnly}`, { name: phoneOnlyUser.name, phone: phoneOnlyUser.phone, client: 'newsoft' });

    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([expect.objectContaining({ flow: flowId })]);
    expect((await h.api('GET', `/api/users/${phoneOnly}`)).body).not.toHaveProperty('client');
  });

  it('refuses giving a rung user one of our own numbers as their phone (own_number)', async () => {
    const rung = await user();
    const flow = await h.api('POST', '/api/flows', {
      name: 'Ring one',
      call: { start: 'ring', applets: { ring: { type: 'dial', user: rung, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    });
    const ours = nextPhone();
    expect((await h.api('PUT', `/api/numbers/${ours}`, { name: 'Our line' })).status).toBe(201);

    const res = await h.api('PUT', `/api/users/${rung}`, { name: 'Rung', phone: ours });

    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([
      { flow: flow.body.id, name: 'Ring one', problems: [expect.objectContaining({ code: 'own_number', applet: 'ring' })] },
    ]);
  });

  it('does not block unrelated edits of a flow that is already in error', async () => {
    const phone = nextPhone();
    const rung = await user({ phone });
    const flow = await h.api('POST', '/api/flows', {
      name: 'Ring one',
      call: { start: 'ring', applets: { ring: { type: 'dial', user: rung, noAnswer: 'bye' }, bye: { type: 'hangup' } } },
    });
    expect(flow.status).toBe(201);
    // Registering the user's phone as one of ours afterwards puts the flow in error...
    await h.api('PUT', `/api/numbers/${phone}`, { name: 'Oops' });
    expect((await h.api('GET', `/api/flows/${flow.body.id}`)).body.problems).toContainEqual(expect.objectContaining({ severity: 'error', code: 'own_number' }));
    // ...but a rename of the user changes nothing about it.
    expect((await h.api('PUT', `/api/users/${rung}`, { name: 'Renamed', phone })).status).toBe(200);
  });

  it('a user in no flow is edited freely', async () => {
    const free = await user();
    expect((await h.api('PUT', `/api/users/${free}`, { name: 'Free', client: 'free' })).status).toBe(200);
  });
});

describe('the check and the write are of the same version', () => {
  it('an edit of the same group between the check and the write makes the edit check again', async () => {
    const { members, groupId } = await fullGroup();
    const sixth = await user({ client: `soft${sequence}` });
    const seen: string[][] = [];
    let interleaved = false;

    // The guard runs between the read and the write: the first time, another edit lands right then.
    const saved = await h.deps.directory.updateGroup(groupId, { name: 'Mine', members: members.slice(0, 4) }, async (before) => {
      seen.push(before.members);
      if (!interleaved) {
        interleaved = true;
        await h.deps.directory.updateGroup(groupId, { name: 'Theirs', members: [...members.slice(0, 4), sixth] });
      }
      return true;
    });

    expect(seen).toEqual([members, [...members.slice(0, 4), sixth]]);
    expect(saved.members).toEqual(members.slice(0, 4));
    expect((await h.api('GET', `/api/groups/${groupId}`)).body).toMatchObject({ name: 'Mine', members: members.slice(0, 4) });
  });

  it('the same holds for a user: the write is conditioned on the version the guard saw', async () => {
    const id = await user();
    const seen: Array<string | undefined> = [];
    const saved = await h.deps.directory.updateUser(id, { name: 'Mine', available: true }, async (before) => {
      seen.push(before.name);
      if (seen.length === 1) await h.deps.directory.updateUser(id, { name: 'Theirs', available: true });
      return true;
    });
    expect(seen).toEqual([expect.stringMatching(/^User /), 'Theirs']);
    expect(saved.name).toBe('Mine');
  });
});

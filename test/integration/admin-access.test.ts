// Roles enforced by the admin API (DESIGN.md section 16), route by route, with callers as API Gateway's
// authorizers describe them: a token's claims (JWT authorizer) or AWS credentials (IAM authorizer).
import { adminHarness, type AdminHarness, type As } from '../support/admin';
import { callAndSmsFlow, groupFlow } from '../support/fixtures';
import { fakeCarrier } from '../support/carrier';
import type { QueuedText } from '../../lambdas/carrier/queued-text';

let h: AdminHarness;
const admin: As = 'iam';
const editor: As = { email: 'ed@example.com', groups: ['editor'] };
const member: As = { email: 'Mia@Example.com', groups: ['member'] };
let mia: string; // the member's directory user (linked by email, case-insensitive)
let other: string; // someone else
let team: string; // a group Mia is in
let others: string; // a group she is not in
let flowId: string;
let carrier: Awaited<ReturnType<typeof fakeCarrier>>;
/** What the replies queued (the outbound queue's side of the admin API). */
const queued: QueuedText[] = [];
const RE_MIA = `RE${'a'.repeat(32)}`;
const RE_OLI = `RE${'b'.repeat(32)}`;
const RE_TEAM = `RE${'c'.repeat(32)}`;
const RE_OTHERS = `RE${'d'.repeat(32)}`;

afterAll(async () => carrier?.fake.stop());

beforeAll(async () => {
  h = await adminHarness(undefined, { open: false });
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await h.api(method, path, body, undefined, admin);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  mia = (await ok('POST', '/api/users', { name: 'Mia', phone: '+15550300001', email: 'mia@example.com' })).id;
  other = (await ok('POST', '/api/users', { name: 'Oli', phone: '+15550300002', email: 'oli@example.com' })).id;
  team = (await ok('POST', '/api/groups', { name: 'Team', members: [mia, other] })).id;
  others = (await ok('POST', '/api/groups', { name: 'Others', members: [other] })).id;
  flowId = (await ok('POST', '/api/flows', groupFlow(team))).id;
  await ok('PUT', '/api/numbers/+15550300100', { name: 'Team line' });
  const at = new Date().toISOString();
  await h.deps.messages.storeText(`user#${mia}`, { id: 'SMmia', from: '+15550999001', to: '+15550300100', body: 'for Mia', receivedAt: at });
  await h.deps.messages.storeText(`user#${other}`, { id: 'SMoli', from: '+15550999002', to: '+15550300100', body: 'for Oli', receivedAt: at });
  await h.deps.messages.storeText(`group#${team}`, { id: 'SMteam', from: '+15550999003', to: '+15550300100', body: 'for the team', receivedAt: at });
  // One message's routes (issue 20) reach the carrier (recordings, deletes) and the outbound queue (replies).
  carrier = await fakeCarrier();
  h.deps.carrier = carrier.link;
  h.deps.outbox = { put: async (texts) => void queued.push(...texts) };
  const voicemail = (recordingSid: string, mailbox: `user#${string}` | `group#${string}`) =>
    h.deps.messages.storeVoicemail({ recordingSid, mailbox, callSid: `CA${recordingSid.slice(2)}`, from: '+15550999004', to: '+15550300100', recordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recordingSid}`, durationSeconds: 5, receivedAt: at });
  await voicemail(RE_MIA, `user#${mia}`);
  await voicemail(RE_OLI, `user#${other}`);
  await voicemail(RE_TEAM, `group#${team}`);
  await voicemail(RE_OTHERS, `group#${others}`);
});

describe('401 without an authorizer’s word', () => {
  it('a request no authorizer vouched for is 401 in the error format of section 6, and changes nothing', async () => {
    const res = await h.api('POST', '/api/users', { name: 'Nobody' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/^sign in first: .*token/) } });
    const users = (await h.api('GET', '/api/users', undefined, undefined, admin)).body.users;
    expect(users.map((u: { name: string }) => u.name)).not.toContain('Nobody');
  });

  it('reads are 401 too', async () => {
    expect((await h.api('GET', '/api/flows')).status).toBe(401);
  });
});

describe('a caller with AWS credentials (the command-line tools) is an admin', () => {
  it('on /cli/api/*, the same routes as /api/*', async () => {
    const res = await h.api('GET', '/cli/api/users', undefined, undefined, admin);
    expect(res.status).toBe(200);
    expect(res.body.users.length).toBeGreaterThanOrEqual(2);
  });

  it('GET /api/me says so', async () => {
    const me = await h.api('GET', '/cli/api/me', undefined, undefined, admin);
    expect(me.body).toMatchObject({ via: 'iam', role: 'admin', user: null, name: 'arn:aws:iam::123456789012:user/ops' });
  });
});

describe('a member', () => {
  it('reads flows, numbers, users, groups and the report', async () => {
    for (const path of ['/api/flows', `/api/flows/${flowId}`, `/api/flows/${flowId}/revisions`, '/api/numbers', '/api/users', '/api/groups', `/api/groups/${team}`]) {
      expect([path, (await h.api('GET', path, undefined, undefined, member)).status]).toEqual([path, 200]);
    }
  });

  it('cannot publish a flow: 403 naming the roles that may, and the flow is unchanged', async () => {
    const res = await h.api('PUT', `/api/flows/${flowId}`, groupFlow(team, 'Renamed by a member'), undefined, member);
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'forbidden',
      message: expect.stringMatching(/needs the editor or admin role; you are a member$/),
      details: [{ role: 'member', allowed: ['editor', 'admin'] }],
    });
    expect((await h.api('GET', `/api/flows/${flowId}`, undefined, undefined, member)).body).toMatchObject({ revision: 1, name: 'Group line' });
  });

  it.each([
    ['POST', '/api/flows', 'editor'],
    ['POST', '/api/flows/check', 'editor'],
    ['DELETE', '/api/flows/x', 'editor'],
    ['PUT', '/api/numbers/+15550300100/flow', 'editor'],
    ['GET', '/api/calls/CA123', 'editor'],
    ['POST', '/api/users', 'admin'],
    ['PUT', '/api/users/usr_x', 'admin'],
    ['DELETE', '/api/groups/grp_x', 'admin'],
    ['GET', '/api/carrier/numbers', 'admin'],
    ['POST', '/api/carrier/sync', 'admin'],
    ['PUT', '/api/numbers/+15550300199', 'admin'],
  ])('%s %s is refused (403), the lowest role that may being %s', async (method, path, lowest) => {
    const res = await h.api(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, undefined, member);
    expect(res.status).toBe(403);
    expect(res.body.error.details[0].allowed[0]).toBe(lowest);
  });

  it('reads their own mailbox (linked by email) and their groups’ mailboxes', async () => {
    const own = await h.api('GET', `/api/mailboxes/user/${mia}/messages`, undefined, undefined, member);
    expect(own.status).toBe(200);
    expect(own.body.messages.filter((m: { kind: string }) => m.kind !== 'voicemail').map((m: { body: string }) => m.body)).toEqual(['for Mia']);
    const group = await h.api('GET', `/api/mailboxes/group/${team}/messages`, undefined, undefined, member);
    expect(group.status).toBe(200);
    expect(group.body.messages.filter((m: { kind: string }) => m.kind !== 'voicemail').map((m: { body: string }) => m.body)).toEqual(['for the team']);
  });

  it('cannot read another person’s mailbox, a group’s she is not in, or unrouted (403)', async () => {
    for (const path of [`/api/mailboxes/user/${other}/messages`, `/api/mailboxes/group/${others}/messages`, '/api/mailboxes/unrouted/messages', '/api/mailboxes/group/grp_missing/messages']) {
      const res = await h.api('GET', path, undefined, undefined, member);
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'forbidden']);
    }
  });

  it('plays, marks read and replies to a message in her own mailbox or her group’s; deletes her own', async () => {
    for (const sid of [RE_MIA, RE_TEAM]) {
      const audio = await h.api('GET', `/api/recordings/${sid}`, undefined, undefined, member);
      expect([sid, audio.status]).toEqual([sid, 200]);
      expect(audio.headers['content-type']).toMatch(/^audio\//);
      expect((audio.body as Buffer).subarray(0, 4).toString()).toBe('RIFF');
    }
    for (const id of ['SMmia', 'SMteam', RE_MIA]) {
      expect([id, (await h.api('PUT', `/api/messages/${id}/read`, { read: true }, undefined, member)).status]).toEqual([id, 200]);
      expect((await h.deps.messages.get(id))?.read).toBe(true);
    }
    const reply = await h.api('POST', '/api/messages/SMmia/reply', { body: 'Called you back' }, undefined, member);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ status: 'queued', to: '+15550999001', from: '+15550300100' });
    expect(queued.map((t) => t.body)).toEqual(['Called you back']);
    expect((await h.api('DELETE', `/api/messages/${RE_MIA}`, undefined, undefined, member)).status).toBe(204);
    expect(await h.deps.messages.get(RE_MIA)).toBeUndefined();
    expect(carrier.fake.deletedRecordings.has(RE_MIA)).toBe(true);
  });

  it('cannot play, mark, answer or delete a message in another person’s mailbox or a group’s she is not in (403, nothing changes)', async () => {
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/api/recordings/${RE_OLI}`],
      ['GET', `/api/recordings/${RE_OTHERS}`],
      ['PUT', '/api/messages/SMoli/read', { read: true }],
      ['PUT', `/api/messages/${RE_OTHERS}/read`, { read: true }],
      ['POST', '/api/messages/SMoli/reply', { body: 'not mine' }],
      ['DELETE', '/api/messages/SMoli'],
      ['DELETE', `/api/messages/${RE_OLI}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await h.api(method, path, body, undefined, member);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'forbidden']);
      expect(res.body.error.details).toEqual([{ role: 'member', allowed: ['editor', 'admin'] }]);
    }
    expect((await h.deps.messages.get('SMoli'))?.read).toBeFalsy();
    expect(await h.deps.messages.get(RE_OLI)).toBeDefined();
    expect(carrier.fake.deletedRecordings.has(RE_OLI)).toBe(false);
    expect(queued.map((t) => t.body)).not.toContain('not mine');
  });

  it('a message that does not exist is 404 for her as for an editor, never a hint of where one is', async () => {
    const missing = `RE${'e'.repeat(32)}`;
    for (const as of [member, editor]) {
      for (const [method, path, body] of [['GET', `/api/recordings/${missing}`], ['PUT', '/api/messages/SMnone/read', { read: true }], ['POST', '/api/messages/SMnone/reply', { body: 'hi' }], ['DELETE', '/api/messages/SMnone']] as Array<[string, string, unknown?]>) {
        const res = await h.api(method, path, body, undefined, as);
        expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 404, 'not_found']);
      }
    }
    // A text's Sid is no recording, in her mailbox or not: the recordings route's 404 either way.
    expect((await h.api('GET', '/api/recordings/SMoli', undefined, undefined, member)).status).toBe(404);
  });

  it('neither reads nor writes a flow’s draft (403)', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await h.api(method, `/api/flows/${flowId}/draft`, method === 'PUT' ? { document: groupFlow(team), baseRevision: 1 } : undefined, undefined, member);
      expect([method, res.status]).toEqual([method, 403]);
      expect(res.body.error.details).toEqual([{ role: 'member', allowed: ['editor', 'admin'] }]);
    }
  });

  it('changes her own availability and phone through /api/me, and nothing else', async () => {
    const res = await h.api('PUT', '/api/me', { available: false, phone: '+15550300009' }, undefined, member);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ via: 'token', role: 'member', email: 'mia@example.com', user: { id: mia, available: false, phone: '+15550300009' } });
    expect((await h.api('GET', `/api/users/${mia}`, undefined, undefined, member)).body).toMatchObject({ name: 'Mia', available: false, phone: '+15550300009', email: 'mia@example.com' });
    const rename = await h.api('PUT', '/api/me', { name: 'Boss' }, undefined, member);
    expect(rename.status).toBe(400);
    expect(rename.body.error.details).toContainEqual({ path: 'name', message: 'unknown field' });
    expect((await h.api('PUT', `/api/users/${mia}`, { name: 'Boss', phone: '+15550300001', email: 'mia@example.com' }, undefined, member)).status).toBe(403);
    await h.api('PUT', '/api/me', { available: true, phone: '+15550300001' }, undefined, member);
  });

  it('sets and clears her own override PIN, not another person’s', async () => {
    expect((await h.api('PUT', `/api/users/${mia}/pin`, { pin: '482913' }, undefined, member)).status).toBe(204);
    expect((await h.api('GET', `/api/users/${mia}`, undefined, undefined, member)).body.hasPin).toBe(true);
    expect((await h.api('DELETE', `/api/users/${mia}/pin`, undefined, undefined, member)).status).toBe(204);
    const theirs = await h.api('PUT', `/api/users/${other}/pin`, { pin: '482913' }, undefined, member);
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.message).toContain("another person's override PIN");
    expect((await h.api('GET', `/api/users/${other}`, undefined, undefined, member)).body.hasPin).toBeFalsy();
  });

  it('GET /api/me names her directory user and her groups', async () => {
    const me = await h.api('GET', '/api/me', undefined, undefined, member);
    expect(me.body).toMatchObject({ via: 'token', role: 'member', email: 'mia@example.com', user: { id: mia, name: 'Mia' } });
    expect(me.body.groups.map((g: { id: string }) => g.id)).toEqual([team]);
  });
});

describe('an editor', () => {
  it('publishes, and the revision history shows who did (publishedBy)', async () => {
    const res = await h.api('PUT', `/api/flows/${flowId}`, groupFlow(team, 'Team line v2'), { 'if-match': '1' }, editor);
    expect(res.status).toBe(200);
    const revisions = (await h.api('GET', `/api/flows/${flowId}/revisions`, undefined, undefined, member)).body.revisions;
    expect(revisions[0]).toMatchObject({ revision: 2, publishedBy: 'ed@example.com' });
    expect(revisions[1]).toMatchObject({ revision: 1, publishedBy: 'arn:aws:iam::123456789012:user/ops' });
    expect((await h.api('GET', `/api/flows/${flowId}`, undefined, undefined, editor)).body.publishedBy).toBe('ed@example.com');
  });

  it('assigns a number, recorded as assignedBy', async () => {
    const res = await h.api('PUT', '/api/numbers/+15550300100/flow', { flowId }, undefined, editor);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ flowId, assignedBy: 'ed@example.com' });
    expect((await h.api('GET', '/api/numbers/+15550300100', undefined, undefined, member)).body.assignedBy).toBe('ed@example.com');
  });

  it('reads anyone’s mailbox and unrouted, but cannot create users (403 naming admin)', async () => {
    expect((await h.api('GET', `/api/mailboxes/user/${other}/messages`, undefined, undefined, editor)).status).toBe(200);
    expect((await h.api('GET', '/api/mailboxes/unrouted/messages', undefined, undefined, editor)).status).toBe(200);
    const res = await h.api('POST', '/api/users', { name: 'X' }, undefined, editor);
    expect(res.status).toBe(403);
    expect(res.body.error.details).toEqual([{ role: 'editor', allowed: ['admin'] }]);
  });

  it('an editor without a directory user has no /api/me user to change (404 saying why)', async () => {
    const res = await h.api('PUT', '/api/me', { available: false }, undefined, editor);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('ed@example.com');
  });
});

describe('roles from the groups claim', () => {
  it('the highest of several groups counts, in API Gateway’s "[a b]" form', async () => {
    const both: As = { email: 'x@example.com', groups: ['member', 'editor', 'billing'] };
    expect((await h.api('GET', '/api/me', undefined, undefined, both)).body.role).toBe('editor');
    expect((await h.api('POST', '/api/flows/check', callAndSmsFlow(mia), undefined, both)).status).toBe(200);
  });

  it('a JSON array of groups is read too', async () => {
    const json: As = { claims: { email: 'y@example.com', 'cognito:groups': '["admin"]' } };
    expect((await h.api('GET', '/api/me', undefined, undefined, json)).body.role).toBe('admin');
  });

  it('an account in no role group is signed in but may do nothing else (403 saying it has no role)', async () => {
    const none: As = { email: 'z@example.com' };
    const me = await h.api('GET', '/api/me', undefined, undefined, none);
    expect(me.body).toMatchObject({ role: null, email: 'z@example.com' });
    const res = await h.api('GET', '/api/flows', undefined, undefined, none);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('has no role');
    expect(res.body.error.details).toEqual([{ role: null, allowed: ['member', 'editor', 'admin'] }]);
  });
});

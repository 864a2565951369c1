// `npm start -- --auth` (DESIGN.md section 16): a real OpenID provider on the local server, the demo people
// as accounts, and tokens checked as API Gateway's JWT authorizer checks them before the admin API runs.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { LocalStack } from '../../local/stack';
import { http, httpOk, startTestStack } from '../support/local-stack';
import { signInForToken } from '../support/sign-in';
import { DEMO_STUDIO_DEFINITION } from '../../local/studio-demo';
import { simulateSms } from '../../local/carrier';

let stack: LocalStack;
let member: string; // Ann
let editor: string; // Bob
let ids: Record<string, string>; // directory users by email
let flowId: string;

beforeAll(async () => {
  stack = await startTestStack({ auth: true });
  member = await signInForToken(stack, 'ann@example.com');
  editor = await signInForToken(stack, 'bob@example.com');
  const users = (await httpOk(stack, 'GET', '/cli/api/users')).users as Array<{ id: string; email?: string }>;
  ids = Object.fromEntries(users.filter((u) => u.email).map((u) => [u.email!, u.id]));
  flowId = (await httpOk(stack, 'GET', '/cli/api/flows')).flows[0].id;
});
afterAll(() => stack?.stop());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('the demo people are accounts, one of each role, with passwords made at start', () => {
  expect(stack.signIn!.passwords.map((p) => [p.email, p.role])).toEqual([
    ['ann@example.com', 'member'],
    ['bob@example.com', 'editor'],
    ['cy@example.com', 'admin'],
  ]);
  expect(stack.signIn!.passwords.every((p) => /^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/.test(p.password))).toBe(true);
});

test('the page learns where to sign in from /config.json', async () => {
  const config = await httpOk(stack, 'GET', '/config.json');
  expect(config).toEqual({ auth: { authority: `${stack.url}/oidc`, clientId: 'switchboard-dashboard', scope: 'openid email profile' } });
  const discovery = await httpOk(stack, 'GET', '/oidc/.well-known/openid-configuration');
  expect(discovery).toMatchObject({ issuer: `${stack.url}/oidc`, code_challenge_methods_supported: expect.arrayContaining(['S256']) });
});

test('no token: 401 in the admin API’s error format, before the handler runs', async () => {
  const res = await http(stack, 'GET', '/api/flows');
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('no token') } });
});

test('a wrong password signs nobody in', async () => {
  await expect(signInForToken(stack, 'ann@example.com', 'wrong-password')).rejects.toThrow(/did not come back with a code \(401\)/);
});

test('the handler gets the claims API Gateway hands over: role from cognito:groups, the user linked by email', async () => {
  const me = await httpOk(stack, 'GET', '/api/me', undefined, bearer(member));
  expect(me).toMatchObject({ via: 'token', role: 'member', email: 'ann@example.com', user: { id: ids['ann@example.com'], name: 'Ann Example' } });
  expect(me.groups.map((g: { name: string }) => g.name)).toEqual(['Sales']);
});

test('a member: 200 reading flows and her own mailbox; 403 publishing a flow and on another person’s mailbox', async () => {
  expect((await http(stack, 'GET', '/api/flows', undefined, bearer(member))).status).toBe(200);
  expect((await http(stack, 'GET', `/api/mailboxes/user/${ids['ann@example.com']}/messages`, undefined, bearer(member))).status).toBe(200);
  const flow = await httpOk(stack, 'GET', `/api/flows/${flowId}`, undefined, bearer(member));
  const { id: _id, revision: _r, currentRevision: _c, publishedAt: _p, numberCount: _n, problems: _pr, ...doc } = flow;
  const publish = await http(stack, 'PUT', `/api/flows/${flowId}`, doc, { ...bearer(member), 'if-match': String(flow.revision) });
  expect(publish.status).toBe(403);
  expect(publish.body.error).toMatchObject({ code: 'forbidden', details: [{ role: 'member', allowed: ['editor', 'admin'] }] });
  const other = await http(stack, 'GET', `/api/mailboxes/user/${ids['bob@example.com']}/messages`, undefined, bearer(member));
  expect(other.status).toBe(403);
  expect(other.body.error.message).toContain("another person's mailbox");
});

// One message's routes (issue 20), over --auth: a member marks read and answers a text in her group's
// mailbox (Sales), and is refused on one in another person's (Bob's); a missing one is a 404, as for anyone.
test('a member marks read and replies to a text in her group’s mailbox, 403 on one in Bob’s, 404 on none', async () => {
  const sales = (await httpOk(stack, 'GET', '/cli/api/groups')).groups.find((g: { name: string }) => g.name === 'Sales');
  const bobs = await httpOk(stack, 'POST', '/cli/api/flows', { name: 'Bob’s line', sms: { start: 'inbox', applets: { inbox: { type: 'inbox', mailbox: { user: ids['bob@example.com'] } } } } });
  await httpOk(stack, 'PUT', `/cli/api/numbers/${encodeURIComponent('+15550100003')}/flow`, { flowId: bobs.id });
  const text = async (to: string, from: string, mailbox: string) => {
    expect((await simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to, from, body: `for ${mailbox}` })).ok).toBe(true);
    const { messages } = await httpOk(stack, 'GET', `/cli/api/mailboxes/${mailbox}/messages`);
    return (messages as Array<{ id: string; from: string }>).find((m) => m.from === from)!.id;
  };
  const ours = await text('+15550100001', '+15550377001', `group/${sales.id}`);
  const bobsText = await text('+15550100003', '+15550377002', `user/${ids['bob@example.com']}`);

  expect(await httpOk(stack, 'PUT', `/api/messages/${ours}/read`, { read: true }, bearer(member))).toEqual({ id: ours, read: true });
  const reply = await http(stack, 'POST', `/api/messages/${ours}/reply`, { body: 'On it' }, bearer(member));
  expect(reply.status).toBe(202);
  expect(reply.body).toMatchObject({ status: 'queued', to: '+15550377001', from: '+15550100001' });

  for (const [method, path, body] of [['PUT', `/api/messages/${bobsText}/read`, { read: true }], ['POST', `/api/messages/${bobsText}/reply`, { body: 'not mine' }], ['DELETE', `/api/messages/${bobsText}`]] as Array<[string, string, unknown?]>) {
    const res = await http(stack, method, path, body, bearer(member));
    expect([method, res.status]).toEqual([method, 403]);
    expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining("another person's mailbox"), details: [{ role: 'member', allowed: ['editor', 'admin'] }] });
  }
  const still = (await httpOk(stack, 'GET', `/cli/api/mailboxes/user/${ids['bob@example.com']}/messages`)).messages.find((m: { id: string }) => m.id === bobsText);
  expect(still).toBeDefined();
  expect(still.read).toBeFalsy();
  expect((await http(stack, 'PUT', '/api/messages/SMnothing/read', { read: true }, bearer(member))).status).toBe(404);
  expect((await http(stack, 'GET', `/api/flows/${flowId}/draft`, undefined, bearer(member))).status).toBe(403);
  expect([200, 204]).toContain((await http(stack, 'GET', `/api/flows/${flowId}/draft`, undefined, bearer(editor))).status);
});

test('an editor publishes, and the history names them', async () => {
  const flow = await httpOk(stack, 'GET', `/api/flows/${flowId}`, undefined, bearer(editor));
  const { id: _id, revision: _r, currentRevision: _c, publishedAt: _p, numberCount: _n, problems: _pr, ...doc } = flow;
  const res = await http(stack, 'PUT', `/api/flows/${flowId}`, doc, { ...bearer(editor), 'if-match': String(flow.revision) });
  expect(res.status).toBe(200);
  const revisions = (await httpOk(stack, 'GET', `/api/flows/${flowId}/revisions`, undefined, bearer(member))).revisions;
  expect(revisions[0]).toMatchObject({ revision: flow.revision + 1, publishedBy: 'bob@example.com' });
});

describe('tokens the JWT authorizer refuses (401)', () => {
  const claims = { email: 'ann@example.com', 'cognito:groups': ['admin'] };

  test('signed by another key under the provider’s kid: the signature does not verify', async () => {
    const { header } = decode(member);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid }).setIssuer(stack.signIn!.issuer).setAudience(stack.signIn!.clientId).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    const res = await http(stack, 'GET', '/api/flows', undefined, bearer(forged));
    expect([res.status, res.body.error.message]).toEqual([401, expect.stringContaining('signature')]);
  });

  test('a real token with one claim changed (ann made admin)', async () => {
    const [h, p, sig] = member.split('.');
    const payload = { ...JSON.parse(Buffer.from(p, 'base64url').toString()), 'cognito:groups': ['admin'] };
    const tampered = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), sig].join('.');
    expect((await http(stack, 'GET', '/api/users', undefined, bearer(tampered))).status).toBe(401);
  });

  test('garbage and an empty bearer', async () => {
    expect((await http(stack, 'GET', '/api/flows', undefined, { authorization: 'Bearer not.a.jwt' })).status).toBe(401);
    expect((await http(stack, 'GET', '/api/flows', undefined, { authorization: 'Bearer ' })).status).toBe(401);
  });

  test('a key set of our own cannot sign for the provider either', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = (await exportJWK(publicKey)).n!.slice(0, 8);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(stack.signIn!.issuer).setAudience(stack.signIn!.clientId).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    expect((await http(stack, 'GET', '/api/flows', undefined, bearer(forged))).status).toBe(401);
  });
});

describe('/cli/api/*: the command-line tools’ routes', () => {
  test('a program on this machine is an admin there (AWS credentials’ stand-in)', async () => {
    expect((await http(stack, 'GET', '/cli/api/carrier/numbers')).status).not.toBe(401);
    expect((await http(stack, 'GET', '/cli/api/report/unassigned')).status).toBe(200);
  });

  test('a browser page is refused there (403): the page must sign in', async () => {
    const res = await http(stack, 'GET', '/cli/api/users', undefined, { 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden_site');
  });
});

function decode(token: string) {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }, payload: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}

describe('invitations (item 4): the directory user and the account, together', () => {
  let admin: string;
  beforeAll(async () => {
    admin = await signInForToken(stack, 'cy@example.com');
  });

  test('an admin invites a person: their directory user, and an account that signs in with the printed password as their role', async () => {
    const res = await http(stack, 'POST', '/api/invitations', { name: 'Dee New', email: 'Dee@Example.com', role: 'member', phone: '+15550200044' }, bearer(admin));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: 'member', account: true, user: { name: 'Dee New', email: 'dee@example.com', phone: '+15550200044', available: true } });
    const printed = stack.signIn!.passwords.find((p) => p.email === 'dee@example.com')!;
    expect(printed.role).toBe('member');
    const token = await signInForToken(stack, 'dee@example.com', printed.password);
    const me = await httpOk(stack, 'GET', '/api/me', undefined, bearer(token));
    expect(me).toMatchObject({ role: 'member', user: { id: res.body.user.id } });

    // Removed together: the user goes, and the account with them.
    expect((await http(stack, 'DELETE', `/api/users/${res.body.user.id}`, undefined, bearer(admin))).status).toBe(204);
    expect(stack.signIn!.accounts.find('dee@example.com')).toBeUndefined();
    await expect(signInForToken(stack, 'dee@example.com', printed.password)).rejects.toThrow(/401/);
  });

  test('an email a directory user already has is refused (409), creating nothing', async () => {
    const before = stack.signIn!.passwords.length;
    const res = await http(stack, 'POST', '/api/invitations', { name: 'Ann Again', email: 'ann@example.com', role: 'admin' }, bearer(admin));
    expect(res.status).toBe(409);
    expect(stack.signIn!.passwords.length).toBe(before);
    expect(stack.signIn!.accounts.find('ann@example.com')!.role).toBe('member');
  });

  test('bad input names the field (400); editors and members may not invite (403 naming admin)', async () => {
    const bad = await http(stack, 'POST', '/api/invitations', { name: 'X', email: 'not-an-email', role: 'boss' }, bearer(admin));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'role']);
    const refused = await http(stack, 'POST', '/api/invitations', { name: 'X', email: 'x@example.com', role: 'admin' }, bearer(editor));
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual([{ role: 'editor', allowed: ['admin'] }]);
  });
});

// The routes main added (schedules and overrides, the Studio import, queues, texts sent), each with its row
// of the access table: a member reads schedules and queues, but neither overrides a schedule nor imports.
test('a member: 403 on a schedule override and on a Studio import, 200 reading schedules and queues; an editor: 200 on both', async () => {
  const schedules = (await httpOk(stack, 'GET', '/api/schedules', undefined, bearer(member))).schedules as Array<{ id: string; name: string }>;
  const office = schedules.find((s) => s.name === 'US office')!;
  expect((await http(stack, 'GET', '/api/queues', undefined, bearer(member))).status).toBe(200);

  const memberOverride = await http(stack, 'PUT', `/api/schedules/${office.id}/override`, { state: 'closed' }, bearer(member));
  expect(memberOverride.status).toBe(403);
  expect(memberOverride.body.error).toMatchObject({ code: 'forbidden', details: [{ role: 'member', allowed: ['editor', 'admin'] }] });
  expect((await httpOk(stack, 'GET', `/api/schedules/${office.id}`, undefined, bearer(member))).override).toBeFalsy();

  const importBody = { format: 'studio', definition: DEMO_STUDIO_DEFINITION, name: 'Imported by an editor' };
  const memberImport = await http(stack, 'POST', '/api/flows/import', importBody, bearer(member));
  expect(memberImport.status).toBe(403);
  expect(memberImport.body.error.details).toEqual([{ role: 'member', allowed: ['editor', 'admin'] }]);

  const editorOverride = await http(stack, 'PUT', `/api/schedules/${office.id}/override`, { state: 'closed' }, bearer(editor));
  expect(editorOverride.status).toBe(200);
  expect(editorOverride.body.override).toMatchObject({ state: 'closed' });
  expect((await http(stack, 'DELETE', `/api/schedules/${office.id}/override`, undefined, bearer(editor))).status).toBe(200);
  const editorImport = await http(stack, 'POST', '/api/flows/import', importBody, bearer(editor));
  expect(editorImport.status).toBe(200);
  expect(editorImport.body).toMatchObject({ document: { name: 'Imported by an editor' }, report: expect.any(Array) });

  // The texts sent are an admin's to read.
  const texts = await http(stack, 'GET', '/api/carrier/messages', undefined, bearer(editor));
  expect(texts.status).toBe(403);
  expect(texts.body.error.details).toEqual([{ role: 'editor', allowed: ['admin'] }]);
});

test('one role per person: an admin makes Ann an editor in Users & groups; her account follows (a new token’s groups), and so does the API at once', async () => {
  const { id: _id, hasPin: _pin, ...ann } = await httpOk(stack, 'GET', `/cli/api/users/${ids['ann@example.com']}`);
  expect(ann.role).toBe('member');
  const check = () => http(stack, 'POST', '/api/flows/check', { name: 'x', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } }, bearer(member));
  expect((await check()).status).toBe(403);
  try {
    expect((await http(stack, 'PUT', `/cli/api/users/${ids['ann@example.com']}`, { ...ann, role: 'editor' })).status).toBe(200);
    expect(stack.signIn!.accounts.find('ann@example.com')!.role).toBe('editor');
    // Her token from before says member; the directory user's role counts.
    expect((await check()).status).toBe(200);
    const fresh = await signInForToken(stack, 'ann@example.com');
    const claims = JSON.parse(Buffer.from(fresh.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims['cognito:groups']).toEqual(['editor']);
  } finally {
    await httpOk(stack, 'PUT', `/cli/api/users/${ids['ann@example.com']}`, { ...ann, role: 'member' });
  }
  expect(stack.signIn!.accounts.find('ann@example.com')!.role).toBe('member');
  expect((await check()).status).toBe(403);
});

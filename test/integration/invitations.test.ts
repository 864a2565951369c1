// Invitations in AWS (DESIGN.md section 16): the admin API creates the directory user and the Cognito
// account together through the AWS SDK (AdminCreateUser, AdminAddUserToGroup), and removes both together
// (AdminDeleteUser). One role per person (docs/decisions.md): the directory user's role is the account's,
// mirrored to its Cognito group when it changes, and the one both the admin API and a CLOSE text go by. Cognito cannot be reached from here: the SDK's requests go to a server on loopback
// that answers as Cognito's JSON API does, and records what it was asked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoAccounts } from '../../lambdas/accounts/cognito-accounts';
import { adminHarness, type AdminHarness } from '../support/admin';
import { hashPin } from '../../lambdas/store/pins';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const POOL = 'us-east-1_TestPool';
interface Call {
  action: string;
  body: Record<string, unknown>;
}
let calls: Call[] = [];
const users = new Set<string>();
/** Each Cognito user's groups, as the stand-in keeps them. */
const groups = new Map<string, Set<string>>();
let server: Server;
let h: AdminHarness;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target']).replace('AWSCognitoIdentityProviderService.', '');
      const body = JSON.parse(text) as Record<string, string>;
      calls.push({ action, body });
      const fail = (type: string, message: string) => res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: type, message }));
      if (action === 'AdminCreateUser') {
        if (users.has(body.Username)) return fail('UsernameExistsException', 'An account with the given email already exists.');
        users.add(body.Username);
        return res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ User: { Username: body.Username, Enabled: true } }));
      }
      if (action === 'AdminAddUserToGroup' && body.GroupName === 'editor' && body.Username.startsWith('broken')) return fail('ResourceNotFoundException', 'Group not found.');
      if (action !== 'AdminCreateUser' && !users.has(body.Username)) return fail('UserNotFoundException', 'User does not exist.');
      const mine = groups.get(body.Username) ?? new Set<string>();
      groups.set(body.Username, mine);
      if (action === 'AdminAddUserToGroup') mine.add(body.GroupName);
      if (action === 'AdminRemoveUserFromGroup') mine.delete(body.GroupName);
      if (action === 'AdminListGroupsForUser') {
        return res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Groups: [...mine].map((GroupName) => ({ GroupName, UserPoolId: POOL })) }));
      }
      if (action === 'AdminDeleteUser') {
        users.delete(body.Username);
        groups.delete(body.Username);
      }
      return res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new CognitoIdentityProviderClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  h = await adminHarness(undefined, { open: false, accounts: new CognitoAccounts(POOL, client) });
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  calls = [];
});

const invite = (body: unknown) => h.api('POST', '/api/invitations', body, undefined, 'iam');
const directoryEmails = async () => ((await h.api('GET', '/api/users', undefined, undefined, 'iam')).body.users as Array<{ email?: string }>).map((u) => u.email);

test('an invitation creates the Cognito user (email verified, invited by email) in the role’s group, and the directory user', async () => {
  const res = await invite({ name: 'Eve Agent', email: 'Eve@Example.com', role: 'member', phone: '+15550300501' });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ role: 'member', account: true, user: { name: 'Eve Agent', email: 'eve@example.com', phone: '+15550300501' } });
  expect(calls).toEqual([
    {
      action: 'AdminCreateUser',
      body: {
        UserPoolId: POOL,
        Username: 'eve@example.com',
        UserAttributes: [
          { Name: 'email', Value: 'eve@example.com' },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: 'Eve Agent' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      },
    },
    { action: 'AdminAddUserToGroup', body: { UserPoolId: POOL, Username: 'eve@example.com', GroupName: 'member' } },
  ]);
  expect(await directoryEmails()).toContain('eve@example.com');
});

test('deleting the person deletes the account too', async () => {
  const { body } = await invite({ name: 'Fay Agent', email: 'fay@example.com', role: 'editor' });
  calls = [];
  expect((await h.api('DELETE', `/api/users/${body.user.id}`, undefined, undefined, 'iam')).status).toBe(204);
  expect(calls).toEqual([{ action: 'AdminDeleteUser', body: { UserPoolId: POOL, Username: 'fay@example.com' } }]);
  expect(await directoryEmails()).not.toContain('fay@example.com');
});

test('a person a flow still rings is not deleted (409), and keeps their account', async () => {
  const { body } = await invite({ name: 'Gil Agent', email: 'gil@example.com', role: 'member', phone: '+15550300502' });
  const flow = { name: 'Gil line', call: { start: 'ring', applets: { ring: { type: 'dial', user: body.user.id, noAnswer: 'bye' }, bye: { type: 'hangup' } } } };
  expect((await h.api('POST', '/api/flows', flow, undefined, 'iam')).status).toBe(201);
  calls = [];
  expect((await h.api('DELETE', `/api/users/${body.user.id}`, undefined, undefined, 'iam')).status).toBe(409);
  expect(calls).toEqual([]);
  expect(users.has('gil@example.com')).toBe(true);
});

test('an account Cognito already has is 409, and no directory user is left behind', async () => {
  users.add('hal@example.com');
  const res = await invite({ name: 'Hal', email: 'hal@example.com', role: 'member' });
  expect(res.status).toBe(409);
  expect(res.body.error.message).toContain('already exists');
  expect(await directoryEmails()).not.toContain('hal@example.com');
});

test('a role that cannot be given undoes the whole invitation: the Cognito user and the directory user go again', async () => {
  const res = await invite({ name: 'Broken', email: 'broken@example.com', role: 'editor' });
  expect(res.status).toBe(500);
  expect(calls.map((c) => c.action)).toEqual(['AdminCreateUser', 'AdminAddUserToGroup', 'AdminDeleteUser']);
  expect(users.has('broken@example.com')).toBe(false);
  expect(await directoryEmails()).not.toContain('broken@example.com');
});

describe('one role per person: the directory user\'s is the account\'s', () => {
  const PIN = '482913';
  const NUMBER = '+15550300900';
  let spilled: TestSpill;
  let office: string;
  beforeAll(async () => {
    spilled = tempSpill();
    office = (await h.deps.schedules.create({ name: 'Front office', timezone: 'UTC', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, rules: [] }, new Date())).id;
    await h.deps.numbers.register(NUMBER, 'Front line', undefined, new Date());
  });
  afterAll(() => spilled.dispose());
  /** A CLOSE text, signed as Twilio signs it, through the sms webhook: the answer's message. */
  const closeByText = async (from: string) => {
    const deps = { ...h.deps, spill: spilled.spill, authToken: async () => TEST_AUTH_TOKEN };
    const res = await smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: `SM${Date.now()}${Math.random().toString().slice(2, 8)}`.padEnd(34, '0').slice(0, 34), From: from, To: NUMBER, Body: `CLOSE Front office ${PIN}`, NumMedia: '0' } }));
    return String(res.body);
  };
  const userOf = async (id: string) => (await h.api('GET', `/api/users/${id}`, undefined, undefined, 'iam')).body;

  test('an invitation gives the directory user the role it gives the account', async () => {
    const { body } = await invite({ name: 'Ivo Agent', email: 'ivo@example.com', role: 'editor', phone: '+15550300503' });
    expect((await userOf(body.user.id)).role).toBe('editor');
    expect([...groups.get('ivo@example.com')!]).toEqual(['editor']);
  });

  test('a role changed in Users & groups moves the Cognito group and counts at once, whatever an older token says; a CLOSE text goes by the same role', async () => {
    const { body } = await invite({ name: 'Jo Agent', email: 'jo@example.com', role: 'member', phone: '+15550300504' });
    const id = body.user.id as string;
    await h.deps.directory.setPinHash(id, await hashPin(PIN));
    const token = { email: 'jo@example.com', groups: ['member'] }; // signed in before the change
    const check = () => h.api('POST', '/api/flows/check', { name: 'x', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } }, undefined, token);
    expect((await check()).status).toBe(403);
    // A member's CLOSE is not a command: it is routed as a text (the number has no flow: no answer of ours).
    expect(await closeByText('+15550300504')).not.toContain('Front office is now closed');
    expect((await h.deps.schedules.get(office)).override).toBeUndefined();

    calls = [];
    const { id: _id, hasPin: _pin, ...input } = await userOf(id);
    const changed = await h.api('PUT', `/api/users/${id}`, { ...input, role: 'editor' }, undefined, 'iam');
    expect(changed.status).toBe(200);
    expect(calls.map((c) => [c.action, c.body.GroupName])).toEqual([['AdminListGroupsForUser', undefined], ['AdminAddUserToGroup', 'editor'], ['AdminRemoveUserFromGroup', 'member']]);
    expect([...groups.get('jo@example.com')!]).toEqual(['editor']);
    // The token from before the change still says member; the directory user's role is the one.
    expect((await check()).status).toBe(200);
    expect((await h.api('GET', '/api/me', undefined, undefined, token)).body.role).toBe('editor');
    expect(await closeByText('+15550300504')).toContain('Front office is now closed');
    await h.deps.schedules.setOverride(office, undefined, new Date(), 'test');
  });

  test('a token whose groups say more than the directory user does not get more (a group changed by hand in Cognito)', async () => {
    const { body } = await invite({ name: 'Kai Agent', email: 'kai@example.com', role: 'member' });
    const claimsAdmin = { email: 'kai@example.com', groups: ['admin'] };
    const res = await h.api('POST', '/api/groups', { name: 'Kai’s own' }, undefined, claimsAdmin);
    expect(res.status).toBe(403);
    expect(res.body.error.details).toEqual([{ role: 'member', allowed: ['admin'] }]);
    expect((await userOf(body.user.id)).role).toBe('member');
  });

  test('an account no directory user has yet (the first admin, made by hand) is judged by its groups; adding its directory user gives the account that user\'s role', async () => {
    users.add('first@example.com');
    groups.set('first@example.com', new Set(['admin']));
    const first = { email: 'first@example.com', groups: ['admin'] };
    const added = await h.api('POST', '/api/users', { name: 'First Admin', email: 'first@example.com', role: 'admin' }, undefined, first);
    expect(added.status).toBe(201);
    expect([...groups.get('first@example.com')!]).toEqual(['admin']);
    expect((await h.api('GET', '/api/me', undefined, undefined, first)).body).toMatchObject({ role: 'admin', user: { id: added.body.id } });
  });

  test('when Cognito refuses the new group, the directory user keeps the old role', async () => {
    const { body } = await invite({ name: 'Broken Two', email: 'broken-two@example.com', role: 'member' });
    const { id: _id, hasPin: _pin, ...input } = await userOf(body.user.id);
    const res = await h.api('PUT', `/api/users/${body.user.id}`, { ...input, role: 'editor' }, undefined, 'iam');
    expect(res.status).toBe(500);
    expect((await userOf(body.user.id)).role).toBe('member');
    expect([...groups.get('broken-two@example.com')!]).toEqual(['member']);
  });
});

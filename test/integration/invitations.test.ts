// Invitations in AWS (DESIGN.md section 16): the admin API creates the directory user and the Cognito
// account together through the AWS SDK (AdminCreateUser, AdminAddUserToGroup), and removes both together
// (AdminDeleteUser). Cognito cannot be reached from here: the SDK's requests go to a server on loopback
// that answers as Cognito's JSON API does, and records what it was asked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoAccounts } from '../../lambdas/accounts/cognito-accounts';
import { adminHarness, type AdminHarness } from '../support/admin';

const POOL = 'us-east-1_TestPool';
interface Call {
  action: string;
  body: Record<string, unknown>;
}
let calls: Call[] = [];
const users = new Set<string>();
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
      if (action === 'AdminDeleteUser') {
        if (!users.delete(body.Username)) return fail('UserNotFoundException', 'User does not exist.');
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

// Hostile input through the admin API (issue 10): ids no key can hold, too-short phone numbers and
// invisible names get a 4xx in the error format, never a 500, and change nothing. Against DynamoDB Local.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from '../../lambdas/store/tables';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow } from '../support/fixtures';

let h: AdminHarness;
let userId: string;
let groupId: string;
let flowId: string;
const NUMBER = '+15550150001';

beforeAll(async () => {
  h = await adminHarness();
  userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
  groupId = (await h.api('POST', '/api/groups', { name: 'Team', members: [userId] })).body.id;
  flowId = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Main'))).body.id;
  expect((await h.api('PUT', `/api/numbers/${NUMBER}`, { name: 'Front', flowId })).status).toBe(201);
});

/** Every item of every table, in a stable order: what "changes nothing" compares. */
async function everything(): Promise<string> {
  const tables = await Promise.all(
    TABLE_KEYS.map(async (k) => {
      const items = (await h.tables.doc.send(new ScanCommand({ TableName: h.tables.names[k], ConsistentRead: true }))).Items ?? [];
      return [k, items.map((i) => JSON.stringify(i, (_key, v) => (v instanceof Set ? [...v].sort() : v))).sort()];
    }),
  );
  return JSON.stringify(tables);
}

const expectErrorFormat = (res: { status: number; body: unknown }, statuses: number[]) => {
  expect(statuses).toContain(res.status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
};

describe('ids that cannot be DynamoDB keys', () => {
  const hostile: Array<[string, string]> = [
    ['3,000 characters', 'x'.repeat(3000)],
    ['just over the sort key limit', 'y'.repeat(1025)],
    ['just over the partition key limit', 'z'.repeat(2049)],
    ['multi-byte, over 2,048 bytes', 'é'.repeat(1100)],
    ['a NUL character', '%00'],
    ['a control character inside', 'usr_%07abc'],
  ];
  const routes = (id: string): Array<[string, string, unknown?]> => [
    ['GET', `/api/flows/${id}`],
    ['PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'Hostile')],
    ['DELETE', `/api/flows/${id}`],
    ['DELETE', `/api/flows/${id}?unassign=true`],
    ['GET', `/api/flows/${id}/revisions`],
    ['GET', `/api/flows/${id}/revisions/1`],
    ['POST', `/api/flows/${id}/revisions/1/restore`],
    ['GET', `/api/flows/${id}/numbers`],
    ['PUT', `/api/flows/${id}/numbers/${NUMBER}`],
    ['POST', `/api/flows/${id}/simulate`, { channel: 'call', from: '+15550109999', inputs: [] }],
    ['GET', `/api/users/${id}`],
    ['PUT', `/api/users/${id}`, { name: 'Hostile', phone: '+15550200002' }],
    ['DELETE', `/api/users/${id}`],
    ['GET', `/api/groups/${id}`],
    ['PUT', `/api/groups/${id}`, { name: 'Hostile', members: [userId] }],
    ['DELETE', `/api/groups/${id}`],
    ['GET', `/api/mailboxes/user/${id}/messages`],
    ['GET', `/api/mailboxes/group/${id}/messages`],
    ['GET', `/api/calls/${id}`],
  ];

  it.each(hostile)('an id of %s: 400 or 404 on every route, in the error format, and nothing changes', async (_what, id) => {
    const before = await everything();
    for (const [method, path, body] of routes(id)) {
      const res = await h.api(method, path, body);
      if (![400, 404].includes(res.status)) throw new Error(`${method} ${path.slice(0, 60)}... answered ${res.status}: ${JSON.stringify(res.body)}`);
      expectErrorFormat(res, [400, 404]);
    }
    expect(await everything()).toBe(before);
  });

  it('long ids in a body are refused with a 400 naming the field, and nothing changes', async () => {
    const before = await everything();
    const long = 'x'.repeat(3000);
    const cases: Array<[string, string, unknown, string]> = [
      ['PUT', `/api/numbers/${NUMBER}`, { flowId: long }, 'flowId'],
      ['PUT', `/api/numbers/${NUMBER}/flow`, { flowId: long }, 'flowId'],
      ['POST', '/api/groups', { name: 'G', members: [long] }, 'members.0'],
      ['PUT', `/api/groups/${groupId}`, { name: 'G', members: [long] }, 'members.0'],
      ['POST', '/api/groups', { name: 'G', members: [userId, '\u0000'] }, 'members.1'],
      ['PUT', `/api/groups/${groupId}`, { name: 'G', members: ['\ud800'] }, 'members.0'],
      ['POST', '/api/flows', { name: 'F', call: { start: 'd', applets: { d: { type: 'dial', user: long, noAnswer: 'h' }, h: { type: 'hangup' } } } }, 'call.applets.d.user'],
      ['POST', '/api/flows', { name: 'F', call: { start: 'r', applets: { r: { type: 'redirect', flow: long } } } }, 'call.applets.r.flow'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.api(method, path, body);
      expectErrorFormat(res, [400]);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect(await everything()).toBe(before);
  });
});

describe('E.164 numbers have at least 8 digits', () => {
  it.each([['+12'], ['+1234567'], ['+0123456789'], ['+1234567890123456']])('refuses %p everywhere a number goes, and nothing changes', async (bad) => {
    const before = await everything();
    const enc = encodeURIComponent(bad);
    const cases: Array<[string, string, unknown, string]> = [
      ['PUT', `/api/numbers/${enc}`, { name: 'Short' }, 'number'],
      ['PUT', `/api/numbers/${enc}/flow`, { flowId }, 'number'],
      ['PUT', `/api/flows/${flowId}/numbers/${enc}`, undefined, 'number'],
      ['POST', '/api/users', { name: 'Short', phone: bad }, 'phone'],
      ['PUT', `/api/users/${userId}`, { name: 'Ann', phone: bad }, 'phone'],
      ['POST', '/api/flows', { name: 'F', call: { start: 'd', applets: { d: { type: 'dial', number: bad, noAnswer: 'h' }, h: { type: 'hangup' } } } }, 'call.applets.d.number'],
      ['POST', '/api/flows', { name: 'F', sms: { start: 'f', applets: { f: { type: 'forward', to: bad } } } }, 'sms.applets.f.to'],
      ['POST', '/api/flows', { name: 'F', call: { start: 'c', applets: { c: { type: 'caller', rules: [{ numbers: [bad], next: 'h' }], otherwise: 'h' }, h: { type: 'hangup' } } } }, 'call.applets.c.rules.0.numbers.0'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.api(method, path, body);
      expectErrorFormat(res, [400]);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect(await everything()).toBe(before);
  });

  it('accepts the shortest real numbers (8 digits) and the longest (15)', async () => {
    expect((await h.api('PUT', '/api/numbers/+12345678', { name: 'Eight' })).status).toBe(201);
    expect((await h.api('PUT', '/api/numbers/+123456789012345', { name: 'Fifteen' })).status).toBe(201);
    expect((await h.api('POST', '/api/users', { name: 'Eight', phone: '+12345678' })).status).toBe(201);
  });
});

describe('names made only of whitespace, zero-width or control characters', () => {
  const invisible: Array<[string, string]> = [
    ['spaces', '   '],
    ['zero-width spaces', '\u200B\u200B\u200B'],
    ['zero-width joiners and a byte-order mark', '\u200D\u200C\uFEFF\u2060'],
    ['control characters', '\u0000\u0001\u001F'],
    ['a Hangul filler', '\u3164'],
    ['tabs and newlines', '\t\n\r'],
    ['a bidi mark between spaces', ' \u200E '],
  ];

  it.each(invisible)('a name of %s is refused with a 400 naming the field, for users, groups, flows and numbers, and nothing changes', async (_what, name) => {
    const before = await everything();
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/api/users', { name, phone: '+15550200003' }],
      ['PUT', `/api/users/${userId}`, { name, phone: '+15550200001' }],
      ['POST', '/api/groups', { name, members: [] }],
      ['PUT', `/api/groups/${groupId}`, { name, members: [userId] }],
      ['POST', '/api/flows', { ...callAndSmsFlow(userId), name }],
      ['PUT', `/api/flows/${flowId}`, { ...callAndSmsFlow(userId), name }],
      ['POST', '/api/flows/check', { ...callAndSmsFlow(userId), name }],
      ['PUT', `/api/numbers/${NUMBER}`, { name }],
      ['PUT', '/api/numbers/+15550150002', { name }],
    ];
    for (const [method, path, body] of cases) {
      const res = await h.api(method, path, body);
      expectErrorFormat(res, [400]);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'name', message: expect.stringMatching(/visible character|characters XML cannot carry/) })]);
    }
    expect(await everything()).toBe(before);
  });

  it('refuses a character XML cannot carry inside an otherwise visible name', async () => {
    const res = await h.api('POST', '/api/users', { name: 'Ann\u0007Bell', phone: '+15550200004' });
    expectErrorFormat(res, [400]);
    expect(res.body.error.details).toEqual([{ path: 'name', message: expect.stringContaining('characters XML cannot carry') }]);
  });

  it('keeps names with a visible character, in any script, trimmed', async () => {
    for (const name of ['Zoë', '李雷', '😀 team', ' Ann\u200B ']) {
      const res = await h.api('POST', '/api/groups', { name, members: [] });
      expect(res.status).toBe(201);
      expect(res.body.name).toBe(name.trim());
    }
  });
});

describe('bodies over the document limit (issue 18)', () => {
  it('refuses a 300 KB body with 413 payload_too_large naming the 256 KB limit, on every write, and changes nothing', async () => {
    const before = await everything();
    const big = { name: 'Big', phone: '+15550200777', note: 'x'.repeat(300 * 1024) };
    for (const [method, path] of [
      ['POST', '/api/users'],
      ['PUT', `/api/users/${userId}`],
      ['POST', '/api/flows'],
      ['PUT', `/api/flows/${flowId}`],
      ['POST', '/api/flows/check'],
      ['PUT', `/api/numbers/${NUMBER}`],
    ]) {
      const res = await h.api(method, path, big, { 'if-match': '"1"' });
      expectErrorFormat(res, [413]);
      expect({ route: `${method} ${path}`, code: res.body.error.code, message: res.body.error.message }).toEqual({
        route: `${method} ${path}`,
        code: 'payload_too_large',
        message: expect.stringContaining('256 KB'),
      });
    }
    expect(await everything()).toBe(before);
  });
});

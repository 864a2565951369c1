// `POST /api/flows/import` against DynamoDB Local (DESIGN.md section 18): the document, the report and the
// checker's problems without creating anything; with `create`, revision 1 of a new flow; bad input is a 400
// naming the path, and changes nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_STUDIO_DEFINITION } from '../../local/studio-demo';
import { adminHarness, type AdminHarness } from '../support/admin';
import { dropTestTables } from '../support/dynamo';

let h: AdminHarness;
let sales: string;
let ann: string;

beforeAll(async () => {
  h = await adminHarness();
  ann = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001', client: 'ann' })).body.id;
  sales = (await h.api('POST', '/api/groups', { name: 'Sales', members: [ann] })).body.id;
});
afterAll(() => dropTestTables(h.tables));

const flowCount = async () => (await h.api('GET', '/api/flows')).body.flows.length as number;
const studio = (definition: unknown, more: Record<string, unknown> = {}) => ({ format: 'studio', definition, ...more });
const plastik = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'studio', 'plastik-ivr.json'), 'utf8'));

describe('without create', () => {
  test('answers the document, the report and the checker’s problems, and creates nothing', async () => {
    const before = await flowCount();
    const res = await h.api('POST', '/api/flows/import', studio(DEMO_STUDIO_DEFINITION, { mailbox: { group: sales } }));
    expect(res.status).toBe(200);
    expect(res.body.document).toMatchObject({
      name: 'Acme front desk',
      call: { start: 'greeting', applets: { main_menu: { type: 'menu', options: { '1': 'connect_sales', '2': 'voicemail_prompt' } }, voicemail_prompt: { type: 'voicemail', mailbox: { group: sales } } } },
      sms: { start: 'split_text', applets: { split_text: { type: 'keyword', rules: [{ keywords: ['hours', 'open'], next: 'reply_hours' }], otherwise: 'reply_thanks' } } },
    });
    expect(res.body.report).toHaveLength(DEMO_STUDIO_DEFINITION.states.length);
    expect(res.body.report.every((e: { status: string }) => e.status === 'mapped')).toBe(true);
    expect(res.body.problems).toEqual([]);
    expect(res.body.id).toBeUndefined();
    expect(await flowCount()).toBe(before);
  });

  test('the checker runs against the store: a dial to one of our own numbers is own_number', async () => {
    await h.api('PUT', '/api/numbers/+15550200002', { name: 'Our line' });
    const res = await h.api('POST', '/api/flows/import', studio(DEMO_STUDIO_DEFINITION, { mailbox: { group: sales } }));
    expect(res.body.problems).toEqual([expect.objectContaining({ severity: 'error', code: 'own_number', applet: 'connect_sales' })]);
    await h.api('DELETE', '/api/numbers/+15550200002');
  });

  test('a softphone client is dialled as the user who has that identity', async () => {
    const definition = {
      initial_state: 'Trigger',
      states: [
        { name: 'Trigger', type: 'trigger', transitions: [{ event: 'incomingCall', next: 'ring' }] },
        { name: 'ring', type: 'connect-call-to', transitions: [{ event: 'callCompleted' }], properties: { noun: 'client', to: 'ann' } },
      ],
    };
    const res = await h.api('POST', '/api/flows/import', studio(definition, { name: 'Softphone' }));
    expect(res.status).toBe(200);
    expect(res.body.document).toMatchObject({ name: 'Softphone', call: { applets: { ring: { type: 'dial', user: ann } } } });
  });

  test('a real IVR: Studio’s dead ends are the checker’s errors', async () => {
    const res = await h.api('POST', '/api/flows/import', studio(plastik, { mailbox: { group: sales } }));
    expect(res.status).toBe(200);
    expect(res.body.report).toHaveLength(plastik.states.length);
    expect(res.body.problems.filter((p: { severity: string }) => p.severity === 'error').map((p: { code: string }) => p.code)).toEqual(Array(4).fill('missing_branch'));
  });
});

describe('with create', () => {
  test('creates revision 1 of a new flow and answers its id; voicemails land in the chosen mailbox', async () => {
    const res = await h.api('POST', '/api/flows/import', studio(DEMO_STUDIO_DEFINITION, { name: 'Front desk', mailbox: { user: ann }, create: true }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^flw_/), revision: 1, problems: [] });
    expect(res.headers.etag).toBe('"1"');
    const flow = (await h.api('GET', `/api/flows/${res.body.id}`)).body;
    expect(flow).toMatchObject({ name: 'Front desk', revision: 1, call: { applets: { voicemail_prompt: { mailbox: { user: ann } } } } });
    expect(flow.call).toEqual(res.body.document.call);
    expect(flow.sms).toEqual(res.body.document.sms);
  });

  test('refused with 422 while the checker finds errors; nothing is created', async () => {
    const before = await flowCount();
    const res = await h.api('POST', '/api/flows/import', studio(plastik, { mailbox: { group: sales }, create: true }));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('flow_invalid');
    expect(await flowCount()).toBe(before);
  });
});

describe('bad input: a 400 naming the path, and nothing created', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['a definition that is not an object', studio('{"states": []}'), ['definition']],
    ['not a Studio definition', studio({ nodes: [] }), ['definition.states', 'definition.initial_state']],
    ['a states entry without a type', studio({ initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger' }, { name: 'a', type: 'say-play' }, { name: 'b', type: 'say-play' }, { name: 'c', transitions: [] }] }), ['definition.states.3.type']],
    ['an initial_state that names nothing', studio({ initial_state: 'Start', states: [{ name: 'Trigger', type: 'trigger' }] }), ['definition.initial_state']],
    ['another format', { format: 'flex', definition: DEMO_STUDIO_DEFINITION }, ['format']],
    ['an unknown field', studio(DEMO_STUDIO_DEFINITION, { colour: 'red' }), ['colour']],
  ];

  test.each(cases)('%s', async (_, body, paths) => {
    const before = await flowCount();
    const res = await h.api('POST', '/api/flows/import', { ...(body as object), create: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(paths);
    expect(await flowCount()).toBe(before);
  });

  test('a body that is not JSON', async () => {
    const res = await h.api('POST', '/api/flows/import', '{"format": "studio", definition');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: '', message: expect.stringContaining('not valid JSON') }]);
  });

  test('an unknown mailbox', async () => {
    const before = await flowCount();
    for (const [mailbox, path] of [[{ group: 'grp_nobody' }, 'mailbox.group'], [{ user: 'usr_nobody' }, 'mailbox.user']] as const) {
      const res = await h.api('POST', '/api/flows/import', studio(DEMO_STUDIO_DEFINITION, { mailbox, create: true }));
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path, message: expect.stringContaining('nobody') }]);
    }
    expect(await flowCount()).toBe(before);
  });
});

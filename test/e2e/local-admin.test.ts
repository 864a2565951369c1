// The local stack as a new user meets it: the demo over HTTP, and every admin route with good and bad input.
import type { LocalStack } from '../../local/stack';
import { DEMO_NUMBERS } from '../../local/seed';
import { http, startTestStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

it('serves the demo: the Main line flow on two numbers, the third number without a flow', async () => {
  const flows = await http(stack, 'GET', '/api/flows');
  expect(flows.status).toBe(200);
  expect(flows.body.flows).toEqual([
    expect.objectContaining({ name: 'Main line', numberCount: 2, call: { configured: true, applets: expect.arrayContaining(['hours', 'menu', 'dial', 'voicemail']) } }),
  ]);
  const noFlow = await http(stack, 'GET', '/api/numbers?status=no_flow');
  expect(noFlow.body.numbers.map((n: { number: string }) => n.number)).toEqual([DEMO_NUMBERS.spare]);
});

it('walks the admin API over HTTP with the status codes of the design', async () => {
  const user = await http(stack, 'POST', '/api/users', { name: 'Dee', phone: '+15550200009' });
  expect(user.status).toBe(201);
  const bad = await http(stack, 'POST', '/api/users', { phone: 'nope' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'phone']);

  const doc = {
    name: 'Dee line',
    call: { start: 'ring', applets: { ring: { type: 'dial', user: user.body.id, noAnswer: 'vm' }, vm: { type: 'voicemail', mailbox: { user: user.body.id } } } },
    sms: { start: 'in', applets: { in: { type: 'inbox', mailbox: { user: user.body.id } } } },
  };
  const created = await http(stack, 'POST', '/api/flows', doc);
  expect(created.status).toBe(201);
  expect(created.headers.get('etag')).toBe('"1"');
  const id = created.body.id;

  expect((await http(stack, 'POST', '/api/flows', { ...doc, call: { start: 'x', applets: {} } })).status).toBe(422);
  expect((await http(stack, 'PUT', `/api/flows/${id}`, doc, { 'if-match': '"7"' })).status).toBe(412);
  expect((await http(stack, 'PUT', `/api/flows/${id}`, doc, { 'if-match': '1' })).status).toBe(200);

  expect((await http(stack, 'PUT', `/api/numbers/%2B15550100003/flow`, { flowId: id })).body).toMatchObject({ status: 'ok', flowName: 'Dee line' });
  expect((await http(stack, 'GET', `/api/flows/${id}/numbers`)).body.numbers).toHaveLength(1);
  expect((await http(stack, 'DELETE', `/api/flows/${id}`)).status).toBe(409);
  expect((await http(stack, 'DELETE', `/api/users/${user.body.id}`)).status).toBe(409);
  expect((await http(stack, 'PUT', '/api/numbers/+15550100003/flow', { flowId: 'flw_nope' })).status).toBe(404);
  expect((await http(stack, 'DELETE', `/api/flows/${id}?unassign=true`)).status).toBe(204);
  expect((await http(stack, 'GET', '/api/numbers/+15550100003')).body.status).toBe('no_flow');
  expect((await http(stack, 'GET', '/api/nowhere')).status).toBe(404);
});

describe('writes from a browser are same-origin JSON only (DESIGN.md section 12)', () => {
  const userCount = async () => (await http(stack, 'GET', '/api/users')).body.users.length;

  it('refuses a write that is not JSON with 415, naming content-type, and changes nothing', async () => {
    const before = await userCount();
    // What any web page can send without a CORS preflight: a "simple" text/plain or form post.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await http(stack, 'POST', '/api/users', JSON.stringify({ name: 'Mallory', phone: '+15550200666' }), { 'content-type': contentType });
      expect(res.status).toBe(415);
      expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', details: [{ path: 'content-type' }] });
    }
    expect(await userCount()).toBe(before);
  });

  it('refuses a write whose Origin is another site with 403, and accepts its own origin', async () => {
    const before = await userCount();
    const foreign = await http(stack, 'POST', '/api/users', { name: 'Mallory' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ code: 'forbidden_origin', details: [{ path: 'Origin' }] });
    const opaque = await http(stack, 'DELETE', '/api/numbers/+15550100003/flow', undefined, { origin: 'null' });
    expect(opaque.status).toBe(403);
    expect(await userCount()).toBe(before);
    const own = await http(stack, 'POST', '/api/users', { name: 'Own page' }, { origin: stack.url });
    expect(own.status).toBe(201);
  });

  it('accepts a bodiless write with no content type (curl -X DELETE) and JSON with a charset', async () => {
    const user = await http(stack, 'POST', '/api/users', JSON.stringify({ name: 'Charset' }), { 'content-type': 'application/json; charset=utf-8' });
    expect(user.status).toBe(201);
    const del = await fetch(`${stack.url}/api/users/${user.body.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
  });
});

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow, callOnlyFlow } from '../support/fixtures';

let h: AdminHarness;
let userId: string;

beforeAll(async () => {
  h = await adminHarness();
  userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
});

describe('POST /api/flows', () => {
  it('creates revision 1 with a server-generated id and returns warnings', async () => {
    const res = await h.api('POST', '/api/flows', callOnlyFlow());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^flw_/), name: 'Calls only', revision: 1 });
    expect(res.body.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'no_sms_part' })]);
    expect(res.headers.etag).toBe('"1"');
  });

  it('answers 400 naming every bad field by path, and writes nothing', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const res = await h.api('POST', '/api/flows', {
      name: '',
      call: { start: 'm', applets: { m: { type: 'menu', prompt: { text: 'hi' }, options: {}, attempts: 11, colour: 'red' } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'call.applets.m.attempts', 'call.applets.m.colour']));
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });

  it('answers 400 naming the prompt\'s language when its voice does not speak it (issue 19 item 6), and writes nothing', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const flow = (language?: string) => ({
      name: 'Voices',
      call: { start: 'greet', applets: { greet: { type: 'say', prompt: { text: 'Hello', voice: 'Polly.Amy-Neural', ...(language && { language }) }, next: 'bye' }, bye: { type: 'hangup' } } },
    });
    const res = await h.api('POST', '/api/flows', flow('en-US'));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'call.applets.greet.prompt.language', message: expect.stringContaining('Polly.Amy-Neural speaks only en-GB') }]);
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
    expect((await h.api('POST', '/api/flows', flow('en-GB'))).status).toBe(201);
    expect((await h.api('POST', '/api/flows', flow())).status).toBe(201);
  });

  it('answers 400 for applet ids that are Object.prototype machinery, instead of dropping or misreading them', async () => {
    // A raw body: "__proto__" in a JS object literal would set the prototype, not a key.
    const proto = await h.api('POST', '/api/flows', '{"name":"P","call":{"start":"bye","applets":{"bye":{"type":"hangup"},"__proto__":{"type":"hangup"}}}}');
    expect(proto.status).toBe(400);
    expect(proto.body.error.details).toEqual([{ path: 'call.applets.__proto__', message: expect.stringContaining('__proto__') }]);
    const start = await h.api('POST', '/api/flows', { name: 'C', call: { start: 'constructor', applets: { bye: { type: 'hangup' } } } });
    expect(start.status).toBe(400);
    expect(start.body.error.details).toEqual([expect.objectContaining({ path: 'call.start' })]);
    // Not a reserved name, but not an applet either: the checker must see that it leads nowhere.
    const next = await h.api('POST', '/api/flows', {
      name: 'T', call: { start: 'hi', applets: { hi: { type: 'say', prompt: { text: 'Hi' }, next: 'toString' } } },
    });
    expect(next.status).toBe(422);
    expect(next.body.error.details.filter((p: { severity: string }) => p.severity === 'error'))
      .toEqual([expect.objectContaining({ code: 'unknown_applet', applet: 'hi', branch: 'next' })]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await h.api('POST', '/api/flows', '{not json');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });

  it('answers 422 with the problems when the flow has errors, and writes nothing', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const res = await h.api('POST', '/api/flows', {
      name: 'Broken',
      call: { start: 'ring', applets: { ring: { type: 'dial', user: 'usr_nobody', noAnswer: 'nowhere' } } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('flow_invalid');
    const codes = res.body.error.details.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['unknown_user', 'unknown_applet']));
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });
});

describe('revisions', () => {
  let id: string;
  beforeAll(async () => {
    id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Rev test'))).body.id;
  });

  it('publishes a new revision on PUT and keeps the old one unchanged', async () => {
    const put = await h.api('PUT', `/api/flows/${id}`, { ...callAndSmsFlow(userId, 'Rev test v2') });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: 'Rev test v2', revision: 2 });
    const r1 = await h.api('GET', `/api/flows/${id}/revisions/1`);
    expect(r1.body).toMatchObject({ name: 'Rev test', revision: 1 });
    const current = await h.api('GET', `/api/flows/${id}`);
    expect(current.body).toMatchObject({ name: 'Rev test v2', revision: 2, problems: [] });
    expect(current.headers.etag).toBe('"2"');
  });

  it('answers 412 when If-Match names a stale revision, in either spelling', async () => {
    for (const ifMatch of ['1', '"1"']) {
      const res = await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'stale'), { 'if-match': ifMatch });
      expect(res.status).toBe(412);
    }
    expect((await h.api('GET', `/api/flows/${id}`)).body.name).not.toBe('stale');
  });

  it('accepts a current If-Match', async () => {
    const current = (await h.api('GET', `/api/flows/${id}`)).body.revision;
    const res = await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'fresh'), { 'if-match': `"${current}"` });
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(current + 1);
  });

  it('lists the history newest first and restores an old revision as a new one', async () => {
    const history = await h.api('GET', `/api/flows/${id}/revisions`);
    expect(history.body.revisions.map((r: { revision: number }) => r.revision)).toEqual([3, 2, 1]);
    expect(history.body.revisions[2]).toMatchObject({ name: 'Rev test', publishedAt: expect.any(String) });
    const restored = await h.api('POST', `/api/flows/${id}/revisions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id, name: 'Rev test', revision: 4 });
    expect((await h.api('GET', `/api/flows/${id}/revisions/4`)).body.call).toEqual((await h.api('GET', `/api/flows/${id}/revisions/1`)).body.call);
  });

  it('lists every revision even when large documents fill DynamoDB pages (1 MB each) after a few', async () => {
    // ~200 KB per revision: one Query page holds about 5 of them.
    const big = (v: number) => {
      const applets: Record<string, unknown> = { bye: { type: 'hangup' } };
      for (let i = 0; i < 190; i++) {
        applets[`s${i}`] = { type: 'say', prompt: { text: `${v} ${'x'.repeat(990)}` }, next: i < 189 ? `s${i + 1}` : 'bye' };
      }
      return { name: `Big v${v}`, call: { start: 's0', applets } };
    };
    const bigId = (await h.api('POST', '/api/flows', big(1))).body.id;
    for (let v = 2; v <= 8; v++) expect((await h.api('PUT', `/api/flows/${bigId}`, big(v))).status).toBe(200);
    const history = await h.api('GET', `/api/flows/${bigId}/revisions`);
    expect(history.body.revisions.map((r: { revision: number }) => r.revision)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('answers 404 for an unknown revision or flow', async () => {
    expect((await h.api('GET', `/api/flows/${id}/revisions/99`)).status).toBe(404);
    expect((await h.api('GET', '/api/flows/flw_missing')).status).toBe(404);
    expect((await h.api('PUT', '/api/flows/flw_missing', callOnlyFlow())).status).toBe(404);
    expect((await h.api('GET', `/api/flows/${id}/revisions/zero`)).status).toBe(400);
  });
});

describe('GET /api/flows (dashboard)', () => {
  it('lists each flow with its number count and applet types in path order', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Dash'))).body.id;
    await h.api('PUT', '/api/numbers/+15550109001', { name: 'Dash 1', flowId: id });
    const flow = (await h.api('GET', '/api/flows')).body.flows.find((f: { id: string }) => f.id === id);
    expect(flow).toEqual({
      id, name: 'Dash', revision: 1, numberCount: 1,
      call: { configured: true, applets: ['dial', 'voicemail'] },
      sms: { configured: true, applets: ['inbox'] },
    });
  });
});

describe('POST /api/flows/check', () => {
  it('returns the problems without saving', async () => {
    const before = (await h.api('GET', '/api/flows')).body.flows.length;
    const res = await h.api('POST', '/api/flows/check', { name: 'x', call: { start: 'nope', applets: { a: { type: 'hangup' } } } });
    expect(res.status).toBe(200);
    expect(res.body.problems.map((p: { code: string }) => p.code)).toEqual(expect.arrayContaining(['unknown_start', 'no_sms_part']));
    expect((await h.api('GET', '/api/flows')).body.flows.length).toBe(before);
  });
});

describe('DELETE /api/flows/{id}', () => {
  it('is refused with 409 listing the numbers while numbers use the flow', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'In use'))).body.id;
    await h.api('PUT', '/api/numbers/+15550109101', { flowId: id });
    const res = await h.api('DELETE', `/api/flows/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([expect.objectContaining({ number: '+15550109101' })]);
    expect((await h.api('GET', `/api/flows/${id}`)).status).toBe(200);
  });

  it('with ?unassign=true leaves the numbers without a flow and hides every revision', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Going'))).body.id;
    await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'Going v2'));
    await h.api('PUT', '/api/numbers/+15550109201', { flowId: id });
    const res = await h.api('DELETE', `/api/flows/${id}?unassign=true`);
    expect(res.status).toBe(204);
    expect((await h.api('GET', `/api/flows/${id}`)).status).toBe(404);
    expect((await h.api('GET', `/api/flows/${id}/revisions`)).status).toBe(404);
    expect((await h.api('GET', '/api/numbers/+15550109201')).body).toMatchObject({ flowId: null, status: 'no_flow' });
    const noFlow = (await h.api('GET', '/api/numbers?status=no_flow')).body.numbers.map((n: { number: string }) => n.number);
    expect(noFlow).toContain('+15550109201');
  });
});

describe('DELETE /api/flows/{id}: calls in progress and redirects', () => {
  it('keeps the revisions readable for a day (calls in progress are pinned to them) but 404s every admin read', async () => {
    const id = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Pinned'))).body.id;
    await h.api('PUT', `/api/flows/${id}`, callAndSmsFlow(userId, 'Pinned v2'));
    const before = Math.floor(Date.now() / 1000);
    expect((await h.api('DELETE', `/api/flows/${id}`)).status).toBe(204);

    expect((await h.api('GET', `/api/flows/${id}`)).status).toBe(404);
    expect((await h.api('GET', `/api/flows/${id}/revisions`)).status).toBe(404);
    expect((await h.api('GET', `/api/flows/${id}/revisions/1`)).status).toBe(404);
    expect((await h.api('POST', `/api/flows/${id}/revisions/1/restore`)).status).toBe(404);
    // What the webhooks do with a pinned revision: read it directly.
    for (const rev of [1, 2]) {
      expect((await h.deps.flows.getRevision(id, rev)).name).toBe(rev === 1 ? 'Pinned' : 'Pinned v2');
      const item = (await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.flows, Key: { id, rev } }))).Item!;
      expect(item.expiresAt).toBeGreaterThanOrEqual(before + 86400);
      expect(item.expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 86400);
    }
    // No item was created for a revision that never existed.
    expect((await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.flows, Key: { id, rev: 3 } }))).Item).toBeUndefined();
  });

  it("refuses (409 listing the flows) to delete a flow another flow's current revision redirects to", async () => {
    const target = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Target'))).body.id;
    const redirecting = (name: string) => ({ name, call: { start: 'go', applets: { go: { type: 'redirect', flow: target } } } });
    const via = (await h.api('POST', '/api/flows', redirecting('Via'))).body.id;
    const refused = await h.api('DELETE', `/api/flows/${target}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([{ flow: via, name: 'Via' }]);
    expect((await h.api('GET', `/api/flows/${target}`)).status).toBe(200);
    // Once the redirect is gone from the current revision, the target can go.
    await h.api('PUT', `/api/flows/${via}`, callOnlyFlow('Via v2'));
    expect((await h.api('DELETE', `/api/flows/${target}`)).status).toBe(204);
  });

  it('lets a flow that redirects to itself be deleted', async () => {
    const id = (await h.api('POST', '/api/flows', callOnlyFlow('Loop'))).body.id;
    await h.api('PUT', `/api/flows/${id}`, {
      name: 'Loop',
      call: { start: 'm', applets: { m: { type: 'menu', prompt: { text: 'Press 1' }, options: { '1': 'again' }, fallback: 'again' }, again: { type: 'redirect', flow: id } } },
    });
    expect((await h.api('DELETE', `/api/flows/${id}`)).status).toBe(204);
  });
});

describe('routing', () => {
  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await h.api('GET', '/api/nothing')).status).toBe(404);
    expect((await h.api('PATCH', '/api/flows')).status).toBe(405);
  });
});

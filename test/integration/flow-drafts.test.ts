// A flow's unpublished draft (issue 20 item 1, DESIGN.md section 12): kept on the server per flow, whatever
// the editor holds (even what the schema refuses), read back by any browser, gone when discarded or when
// the flow is deleted; never a revision, never seen by the webhooks' reads.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callOnlyFlow } from '../support/fixtures';

let h: AdminHarness;
let clock = new Date('2026-03-02T10:42:00Z');

beforeAll(async () => {
  h = await adminHarness(() => clock);
});

const newFlow = async () => (await h.api('POST', '/api/flows', callOnlyFlow())).body.id as string;

it('a flow without a draft answers 204; a draft put is read back as it was sent, with the time it was saved', async () => {
  const id = await newFlow();
  expect((await h.api('GET', `/api/flows/${id}/draft`)).status).toBe(204);
  // Half an edit: a dial with a number that is not one yet, which publishing would refuse (400).
  const document = { name: 'Calls only (edited)', call: { start: 'ring', applets: { ring: { type: 'dial', number: '+1555' } } } };
  const put = await h.api('PUT', `/api/flows/${id}/draft`, { document, baseRevision: 1 });
  expect(put.status).toBe(200);
  expect(put.body).toEqual({ document, baseRevision: 1, savedAt: '2026-03-02T10:42:00.000Z' });
  const read = await h.api('GET', `/api/flows/${id}/draft`);
  expect(read.status).toBe(200);
  expect(read.body).toEqual({ document, baseRevision: 1, savedAt: '2026-03-02T10:42:00.000Z' });
  // Not a revision: the flow is as published.
  const flow = (await h.api('GET', `/api/flows/${id}`)).body;
  expect(flow).toMatchObject({ name: 'Calls only', revision: 1, currentRevision: 1 });
  expect((await h.api('GET', `/api/flows/${id}/revisions`)).body.revisions).toHaveLength(1);
});

it('a later put replaces the draft; DELETE discards it and the flow has none again', async () => {
  const id = await newFlow();
  await h.api('PUT', `/api/flows/${id}/draft`, { document: { name: 'one' }, baseRevision: 1 });
  clock = new Date('2026-03-02T11:00:00Z');
  await h.api('PUT', `/api/flows/${id}/draft`, { document: { name: 'two' }, baseRevision: 1 });
  expect((await h.api('GET', `/api/flows/${id}/draft`)).body).toMatchObject({ document: { name: 'two' }, savedAt: '2026-03-02T11:00:00.000Z' });
  expect((await h.api('DELETE', `/api/flows/${id}/draft`)).status).toBe(204);
  expect((await h.api('GET', `/api/flows/${id}/draft`)).status).toBe(204);
  // Discarding what is not there is not an error either.
  expect((await h.api('DELETE', `/api/flows/${id}/draft`)).status).toBe(204);
});

it('answers 400 naming the field for a body that is not a draft, and keeps the draft it had', async () => {
  const id = await newFlow();
  await h.api('PUT', `/api/flows/${id}/draft`, { document: { name: 'kept' }, baseRevision: 1 });
  const cases: Array<[unknown, string]> = [
    [{ document: [], baseRevision: 1 }, 'document'],
    [{ document: 'x', baseRevision: 1 }, 'document'],
    [{ document: {}, baseRevision: 0 }, 'baseRevision'],
    [{ document: {}, baseRevision: 2 }, 'baseRevision'],
    [{ document: {} }, 'baseRevision'],
    [{ document: {}, baseRevision: 1, extra: true }, 'extra'],
  ];
  for (const [body, path] of cases) {
    const res = await h.api('PUT', `/api/flows/${id}/draft`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  }
  expect((await h.api('GET', `/api/flows/${id}/draft`)).body.document).toEqual({ name: 'kept' });
});

it('answers 404 for the draft of a flow that does not exist, and writes nothing', async () => {
  for (const method of ['GET', 'DELETE'] as const) expect((await h.api(method, '/api/flows/flw_nope/draft')).status).toBe(404);
  expect((await h.api('PUT', '/api/flows/flw_nope/draft', { document: {}, baseRevision: 1 })).status).toBe(404);
  const item = await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.flows, Key: { id: 'flw_nope', rev: -1 } }));
  expect(item.Item).toBeUndefined();
});

it('deleting the flow deletes its draft', async () => {
  const id = await newFlow();
  await h.api('PUT', `/api/flows/${id}/draft`, { document: { name: 'lost with the flow' }, baseRevision: 1 });
  expect((await h.api('DELETE', `/api/flows/${id}`)).status).toBe(204);
  const item = await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.flows, Key: { id, rev: -1 } }));
  expect(item.Item).toBeUndefined();
});

it('a draft is not a revision: the revision history, the flow as of a time and the dashboard list ignore it', async () => {
  const id = await newFlow();
  await h.api('PUT', `/api/flows/${id}/draft`, { document: { name: 'draft name' }, baseRevision: 1 });
  expect((await h.api('GET', '/api/flows')).body.flows.find((f: { id: string }) => f.id === id).name).toBe('Calls only');
  expect((await h.deps.flows.revisionAt(id, new Date('2020-01-01T00:00:00Z')))?.revision).toBe(1);
  expect((await h.api('GET', `/api/flows/${id}/revisions/1`)).status).toBe(200);
});

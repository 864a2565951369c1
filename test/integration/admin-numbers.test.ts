import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow, callOnlyFlow } from '../support/fixtures';

let h: AdminHarness;
let userId: string;
let flowA: string;
let flowB: string;

const count = async (id: string) => (await h.api('GET', '/api/flows')).body.flows.find((f: { id: string }) => f.id === id).numberCount;

beforeAll(async () => {
  h = await adminHarness();
  userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
  flowA = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'A'))).body.id;
  flowB = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'B'))).body.id;
});

describe('PUT /api/numbers/{number}', () => {
  it('registers a new number (201) and renames an existing one (200)', async () => {
    const created = await h.api('PUT', '/api/numbers/+15550110001', { name: 'Front desk' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: '+15550110001', name: 'Front desk', flowId: null, flowName: null, status: 'no_flow' });
    const renamed = await h.api('PUT', '/api/numbers/%2B15550110001', { name: 'Reception' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Reception');
  });

  it('registers with a flow in one step and counts it', async () => {
    const res = await h.api('PUT', '/api/numbers/+15550110002', { name: 'Sales', flowId: flowA });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ flowId: flowA, flowName: 'A', status: 'ok' });
  });

  it('answers 404 for an unknown flow and registers nothing', async () => {
    const res = await h.api('PUT', '/api/numbers/+15550110003', { flowId: 'flw_missing' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await h.api('GET', '/api/numbers/+15550110003')).status).toBe(404);
  });

  it('answers 400 naming the field for a bad number or body', async () => {
    const bad = await h.api('PUT', '/api/numbers/5550110004', { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('number');
    const body = await h.api('PUT', '/api/numbers/+15550110004', { name: 7, colour: 'red' });
    expect(body.status).toBe(400);
    expect(body.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['colour', 'name']);
    expect((await h.api('GET', '/api/numbers/+15550110004')).status).toBe(404);
  });
});

describe('assignment (invariants 1-3)', () => {
  it('assigning a new flow replaces the old one and moves the count', async () => {
    await h.api('PUT', '/api/numbers/+15550120001', { name: 'Moves' });
    const a0 = await count(flowA);
    const b0 = await count(flowB);
    expect((await h.api('PUT', '/api/numbers/+15550120001/flow', { flowId: flowA })).body.flowId).toBe(flowA);
    expect(await count(flowA)).toBe(a0 + 1);
    const moved = await h.api('PUT', `/api/flows/${flowB}/numbers/+15550120001`);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ flowId: flowB, flowName: 'B' });
    expect(await count(flowA)).toBe(a0);
    expect(await count(flowB)).toBe(b0 + 1);
    const numbersOfB = (await h.api('GET', `/api/flows/${flowB}/numbers`)).body.numbers.map((n: { number: string }) => n.number);
    expect(numbersOfB).toContain('+15550120001');
    const unassigned = await h.api('DELETE', '/api/numbers/+15550120001/flow');
    expect(unassigned.body).toMatchObject({ flowId: null, status: 'no_flow' });
    expect(await count(flowB)).toBe(b0);
  });

  it('assigning the same flow twice counts once', async () => {
    await h.api('PUT', '/api/numbers/+15550120002', {});
    const a0 = await count(flowA);
    await h.api('PUT', '/api/numbers/+15550120002/flow', { flowId: flowA });
    await h.api('PUT', '/api/numbers/+15550120002/flow', { flowId: flowA });
    expect(await count(flowA)).toBe(a0 + 1);
  });

  it('refuses an unknown flow with 404 and changes nothing', async () => {
    await h.api('PUT', '/api/numbers/+15550120003', { flowId: flowA });
    const res = await h.api('PUT', '/api/numbers/+15550120003/flow', { flowId: 'flw_nope' });
    expect(res.status).toBe(404);
    expect((await h.api('GET', '/api/numbers/+15550120003')).body.flowId).toBe(flowA);
    expect((await h.api('PUT', '/api/numbers/+15550120003/flow', {})).status).toBe(400);
  });

  it('answers 404 when the number is not registered', async () => {
    expect((await h.api('PUT', '/api/numbers/+15550129999/flow', { flowId: flowA })).status).toBe(404);
    expect((await h.api('PUT', `/api/flows/${flowA}/numbers/+15550129999`)).status).toBe(404);
  });

  it('deleting a number releases its count', async () => {
    await h.api('PUT', '/api/numbers/+15550120004', { flowId: flowB });
    const b0 = await count(flowB);
    expect((await h.api('DELETE', '/api/numbers/+15550120004')).status).toBe(204);
    expect(await count(flowB)).toBe(b0 - 1);
    expect((await h.api('DELETE', '/api/numbers/+15550120004')).status).toBe(404);
  });
});

describe('GET /api/numbers?status=', () => {
  it('reports each of the four statuses and filters by them', async () => {
    const callOnly = (await h.api('POST', '/api/flows', callOnlyFlow('Calls only'))).body.id;
    const smsOnly = (await h.api('POST', '/api/flows', { name: 'Texts only', sms: { start: 'i', applets: { i: { type: 'inbox', mailbox: { user: userId } } } } })).body.id;
    await h.api('PUT', '/api/numbers/+15550130001', { flowId: flowA });
    await h.api('PUT', '/api/numbers/+15550130002', {});
    await h.api('PUT', '/api/numbers/+15550130003', { flowId: callOnly });
    await h.api('PUT', '/api/numbers/+15550130004', { flowId: smsOnly });
    const all = (await h.api('GET', '/api/numbers')).body.numbers;
    const status = (n: string) => all.find((x: { number: string }) => x.number === n).status;
    expect([status('+15550130001'), status('+15550130002'), status('+15550130003'), status('+15550130004')]).toEqual([
      'ok', 'no_flow', 'no_sms_flow', 'no_call_flow',
    ]);
    for (const s of ['ok', 'no_flow', 'no_call_flow', 'no_sms_flow']) {
      const filtered = (await h.api('GET', `/api/numbers?status=${s}`)).body.numbers;
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered.every((n: { status: string }) => n.status === s)).toBe(true);
    }
    const bad = await h.api('GET', '/api/numbers?status=broken');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('status');
  });
});

// Invariant 7: concurrent writers cannot break invariants 1-5. Hundreds of requests race through the
// admin API against DynamoDB Local; afterwards every number points at an existing flow or none, and
// every flow's numberCount equals the numbers that really point at it.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow } from '../support/fixtures';

let h: AdminHarness;
let userId: string;

beforeAll(async () => {
  h = await adminHarness();
  userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
});

async function scan(table: string) {
  const out = await h.tables.doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return out.Items ?? [];
}

async function expectInvariants() {
  const numbers = await scan(h.tables.names.numbers);
  const heads = (await scan(h.tables.names.flows)).filter((i) => i.rev === 0);
  const flowIds = new Set(heads.map((f) => f.id));
  // No number points at a missing flow; exactly one of flowId / noFlow is set.
  for (const n of numbers) {
    if (n.flowId) expect(flowIds).toContain(n.flowId);
    expect(Boolean(n.flowId) !== Boolean(n.noFlow)).toBe(true);
  }
  // Every count is exact.
  for (const f of heads) {
    expect({ flow: f.id, count: f.numberCount }).toEqual({ flow: f.id, count: numbers.filter((n) => n.flowId === f.id).length });
  }
  return { numbers, heads };
}

it('keeps one flow per number and exact counts after 200 concurrent assignment requests', async () => {
  const flows: string[] = [];
  for (let i = 0; i < 4; i++) flows.push((await h.api('POST', '/api/flows', callAndSmsFlow(userId, `F${i}`))).body.id);
  const numbers = Array.from({ length: 10 }, (_, i) => `+1555014${String(i).padStart(4, '0')}`);
  await Promise.all(numbers.map((n) => h.api('PUT', `/api/numbers/${n}`, {})));

  const requests = Array.from({ length: 200 }, (_, i) => {
    const number = numbers[i % numbers.length];
    const flow = flows[(i * 7) % flows.length];
    switch (i % 4) {
      case 0: return h.api('PUT', `/api/numbers/${number}/flow`, { flowId: flow });
      case 1: return h.api('PUT', `/api/flows/${flow}/numbers/${number}`);
      case 2: return h.api('DELETE', `/api/numbers/${number}/flow`);
      default: return h.api('PUT', `/api/numbers/${number}`, { flowId: flow });
    }
  });
  const answers = await Promise.all(requests);
  // Races end in success or 409 conflict, never a 5xx.
  expect(answers.filter((a) => ![200, 409].includes(a.status)).map((a) => a.body)).toEqual([]);
  await expectInvariants();
});

it('keeps invariants when flows are deleted with ?unassign=true while numbers are being assigned to them', async () => {
  const flows: string[] = [];
  for (let i = 0; i < 3; i++) flows.push((await h.api('POST', '/api/flows', callAndSmsFlow(userId, `D${i}`))).body.id);
  const numbers = Array.from({ length: 8 }, (_, i) => `+1555015${String(i).padStart(4, '0')}`);
  await Promise.all(numbers.map((n, i) => h.api('PUT', `/api/numbers/${n}`, { flowId: flows[i % 3] })));

  const requests = [
    ...Array.from({ length: 60 }, (_, i) => h.api('PUT', `/api/numbers/${numbers[i % 8]}/flow`, { flowId: flows[i % 3] })),
    ...flows.slice(0, 2).map((f) => h.api('DELETE', `/api/flows/${f}?unassign=true`)),
    ...Array.from({ length: 20 }, (_, i) => h.api('DELETE', `/api/numbers/${numbers[i % 8]}/flow`)),
  ];
  const answers = await Promise.all(requests);
  // Assigning to a flow that was just deleted is a 404; nothing is a 5xx.
  expect(answers.filter((a) => ![200, 204, 404, 409].includes(a.status)).map((a) => a.body)).toEqual([]);
  const { heads } = await expectInvariants();
  const deleted = answers.slice(60, 62).map((a, i) => (a.status === 204 ? flows[i] : undefined)).filter(Boolean);
  for (const id of deleted) expect(heads.map((f) => f.id)).not.toContain(id);
});

it('never leaves a published flow pointing at a deleted user when deletes race with publishes', async () => {
  const users = await Promise.all(
    Array.from({ length: 6 }, (_, i) => h.api('POST', '/api/users', { name: `Racer ${i}`, phone: `+1555016000${i}` })),
  );
  const ids = users.map((u) => u.body.id as string);
  const answers = await Promise.all(ids.flatMap((id) => [h.api('POST', '/api/flows', callAndSmsFlow(id, `uses ${id}`)), h.api('DELETE', `/api/users/${id}`)]));
  expect(answers.filter((a) => a.status >= 500)).toEqual([]);
  const { heads } = await expectInvariants();
  const directory = await scan(h.tables.names.directory);
  for (const head of heads.filter((f) => String(f.name).startsWith('uses '))) {
    for (const u of head.users ?? []) {
      const user = directory.find((d) => d.id === u);
      expect(user).toBeDefined();
      expect([...(user!.flowRefs ?? [])]).toContain(head.id);
    }
  }
});

it('never erases a flow reference when user and group edits race with publishes (invariant 5)', async () => {
  // Edits used to Put the whole item back with the flowRefs they had read: a publish landing in between
  // was erased, and the user or group could then be deleted while the flow still rang it.
  const users = await Promise.all(
    Array.from({ length: 4 }, (_, i) => h.api('POST', '/api/users', { name: `Edited ${i}`, phone: `+1555017000${i}` })),
  );
  const ids = users.map((u) => u.body.id as string);
  const group = (await h.api('POST', '/api/groups', { name: 'Edited team', members: ids.slice(0, 2) })).body.id as string;
  const flowUsing = (userId: string, name: string) => ({
    name,
    call: {
      start: 'ring',
      applets: {
        ring: { type: 'dial', user: userId, noAnswer: 'vm' },
        vm: { type: 'voicemail', mailbox: { group } },
      },
    },
  });

  const answers = [];
  for (let round = 0; round < 10; round++) {
    answers.push(
      ...(await Promise.all(
        ids.flatMap((id, i) => [
          h.api('POST', '/api/flows', flowUsing(id, `edits ${round}.${i}`)),
          ...[1, 2, 3].map((k) => h.api('PUT', `/api/users/${id}`, { name: `Edited ${i} v${round}.${k}`, phone: `+1555017000${i}` })),
          h.api('PUT', `/api/groups/${group}`, { name: `Edited team v${round}.${i}`, members: ids.slice(0, 2) }),
        ]),
      )),
    );
  }
  expect(answers.filter((a) => ![200, 201, 409].includes(a.status)).map((a) => a.body)).toEqual([]);

  const { heads } = await expectInvariants();
  const directory = await scan(h.tables.names.directory);
  const refsOf = (id: string) => [...(directory.find((d) => d.id === id)?.flowRefs ?? [])];
  const missing = heads
    .filter((f) => String(f.name).startsWith('edits '))
    .flatMap((f) => [...(f.users ?? []), ...(f.groups ?? [])].filter((ref: string) => !refsOf(ref).includes(f.id)).map((ref: string) => `${f.id} → ${ref}`));
  expect(missing).toEqual([]);
  // So none of them can be deleted while those flows use them.
  for (const id of [...ids, group]) expect((await h.api('DELETE', `/api/${id.startsWith('grp') ? 'groups' : 'users'}/${id}`)).status).toBe(409);
});

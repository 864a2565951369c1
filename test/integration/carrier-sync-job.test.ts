// The sync as a job (issue 19 item 5) against the project's Twilio-compatible server and DynamoDB Local:
// an account of 10,000 numbers behind a slow API, worked through in many short steps, an outage of the
// API in the middle that stops the job, and the job resumed from where it stopped: every number is then
// registered and connected, and none was changed twice.
import { inProcessContinuation } from '../../lambdas/carrier/sync-continuation';
import { runSyncStepFor } from '../../lambdas/admin/carrier-routes';
import type { CarrierSyncJob } from '../../lambdas/api-types';
import type { FakeTwilio, RecordedRequest } from '../../local/fake-twilio';
import { adminHarness, type AdminHarness } from '../support/admin';
import { fakeCarrier, PUBLIC_URL, syncToEnd } from '../support/carrier';
import { dropTestTables } from '../support/dynamo';

let h: AdminHarness;
let fake: FakeTwilio;
let steps = 0;

beforeEach(async () => {
  h = await adminHarness();
  const carrier = await fakeCarrier();
  fake = carrier.fake;
  h.deps.carrier = carrier.link;
  steps = 0;
  // The continuation the local stack uses (a timer, in-process), counted.
  h.deps.carrierSync = inProcessContinuation((jobId) => {
    steps++;
    return runSyncStepFor(h.deps, jobId);
  });
});
afterEach(async () => {
  await fake.stop();
  await dropTestTables(h.tables);
});

const isUpdate = (r: RecordedRequest) => r.method === 'POST' && /\/IncomingPhoneNumbers\/PN[0-9a-f]{32}\.json$/.test(r.path);
const addNumbers = (count: number) => {
  for (let i = 0; i < count; i++) fake.addNumber({ phoneNumber: `+1555${String(1_000_000 + i).padStart(7, '0')}`, friendlyName: `Line ${i}`, voiceUrl: 'https://old-pbx.example.net/voice' });
};

async function waitFor(id: string, until: (job: CarrierSyncJob) => boolean, timeoutMs = 600_000): Promise<CarrierSyncJob[]> {
  const seen: CarrierSyncJob[] = [];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = (await h.api('GET', `/api/carrier/sync/${id}`)).body as CarrierSyncJob;
    seen.push(job);
    if (until(job)) return seen;
    if (Date.now() > end) throw new Error(`job ${id} did not get there: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function registered(): Promise<number> {
  let count = 0;
  let after;
  do {
    const page = await h.deps.numbers.page({ limit: 1000, after });
    count += page.records.length;
    after = page.next;
  } while (after);
  return count;
}

test('10,000 numbers behind a slow API: many steps, an outage in the middle stops the job, POST resumes it where it stopped, and it finishes with every number registered and connected once', async () => {
  addNumbers(10_000);
  fake.latencyMs = 2;
  const began = Date.now();
  h.deps.syncTuning = { stepBudgetMs: 3_000, retryBaseSeconds: 0.05 };
  // From the 4,000th update on, Twilio answers 503 until the job has given up.
  let updates = 0;
  const endOutage = fake.failRequests((r) => isUpdate(r) && ++updates > 4_000, Number.MAX_SAFE_INTEGER, 503);

  const started = await h.api('POST', '/api/carrier/sync');
  expect(started).toMatchObject({ status: 202, headers: { location: `/api/carrier/sync/${started.body.id}` }, body: { status: 'running', started: 'new', total: null } });
  const id = started.body.id as string;
  const first = await waitFor(id, (j) => j.status !== 'running');
  const stopped = first.at(-1)!;
  expect(stopped).toMatchObject({ status: 'failed', total: 10_000, failed: 0, error: expect.stringContaining('503') });
  // Stopped where the outage began: a batch's worth either side at most.
  expect(stopped.done).toBeGreaterThanOrEqual(4_000 - 5);
  expect(stopped.done).toBeLessThanOrEqual(4_000);
  // Its progress was visible on the way, and only ever went up.
  const dones = first.map((j) => j.done);
  expect(new Set(dones).size).toBeGreaterThan(3);
  expect(dones).toEqual([...dones].sort((a, b) => a - b));

  endOutage();
  const resumed = await h.api('POST', '/api/carrier/sync');
  expect(resumed).toMatchObject({ status: 202, body: { id, started: 'resumed', status: 'running' } });
  expect(resumed.body.done).toBe(stopped.done);
  const [done] = (await waitFor(id, (j) => j.status !== 'running')).slice(-1);
  expect(done).toMatchObject({ status: 'done', total: 10_000, done: 10_000, failed: 0, imported: 10_000, connected: 10_000, unchanged: 0, notConnected: {} });
  expect(done).not.toHaveProperty('error');
  expect(steps).toBeGreaterThan(4);
  process.stdout.write(`10,000-number sync: ${steps} steps, ${Math.round((Date.now() - began) / 1000)} s, ${fake.requests.length} requests to the API\n`);

  // Every number changed once at the carrier (the 503s changed nothing), and every number is ours.
  const changed = new Map<string, number>();
  for (const r of fake.requests) if (isUpdate(r) && r.status === 200) changed.set(r.path, (changed.get(r.path) ?? 0) + 1);
  expect(changed.size).toBe(10_000);
  expect([...changed.values()].every((n) => n === 1)).toBe(true);
  expect(fake.listNumbers().every((n) => n.voice_url === `${PUBLIC_URL}/twilio/voice` && n.sms_url === `${PUBLIC_URL}/twilio/sms`)).toBe(true);
  expect(await registered()).toBe(10_000);
  expect((await h.api('GET', '/api/carrier/sync')).body.job).toMatchObject({ id, status: 'done' });
  // Minutes on a busy machine: what matters is that it ends, not how fast (npm run bench measures speed).
}, 30 * 60_000);

test('a second POST while a job runs starts nothing: it answers the running job', async () => {
  addNumbers(300);
  fake.latencyMs = 5;
  h.deps.syncTuning = { stepBudgetMs: 200 };
  const first = await h.api('POST', '/api/carrier/sync');
  const second = await h.api('POST', '/api/carrier/sync');
  expect(second).toMatchObject({ status: 202, body: { id: first.body.id, started: 'running' } });
  const [done] = (await waitFor(first.body.id, (j) => j.status !== 'running')).slice(-1);
  expect(done).toMatchObject({ status: 'done', done: 300, imported: 300, connected: 300 });
  // Done: the next POST is a new job, which finds nothing to do.
  const again = await syncToEnd(h.api);
  expect(again.id).not.toBe(first.body.id);
  expect(again).toMatchObject({ status: 'done', total: 300, imported: 0, connected: 0, unchanged: 300 });
});

test('two steps of one job at once (a redelivered message): one of them stops at its first save, nothing is done twice', async () => {
  addNumbers(60);
  fake.latencyMs = 5;
  // No continuation: the test runs the steps itself.
  h.deps.carrierSync = { schedule: async () => {} };
  const { id } = (await h.api('POST', '/api/carrier/sync')).body;
  await Promise.all([runSyncStepFor(h.deps, id), runSyncStepFor(h.deps, id), runSyncStepFor(h.deps, id)]);
  const job = (await h.api('GET', `/api/carrier/sync/${id}`)).body;
  expect(job).toMatchObject({ status: 'done', done: 60, imported: 60, connected: 60, unchanged: 0 });
  expect(fake.requests.filter((r) => isUpdate(r)).length).toBe(60);
});

test('a number Twilio refuses to change fails alone (the job goes on, counts it, says why); one that went away is no failure; a passing 503 is retried', async () => {
  addNumbers(12);
  const [refused, gone, flaky] = [fake.listNumbers()[4], fake.listNumbers()[7], fake.listNumbers()[9]];
  const stops = [
    fake.failRequests((r) => isUpdate(r) && r.path.includes(refused.sid), 1, 400, 21452),
  ];
  const job = await syncToEnd(h.api);
  expect(job).toMatchObject({ status: 'done', total: 12, done: 12, failed: 1, connected: 11, failures: [{ number: refused.phone_number, error: expect.stringContaining('21452') }] });
  stops.forEach((stop) => stop());

  // Released between the page read and its update (404): done, not failed; the others carry on.
  for (const n of fake.listNumbers()) fake.changeNumber(n.phone_number, { voice_url: 'https://old-pbx.example.net/voice' });
  fake.failRequests((r) => isUpdate(r) && r.path.includes(gone.sid), 1, 404);
  const second = await syncToEnd(h.api);
  expect(second).toMatchObject({ status: 'done', done: 12, failed: 0, connected: 11 });

  // A 503 is the account's trouble, not the number's: the step is tried again and the number connected.
  fake.changeNumber(flaky.phone_number, { voice_url: 'https://old-pbx.example.net/voice' });
  h.deps.syncTuning = { retryBaseSeconds: 0.05 };
  fake.failRequests((r) => isUpdate(r) && r.path.includes(flaky.sid), 1, 503);
  const third = await syncToEnd(h.api);
  expect(third).toMatchObject({ status: 'done', failed: 0, connected: 2 });
  expect(fake.requests.filter((r) => isUpdate(r) && r.path.includes(flaky.sid)).slice(-2).map((r) => r.status)).toEqual([503, 200]);
});

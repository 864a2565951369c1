// GET /api/numbers is paginated (issue 10): ?limit (default 100, at most 1000) and an opaque ?cursor,
// for every status filter, each number exactly once across the pages. Against DynamoDB Local.
import { listNumbers, NUMBERS_PAGE } from '../../lambdas/admin/numbers';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callAndSmsFlow, callOnlyFlow } from '../support/fixtures';

let h: AdminHarness;
const expected: Record<string, string[]> = { ok: [], no_flow: [], no_call_flow: [], no_sms_flow: [] };
const TOTAL = 105; // more than the default page

beforeAll(async () => {
  h = await adminHarness();
  const userId = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
  const both = (await h.api('POST', '/api/flows', callAndSmsFlow(userId, 'Both'))).body.id;
  const callOnly = (await h.api('POST', '/api/flows', callOnlyFlow('Calls only'))).body.id;
  const smsOnly = (await h.api('POST', '/api/flows', { name: 'Texts only', sms: { start: 'i', applets: { i: { type: 'inbox', mailbox: { user: userId } } } } })).body.id;
  const plan = (i: number): [string, string | undefined] =>
    i % 7 === 0 ? ['no_call_flow', smsOnly] : i % 5 === 0 ? ['no_sms_flow', callOnly] : i % 3 === 0 ? ['no_flow', undefined] : ['ok', both];
  for (let i = 0; i < TOTAL; i += 15) {
    await Promise.all(
      Array.from({ length: Math.min(15, TOTAL - i) }, async (_, j) => {
        const n = i + j;
        const number = `+1555014${String(n).padStart(4, '0')}`;
        const [status, flowId] = plan(n);
        expected[status].push(number);
        const res = await h.api('PUT', `/api/numbers/${number}`, flowId ? { flowId } : {});
        expect(res.status).toBe(201);
      }),
    );
  }
});

/** Follows nextCursor to the end; returns every page. */
async function allPages(query: string): Promise<Array<{ number: string; status: string }[]>> {
  const pages: Array<{ number: string; status: string }[]> = [];
  let cursor: string | undefined;
  do {
    const res = await h.api('GET', `/api/numbers?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    pages.push(res.body.numbers);
    cursor = res.body.nextCursor;
  } while (cursor && pages.length < 200);
  return pages;
}

it('answers at most 100 numbers by default, with a cursor to the rest', async () => {
  const first = await h.api('GET', '/api/numbers');
  expect(first.status).toBe(200);
  expect(first.body.numbers).toHaveLength(NUMBERS_PAGE.default);
  expect(typeof first.body.nextCursor).toBe('string');
  const second = await h.api('GET', `/api/numbers?cursor=${first.body.nextCursor}`);
  expect(second.body.numbers.length).toBe(TOTAL - NUMBERS_PAGE.default);
  const numbers = [...first.body.numbers, ...second.body.numbers].map((n: { number: string }) => n.number);
  expect(new Set(numbers).size).toBe(TOTAL);
  expect(first.body.numbers[0]).toEqual({ number: expect.any(String), name: expect.any(String), flowId: expect.anything(), flowName: expect.anything(), status: expect.any(String), since: expect.any(String) });
});

it('without a cursor to follow when everything fits', async () => {
  const res = await h.api('GET', '/api/numbers?limit=1000');
  expect(res.body.numbers).toHaveLength(TOTAL);
  expect(res.body.nextCursor).toBeUndefined();
  const sorted = res.body.numbers.map((n: { number: string }) => n.number);
  expect(sorted).toEqual([...sorted].sort());
});

it.each([[undefined], ['ok'], ['no_flow'], ['no_call_flow'], ['no_sms_flow']])(
  'walks every number with status %p exactly once in pages of at most ?limit',
  async (status) => {
    const pages = await allPages(`limit=4${status ? `&status=${status}` : ''}`);
    for (const page of pages) expect(page.length).toBeLessThanOrEqual(4);
    for (const page of pages.slice(0, -1)) expect(page.length).toBe(4); // only the last page may be short
    const seen = pages.flat();
    if (status) expect(seen.every((n) => n.status === status)).toBe(true);
    const want = status ? expected[status] : Object.values(expected).flat();
    expect(seen.map((n) => n.number).sort()).toEqual([...want].sort());
  },
);

it.each([['0'], ['1001'], ['-1'], ['ten'], ['2.5'], ['']])('refuses ?limit=%p with a 400 naming limit', async (limit) => {
  const res = await h.api('GET', `/api/numbers?limit=${limit}`);
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual(expect.objectContaining({ code: 'validation', details: [expect.objectContaining({ path: 'limit' })] }));
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

it.each([
  ['not base64url', '!!!'],
  ['not JSON', b64('{nope')],
  ['an array', b64([1])],
  ['a key that is not a number', b64({ number: 'x'.repeat(3000) })],
  ['an extra field', b64({ number: '+15550140001', flowId: 'flw_1' })],
  ['a number that is not E.164', b64({ number: '+12' })],
  ['far too long', 'A'.repeat(5000)],
])('refuses a cursor that is %s with a 400 naming cursor', async (_what, cursor) => {
  const res = await h.api('GET', `/api/numbers?cursor=${cursor}`);
  expect(res.status).toBe(400);
  expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'cursor' })]);
});

it('refuses a cursor of the no_flow list for another status, and the reverse', async () => {
  const noFlow = (await h.api('GET', '/api/numbers?status=no_flow&limit=2')).body.nextCursor;
  const all = (await h.api('GET', '/api/numbers?limit=2')).body.nextCursor;
  expect((await h.api('GET', `/api/numbers?cursor=${noFlow}`)).status).toBe(400);
  expect((await h.api('GET', `/api/numbers?status=no_flow&cursor=${all}`)).status).toBe(400);
  expect((await h.api('GET', `/api/numbers?status=no_flow&cursor=${noFlow}`)).status).toBe(200);
});

it('a page stops after looking at `examined` numbers: a rare status comes back short, with a cursor that goes on', async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let requests = 0;
  do {
    const page = await listNumbers(h.deps, { status: 'no_call_flow', limit: '50', ...(cursor ? { cursor } : {}) }, 10);
    expect(page.numbers.length).toBeLessThanOrEqual(10);
    seen.push(...page.numbers.map((n) => n.number));
    cursor = page.nextCursor;
    requests++;
  } while (cursor && requests < 100);
  expect(requests).toBeGreaterThanOrEqual(Math.ceil(TOTAL / 10)); // at most 10 numbers looked at per request
  expect(seen.sort()).toEqual([...expected.no_call_flow].sort());
});

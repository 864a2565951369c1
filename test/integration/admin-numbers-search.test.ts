// Find anything (issue 20 item 4): GET /api/numbers?q=&status=&sort= searches names and digits in any
// format, filters by status and sorts by number either way, paged over the listed index (never a Scan), each
// match exactly once across the pages however few a page finds. Against DynamoDB Local.
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { listNumbers, searchTerm } from '../../lambdas/admin/numbers';
import { searchText } from '../../lambdas/store/number-store';
import { adminHarness, type AdminHarness } from '../support/admin';
import { callOnlyFlow } from '../support/fixtures';

let h: AdminHarness;
const TOTAL = 300;
const numberOf = (i: number) => `+1555015${String(i).padStart(4, '0')}`;

beforeAll(async () => {
  h = await adminHarness();
  const flow = (await h.api('POST', '/api/flows', callOnlyFlow('Calls only'))).body.id;
  // Written as the store writes a registered number (listed, search), 25 to a batch: the subject here is
  // the list, and 300 registrations one by one take a minute on a busy machine.
  const at = '2026-03-02T10:00:00.000Z';
  for (let i = 0; i < TOTAL; i += 25) {
    const items = Array.from({ length: 25 }, (_, j) => i + j).map((n) => {
      const name = n === 137 ? 'Front Desk' : n % 50 === 0 ? `Sales ${n}` : `Line ${n}`;
      return { number: numberOf(n), name, since: at, createdAt: at, updatedAt: at, listed: '1', search: searchText(numberOf(n), name), ...(n % 4 === 0 ? { flowId: flow } : { noFlow: '1' }) };
    });
    await h.tables.doc.send(new BatchWriteCommand({ RequestItems: { [h.tables.names.numbers]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  }
}, 120_000);

async function everything(query: string, examined?: number) {
  const found: Array<{ number: string; name: string; status: string }> = [];
  let cursor: string | undefined;
  let requests = 0;
  do {
    const page = examined
      ? await listNumbers(h.deps, { ...Object.fromEntries(new URLSearchParams(query)), ...(cursor ? { cursor } : {}) }, examined)
      : (await h.api('GET', `/api/numbers?${query}${cursor ? `&cursor=${cursor}` : ''}`)).body;
    found.push(...page.numbers);
    cursor = page.nextCursor;
    requests++;
  } while (cursor && requests < 500);
  return { found, requests };
}

it.each([
  ['+1 (555) 015-0137', 'digits with punctuation'],
  ['5550150137', 'the digits alone'],
  ['0137', 'the last digits'],
  ['front', 'part of the name, any case'],
  ['FRONT DESK', 'the whole name'],
])('finds the number among 300 by %s (%s)', async (q) => {
  const { found } = await everything(`q=${encodeURIComponent(q)}&limit=50`);
  expect(found.map((n) => n.number)).toEqual([numberOf(137)]);
});

it('a search matching many pages them in number order, each once; descending reverses the order', async () => {
  const up = (await everything('q=sales&limit=2')).found.map((n) => n.number);
  expect(up).toEqual([0, 50, 100, 150, 200, 250].map(numberOf));
  const down = (await everything('q=sales&limit=4&sort=-number')).found.map((n) => n.number);
  expect(down).toEqual([...up].reverse());
});

it('a rare match in a large list: each request looks at a bounded number of numbers and goes on with a cursor', async () => {
  const { found, requests } = await everything('q=front%20desk&limit=10', 40);
  expect(found.map((n) => n.number)).toEqual([numberOf(137)]);
  // 300 numbers, 40 looked at per request (the last one finds the list's end).
  expect(requests).toBe(Math.ceil(TOTAL / 40));
});

it('status and search together; every number sorted across pages, not only within one', async () => {
  const noFlow = (await everything('status=no_flow&q=sales&limit=3')).found;
  expect(noFlow.map((n) => n.number)).toEqual([50, 150, 250].map(numberOf));
  const all = (await everything('limit=70')).found.map((n) => n.number);
  expect(all).toEqual(Array.from({ length: TOTAL }, (_, i) => numberOf(i)));
});

it('answers 400 naming each bad parameter, and a cursor of one order is not taken for the other index', async () => {
  const res = await h.api('GET', `/api/numbers?sort=name&q=${'x'.repeat(101)}&status=fine`);
  expect(res.status).toBe(400);
  expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['q', 'sort', 'status']);
  const page = (await h.api('GET', '/api/numbers?limit=5')).body;
  expect((await h.api('GET', `/api/numbers?status=no_flow&cursor=${page.nextCursor}`)).status).toBe(400);
});

it('what a search matches: digits in any format become the digits; anything else the name in lower case', () => {
  expect(searchTerm(' +1 (555) 015-0137 ')).toBe('15550150137');
  expect(searchTerm('555.015/0137')).toBe('5550150137');
  expect(searchTerm('Front 1')).toBe('front 1');
  expect(searchTerm('   ')).toBeUndefined();
});

it('a number stored before the listed index is listed and searchable once backfilled, and renaming keeps the search current', async () => {
  await h.tables.doc.send(new PutCommand({ TableName: h.tables.names.numbers, Item: { number: '+15550169999', name: 'Old timer', noFlow: '1', since: '2026-01-01T00:00:00.000Z', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' } }));
  expect((await everything('q=old%20timer&limit=100')).found).toEqual([]);
  expect(await h.deps.numbers.backfillListing()).toBe(1);
  expect((await everything('q=old%20timer&limit=100')).found.map((n) => n.number)).toEqual(['+15550169999']);
  expect(await h.deps.numbers.backfillListing()).toBe(0);
  await h.api('PUT', '/api/numbers/%2B15550169999', { name: 'New name' });
  expect((await everything('q=old%20timer&limit=100')).found).toEqual([]);
  expect((await everything('q=new%20name&limit=100')).found.map((n) => n.number)).toEqual(['+15550169999']);
  const item = (await h.tables.doc.send(new GetCommand({ TableName: h.tables.names.numbers, Key: { number: '+15550169999' } }))).Item;
  expect(item).toMatchObject({ listed: '1', search: 'new name 15550169999' });
});

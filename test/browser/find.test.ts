/// <reference lib="dom" />
// Find anything (issue 20 item 4, "Checked by": searching digits finds the number among 300): the Numbers
// table searches, filters and sorts through the admin API; the Flows table through the list it has; the
// summary cards count from the same answers as the banner, so they agree.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { searchText } from '../../lambdas/store/number-store';
import { useDashboard } from '../support/dashboard';
import { httpOk } from '../support/local-stack';

const numberOf = (i: number) => `+1555099${String(i).padStart(4, '0')}`;

const dashboard = useDashboard();

beforeAll(async () => {
  // 300 numbers served by Main line, written as the store writes them (the number items, and Main line's
  // numberCount), 25 to a batch: 300 registrations one at a time take a minute on a busy machine, and the
  // subject here is finding them.
  const main = (await httpOk(dashboard.stack, 'GET', '/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line');
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dashboard.stack.dynamoEndpoint }));
  const at = new Date().toISOString();
  for (let i = 0; i < 300; i += 25) {
    const items = Array.from({ length: 25 }, (_, j) => i + j).map((n) => ({ number: numberOf(n), name: `Branch ${n}`, since: at, createdAt: at, updatedAt: at, listed: '1', search: searchText(numberOf(n), `Branch ${n}`), flowId: main.id }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [dashboard.stack.tables.numbers]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  }
  await doc.send(new UpdateCommand({ TableName: dashboard.stack.tables.flows, Key: { id: main.id, rev: 0 }, UpdateExpression: 'ADD numberCount :n', ExpressionAttributeValues: { ':n': 300 } }));
  doc.destroy();
}, 120_000);

const page = () => dashboard.page;
const open = async () => {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/#/`);
};
const rows = () => page().locator('#numbers-table tbody tr[data-number]');
const numbersShown = () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-number')));

it('searching digits, in any format, finds the number among 300', async () => {
  await open();
  await rows().first().waitFor();
  expect(await rows().count()).toBe(200);
  const search = page().getByRole('search', { name: 'Find numbers' }).getByLabel('Search numbers');
  await search.fill('(555) 099-0137');
  await page().waitForFunction(() => document.querySelectorAll('#numbers-table tbody tr[data-number]').length === 1);
  expect(await numbersShown()).toEqual([numberOf(137)]);
  await search.fill('0250');
  await page().locator(`#numbers-table tr[data-number="${numberOf(250)}"]`).waitFor();
  expect(await numbersShown()).toEqual([numberOf(250)]);
  await search.fill('branch 29');
  await page().waitForFunction(() => document.querySelectorAll('#numbers-table tbody tr[data-number]').length === 11);
  expect(await numbersShown()).toEqual([29, ...Array.from({ length: 10 }, (_, i) => 290 + i)].map(numberOf));
  await search.fill('nothing like this');
  await page().locator('#numbers-table').getByText('No number matches.').waitFor();
});

it('filters by status and sorts by number either way, across every page', async () => {
  await open();
  const find = page().getByRole('search', { name: 'Find numbers' });
  await find.getByLabel('Status').selectOption('no_flow');
  await page().waitForFunction(() => document.querySelectorAll('#numbers-table tbody tr[data-number]').length === 1);
  expect(await numbersShown()).toEqual(['+15550100003']);
  await find.getByLabel('Search numbers').fill('branch 7');
  await page().locator('#numbers-table').getByText('No number matches.').waitFor();
  await find.getByLabel('Status').selectOption('ok');
  await page().waitForFunction(() => document.querySelectorAll('#numbers-table tbody tr[data-number]').length === 11);
  expect(await numbersShown()).toEqual([7, ...Array.from({ length: 10 }, (_, i) => 70 + i)].map(numberOf));
  await find.getByLabel('Search numbers').fill('');
  await find.getByLabel('Status').selectOption('');
  await find.getByLabel('Sort').selectOption('-number');
  await page().waitForFunction((last) => document.querySelector('#numbers-table tbody tr[data-number]')?.getAttribute('data-number') === last, numberOf(299));
  expect((await numbersShown()).slice(0, 3)).toEqual([299, 298, 297].map(numberOf));
});

it('the summary cards agree with the banner: every number counted once, a number that loses calls never "fine"', async () => {
  await open();
  const banner = page().getByRole('alert', { name: 'Unassigned-number report' });
  await banner.waitFor();
  const report = await httpOk(dashboard.stack, 'GET', '/api/report/unassigned');
  const stats = page().getByRole('definition');
  await page().locator('.stats').waitFor();
  const card = async (title: string) => Number(await page().locator('.stats div').filter({ has: page().getByText(title, { exact: true }) }).locator('dd').textContent());
  expect(await card('Losing calls or texts')).toBe(report.numbers.length);
  expect(await banner.locator('strong').textContent()).toMatch(new RegExp(`^${report.numbers.length} numbers? ha(s|ve) no flow`));
  expect(await card('Numbers')).toBe(303);
  expect(await card('Routing fine')).toBe(303 - report.numbers.length);
  // Not connected (none here: no carrier) and no flow are counted apart; together they are what is losing.
  expect(await card('Not connected')).toBe(0);
  expect(await card('No flow or a missing part')).toBe(report.numbers.length);
  expect(await stats.count()).toBe(6);
});

it('flows: searched by name, filtered to those missing a part or used by no number, sorted', async () => {
  await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'After hours', call: { start: 'bye', applets: { bye: { type: 'hangup' } } } });
  await httpOk(dashboard.stack, 'POST', '/api/flows', { name: 'Zebra texts', sms: { start: 'box', applets: { box: { type: 'inbox', mailbox: { group: (await httpOk(dashboard.stack, 'GET', '/api/groups')).groups[0].id } } } } });
  await open();
  const names = () => page().locator('#flows-table tbody tr .flow-link').allTextContents();
  await page().locator('#flows-table tbody tr').first().waitFor();
  expect(await names()).toEqual(['After hours', 'Main line', 'Zebra texts']);
  const find = page().getByRole('search', { name: 'Find flows' });
  await find.getByLabel('Search flows').fill('MAIN');
  expect(await names()).toEqual(['Main line']);
  await find.getByLabel('Search flows').fill('');
  await find.getByLabel('Show').selectOption('incomplete');
  expect(await names()).toEqual(['After hours', 'Zebra texts']);
  await find.getByLabel('Show').selectOption('all');
  await find.getByLabel('Sort').selectOption('numbers');
  expect((await names())[0]).toBe('Main line');
});

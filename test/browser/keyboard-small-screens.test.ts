/// <reference lib="dom" />
// Keyboard and small screens (issue 20 item 7, "Checked by": the diagram's nodes are reachable with Tab; at
// 390 px no control is covered): Tab reaches every applet of the diagram, arrow keys move between them,
// Enter opens the settings, a branch opens its picker; dialogs start on their first field and give focus
// back; at 390 px the overview, numbers, mailboxes and people reflow with no control covered or cut off, and
// the flow page shows the diagram before the palette.
import { useDashboard } from '../support/dashboard';
import { httpOk } from '../support/local-stack';

let mainId: string;

const dashboard = useDashboard();

beforeAll(async () => {
  mainId = (await httpOk(dashboard.stack, 'GET', '/api/flows')).flows.find((f: { name: string }) => f.name === 'Main line').id;
  // A long name must not push anything off a phone's screen.
  await httpOk(dashboard.stack, 'PUT', '/api/numbers/%2B15550100081', { name: 'The after-hours overflow line for the northern regional sales office' });
});

afterEach(async () => {
  await page().setViewportSize({ width: 1360, height: 900 });
});

const page = () => dashboard.page;
const open = async (hash: string) => {
  await page().goto('about:blank');
  await page().goto(`${dashboard.stack.url}/${hash}`);
};
const focused = () => page().evaluate(() => document.activeElement?.getAttribute('data-applet') ?? document.activeElement?.id ?? document.activeElement?.tagName);

it("the diagram's nodes are reachable with Tab; arrows move between them; Enter opens the settings", async () => {
  await open(`#/flows/${mainId}`);
  await page().locator('g.node[data-applet="hours"]').waitFor();
  // Tab from the view switcher into the diagram: every applet, each once.
  await page().getByRole('tab', { name: 'JSON' }).focus();
  const reached: string[] = [];
  for (let i = 0; i < 30 && reached.length < 6; i++) {
    await page().keyboard.press('Tab');
    const id = await page().evaluate(() => document.activeElement?.getAttribute('data-applet'));
    if (id && !reached.includes(id)) reached.push(id);
  }
  expect(reached.sort()).toEqual(['greet', 'hours', 'menu', 'sales', 'support', 'vm']);

  await page().locator('g.node[data-applet="hours"]').focus();
  await page().keyboard.press('ArrowDown');
  expect(await focused()).toBe('greet');
  await page().keyboard.press('ArrowDown');
  expect(await focused()).toBe('menu');
  await page().keyboard.press('ArrowUp');
  expect(await focused()).toBe('greet');
  await page().keyboard.press('Enter');
  await page().getByRole('region', { name: 'Applet greet' }).waitFor();
});

it("a branch is operable by keyboard: Enter on it opens its applet's settings with the branch's picker focused", async () => {
  await open(`#/flows/${mainId}`);
  const branch = page().locator('g.edge[data-from="menu"][data-branch="options.2"]');
  await branch.focus();
  expect(await branch.getAttribute('aria-label')).toBe('Branch press 2 of menu, to support: press Enter to change where it goes');
  await page().keyboard.press('Enter');
  await page().getByRole('region', { name: 'Applet menu' }).waitFor();
  await page().waitForFunction(() => (document.activeElement as HTMLSelectElement | null)?.value === 'support' && document.activeElement?.tagName === 'SELECT');
  expect(await page().evaluate(() => document.activeElement?.closest('.field')?.querySelector('label')?.textContent)).toBe('Press 2');
});

it('a dialog starts on its first field and gives focus back to what opened it', async () => {
  await open('#/');
  const button = page().getByRole('button', { name: 'New flow' });
  await button.focus();
  await page().keyboard.press('Enter');
  const dialog = page().getByRole('dialog', { name: 'New flow' });
  await dialog.waitFor();
  expect(await focused()).toBe('flow-name');
  await page().keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(await page().evaluate(() => document.activeElement?.textContent)).toBe('New flow');
});

/** Every visible control of the page: inside the viewport's width, and the topmost thing at its centre. */
async function coveredOrCut(): Promise<string[]> {
  return page().evaluate(() => {
    const out: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex="0"]'))) {
      const r = el.getBoundingClientRect();
      // Not shown (a skip link waits off-screen until it has focus).
      if (r.width === 0 || r.height === 0 || r.right <= 0 || getComputedStyle(el).visibility === 'hidden') continue;
      // Controls inside something that scrolls on purpose (the diagram, the tabs) are judged by that box.
      const scroller = el.closest('.diagram-wrap, .tabs');
      const box = scroller ? scroller.getBoundingClientRect() : { left: 0, right: width };
      const name = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`;
      if (!scroller && (r.left < box.left - 1 || r.right > box.right + 1)) {
        out.push(`${name} is cut off (${Math.round(r.left)}–${Math.round(r.right)} of ${width})`);
        continue;
      }
      if (scroller) continue;
      el.scrollIntoView({ block: 'center' });
      const c = el.getBoundingClientRect();
      const top = document.elementFromPoint(c.left + c.width / 2, c.top + c.height / 2);
      if (top && top !== el && !el.contains(top) && !top.contains(el) && !(el as HTMLInputElement).labels?.[0]?.contains(top)) out.push(`${name} is covered by ${top.tagName.toLowerCase()}.${top.className}`);
    }
    return out;
  });
}

it('at 390 px the overview, mailboxes, people and flow pages reflow: no control covered or cut off', async () => {
  await page().setViewportSize({ width: 390, height: 844 });
  for (const [hash, ready] of [
    ['#/', '#numbers-table tbody tr'],
    ['#/mailboxes', 'nav[aria-label="Mailboxes"] a'],
    ['#/people', 'tr[data-user]'],
    [`#/flows/${mainId}`, 'g.node[data-applet="hours"]'],
  ] as const) {
    await open(hash);
    await page().locator(ready).first().waitFor();
    expect({ hash, problems: await coveredOrCut() }).toEqual({ hash, problems: [] });
  }
});

it('at 390 px the flow page shows the diagram first, the palette below it; a long name is cut with the whole name on hover', async () => {
  await page().setViewportSize({ width: 390, height: 844 });
  await open(`#/flows/${mainId}`);
  const diagram = await page().getByRole('region', { name: 'Diagram' }).boundingBox();
  const palette = await page().getByRole('region', { name: 'Palette' }).boundingBox();
  expect(diagram && palette && palette.y >= diagram.y + diagram.height).toBe(true);
  await open('#/');
  const name = page().locator('#numbers-table tr[data-number="+15550100081"] .name-cell > span').first();
  expect(await name.getAttribute('title')).toBe('The after-hours overflow line for the northern regional sales office');
  const fits = await name.evaluate((el) => el.scrollWidth > el.clientWidth && el.getBoundingClientRect().right <= document.documentElement.clientWidth);
  expect(fits).toBe(true);
});

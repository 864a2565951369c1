// One file's dashboard under test (DESIGN.md section 12): the local stack serving the built dashboard, and
// headless Chromium (support/browser.ts). After each test, no console error the test did not announce and
// no request that left the machine. Registers its own beforeAll/afterAll/afterEach: call it at the top of
// the file, before the file's own hooks, which then see the stack and the browser ready.
import type { Page } from 'playwright-core';
import type { LocalStack } from '../../local/stack';
import { buildDashboardForTest } from '../../local/web-build';
import { openBrowser, type Browser } from './browser';
import { startTestStack, type TestStackOptions } from './local-stack';

export interface DashboardUnderTest {
  readonly stack: LocalStack;
  readonly browser: Browser;
  readonly page: Page;
  /** Console lines the current test causes on purpose (a 409 or 422 the page words for people); forgotten after it. */
  expectErrors(...patterns: RegExp[]): void;
}

export function useDashboard(options: Omit<TestStackOptions, 'webDir'> = {}): DashboardUnderTest {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  let expected: RegExp[] = [];
  beforeAll(async () => {
    stack = await startTestStack({ ...options, webDir: await buildDashboardForTest() });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  afterEach(() => {
    expect(browser!.errors.splice(0).filter((e) => !expected.some((x) => x.test(e)))).toEqual([]);
    expect(browser!.outside.splice(0)).toEqual([]);
    expected = [];
  });
  return {
    get stack() {
      return stack!;
    },
    get browser() {
      return browser!;
    },
    get page() {
      return browser!.page;
    },
    expectErrors(...patterns: RegExp[]) {
      expected.push(...patterns);
    },
  };
}

// Headless Debian Chromium driven by playwright-core for the dashboard tests, with a fresh empty profile.
// Every page records console errors, page errors and any request that leaves the machine, and the
// tests assert both lists are empty. No Chromium is a failure, never a skip (.ci/run installs it).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A voicemail must be able to play without a click in the test.
  '--autoplay-policy=no-user-gesture-required',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught page errors and failed requests, as text. */
  errors: string[];
  /** Requests to anything but loopback. */
  outside: string[];
  /** The browser's own dialogs the page opened, by type (`beforeunload`, `confirm`...), in order. */
  dialogs: string[];
  close(): Promise<void>;
}

const local = (url: string) => {
  if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return false;
  }
};

export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium); .ci/run does this in CI`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const errors: string[] = [];
  const outside: string[] = [];
  context.on('request', (r) => {
    if (!local(r.url())) outside.push(r.url());
  });
  context.on('requestfailed', (r) => {
    // ERR_ABORTED: a request still in flight when the test navigated away, not a failure of the page.
    if (!r.url().startsWith('data:') && r.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  // Fail in seconds, with the locator named, rather than at jest's timeout.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  // Leaving a page with unpublished changes asks first (beforeunload): the tests navigate on, as a person
  // answering "Leave" would, and can read that it was asked. Any other dialog is dismissed as Playwright
  // would by default, a moment later, so a test that listens for it itself answers it first.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    if (d.type() === 'beforeunload') void d.accept();
    else setTimeout(() => void d.dismiss().catch(() => undefined), 0);
  });
  return {
    context,
    page,
    errors,
    outside,
    dialogs,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { ADMIN_TOKEN, type UiStack } from './support.js';

/**
 * Debian's Chromium driven by playwright-core: one browser per test file, a fresh context (its own
 * sessionStorage) per scenario. Every page records dialogs, uncaught errors and CSP violations; a
 * scenario ends with none of them, so an inline script the CSP blocked or an `alert` that ran fails
 * the test that caused it.
 */
export const CHROMIUM_PATH = process.env.DISPATCHR_CHROMIUM ?? '/usr/bin/chromium';
export const TOKEN_KEY = 'dispatchr.token';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOTS = path.join(ROOT, '.scratch/screenshots');

/**
 * The page's globals, typed just enough for the code tests run in the page with `evaluate` (the
 * test build has no DOM types). Such code reads them as `(globalThis as unknown as PageGlobals)`:
 * it is sent to the browser as source, so it can use nothing imported here but types.
 */
export interface PageElement {
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  readonly textContent: string | null;
  readonly outerHTML: string;
}
export interface PageGlobals {
  document: {
    querySelectorAll(selector: string): Iterable<PageElement> & { length: number };
    activeElement: PageElement | null;
    documentElement: { scrollWidth: number };
    body: { innerText: string };
  };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  navigator: { clipboard: { readText(): Promise<string> } };
  /** Set only if a payload's script ran. */
  __dispatchrXss?: number;
}

export interface UiPage {
  page: Page;
  context: BrowserContext;
  /** Messages of every alert/confirm/prompt the page opened (each is dismissed). */
  dialogs: string[];
  /** Uncaught page errors and Content-Security-Policy violations. */
  problems: string[];
}

export interface OpenOptions {
  /** Put in sessionStorage before the app starts, as a sign-in would (default: the admin token, none
   * on an open API); null: signed out. */
  token?: string | null;
  /** The route after `/ui/`, e.g. `#/tasks?queue=emails`. */
  hash?: string;
  viewport?: { width: number; height: number };
}

/**
 * Call once, at a test file's top level: launches the browser for the file's scenarios and answers `open()`,
 * which makes a context and a page on the dashboard; contexts close after each scenario.
 */
export function useBrowser(): { open(stack: UiStack, options?: OpenOptions): Promise<UiPage> } {
  let browser: Browser | undefined;
  const pages: UiPage[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const done = pages.splice(0);
    await Promise.all(done.map((ui) => ui.context.close().catch(() => undefined)));
    for (const ui of done) {
      expect(ui.dialogs, 'dialogs the page opened').toEqual([]);
      expect(ui.problems, 'page errors and CSP violations').toEqual([]);
    }
  });
  return {
    async open(stack, options = {}) {
      if (!browser) throw new Error('the browser is not running');
      const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP });
      // Short action timeouts: a missing element fails with its test id well within the test's own timeout.
      context.setDefaultTimeout(10_000);
      const token = options.token !== undefined ? options.token : stack.open ? null : ADMIN_TOKEN;
      if (token) await seedToken(context, token);
      const page = await context.newPage();
      const ui: UiPage = { page, context, dialogs: [], problems: [] };
      page.on('dialog', (dialog) => {
        ui.dialogs.push(dialog.message());
        void dialog.dismiss().catch(() => undefined);
      });
      page.on('pageerror', (error) => ui.problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (/content security policy/i.test(message.text())) ui.problems.push(`CSP: ${message.text()}`);
      });
      pages.push(ui);
      await page.goto(`${stack.uiUrl}${options.hash ?? ''}`);
      return ui;
    },
  };
}

/**
 * The token as a sign-in leaves it, set once per context (a marker key keeps a later sign-out from
 * being undone by the next navigation). The sign-in page itself is driven in auth.test.ts.
 */
async function seedToken(context: BrowserContext, token: string): Promise<void> {
  await context.addInitScript(
    ([key, value]) => {
      const { sessionStorage } = globalThis as unknown as PageGlobals;
      if (sessionStorage.getItem('ui-test.seeded') === null) {
        sessionStorage.setItem(key, value);
        sessionStorage.setItem('ui-test.seeded', '1');
      }
    },
    [TOKEN_KEY, token] as const,
  );
}

/** Elements whose test id starts with `prefix` (rows named by id or name). */
export function byTestIdPrefix(scope: Page | Locator, prefix: string): Locator {
  return scope.locator(`[data-testid^="${prefix}"]`);
}

/** The test ids of the elements whose test id starts with `prefix`, in document order, without it. */
export function testIdsAfter(page: Page, prefix: string): Promise<string[]> {
  return page.evaluate((start) => {
    const { document } = globalThis as unknown as PageGlobals;
    return [...document.querySelectorAll(`[data-testid^="${start}"]`)].map((element) =>
      String(element.getAttribute('data-testid')).slice(start.length),
    );
  }, prefix);
}

/** The element's text, or null while it is not there (for `expect.poll`). */
export async function textOf(locator: Locator): Promise<string | null> {
  if ((await locator.count()) === 0) return null;
  return locator
    .first()
    .innerText({ timeout: 1_000 })
    .catch(() => null);
}

/**
 * `expect.poll` with time for what the page waits on: its live refresh (every 2 s at most), the
 * scheduler's dispatch and the API's answer. (Vitest's default is one second.)
 */
export function eventually<T>(probe: () => T | Promise<T>): ReturnType<typeof expect.poll<T>> {
  return expect.poll(probe, { timeout: 15_000, interval: 100 });
}

/** Waits until the element is visible; the test id names it in the failure. */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible' });
  return locator;
}

/** The route part of the page's URL (`#/tasks?...`). */
export function hashOf(page: Page): string {
  return new URL(page.url()).hash;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The numbers in a text ("3 tasks" → 3); null when none. */
export function numberIn(text: string | null): number | null {
  const match = /\d[\d,]*/.exec(text ?? '');
  return match ? Number(match[0].replace(/,/g, '')) : null;
}

/** Action test ids a read-only token must never find. */
export const ACTION_TEST_IDS = [
  'queue-pause',
  'queue-resume',
  'queue-purge',
  'task-run',
  'task-cancel',
  'task-retry',
  'task-delete',
  'bulk-retry',
  'bulk-cancel',
  'failure-retry',
];

export async function actionsOn(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const id of ACTION_TEST_IDS) if ((await page.getByTestId(id).count()) > 0) found.push(id);
  return found;
}

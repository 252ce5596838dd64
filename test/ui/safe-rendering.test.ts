import type { Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { textOf, useBrowser, visible, type PageGlobals, eventually } from './browser.js';
import { SCRIPT_RESPONSE, seedFailed, startUiStack, type UiStack } from './support.js';

/**
 * Safe rendering (issue 19): task bodies, headers, keys and a target's answer are text, never
 * HTML, on every page that shows them; the UI is served with a CSP that forbids inline script and
 * eval, and its HTML and assets need no token.
 */
const browser = useBrowser();

const IMG_PAYLOAD = '<img src=x onerror=alert(1)>';
const KEY_PAYLOAD = '<img src=x onerror=alert(2)>';
const HEADER_PAYLOAD = '<svg onload=alert(3)></svg>';

/** Nothing the payloads hold became an element, an attribute or a script that ran. */
async function expectInert(page: Page): Promise<void> {
  const dom = await page.evaluate(() => {
    const globals = globalThis as unknown as PageGlobals;
    const { document } = globals;
    return {
      images: document.querySelectorAll('img[src="x"], img[onerror]').length,
      handlers: document.querySelectorAll('[onerror], [onload]').length,
      svgs: [...document.querySelectorAll('svg')].filter((svg) => svg.outerHTML.includes('alert')).length,
      scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent?.includes('__dispatchrXss')).length,
      ran: globals.__dispatchrXss ?? null,
    };
  });
  expect(dom).toEqual({ images: 0, handlers: 0, svgs: 0, scripts: 0, ran: null });
}

const pageText = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.innerText);

describe.each(drivers())('dashboard safe rendering on %s', (driver) => {
  let stack: UiStack;
  let id: string;

  beforeAll(async () => {
    stack = await startUiStack(driver);
    // The target answers this path with 400 and a <script> body: failed at once, the script kept
    // as the attempt's error and response excerpt.
    const created = await stack.api('POST', '/v1/queues/emails/tasks', {
      body: {
        path: '/xss/markup',
        key: KEY_PAYLOAD,
        body: { comment: IMG_PAYLOAD },
        headers: { 'x-note': HEADER_PAYLOAD },
      },
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    await stack.waitForState(id, 'failed');
  });
  afterAll(async () => stack?.close());

  it('shows markup in a body, key, header and target answer as text on every page', async () => {
    const ui = await browser.open(stack, { hash: `#/tasks/${id}` });
    const { page } = ui;
    await eventually(() => textOf(page.getByTestId('task-state'))).toContain('failed');
    await visible(page.getByTestId('attempt-row'));
    expect(await textOf(page.getByTestId('task-body'))).toContain(IMG_PAYLOAD);
    expect(await textOf(page.getByTestId('task-headers'))).toContain(HEADER_PAYLOAD);
    const detail = await pageText(page);
    expect(detail).toContain(KEY_PAYLOAD);
    expect(detail).toContain(SCRIPT_RESPONSE);
    await expectInert(page);

    // The list (keys, paths) and the failed view (the last error holds the script).
    await page.goto(`${stack.uiUrl}#/tasks?queue=emails`);
    await visible(page.getByTestId(`task-row-${id}`));
    await expectInert(page);
    await page.goto(`${stack.uiUrl}#/failed`);
    await visible(page.getByTestId('failure-group'));
    expect(await textOf(page.getByTestId('failure-group'))).toContain('<script>');
    await expectInert(page);
    expect(ui.dialogs).toEqual([]);
  });

  it('is served with a CSP that forbids inline script and eval, and without a token', async () => {
    const { page } = await browser.open(stack, { token: null });
    const response = await page.goto(stack.uiUrl);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    const csp = headers['content-security-policy'] ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name, values]),
    );
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');

    // No inline script to allow, and every asset the page loads is served the same way.
    expect(await page.locator('script:not([src])').count()).toBe(0);
    const assets = (
      await page.evaluate(() => {
        const { document } = globalThis as unknown as PageGlobals;
        return [...document.querySelectorAll('script[src], link[rel=stylesheet]')].map(
          (element) => element.getAttribute('src') ?? element.getAttribute('href'),
        );
      })
    ).map((asset) => new URL(String(asset), page.url()).href);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const reply = await request(asset);
      await reply.body.text();
      expect(reply.statusCode, asset).toBe(200);
      expect(reply.headers['x-content-type-options'], asset).toBe('nosniff');
      expect(String(reply.headers['content-type']), asset).toMatch(/javascript|css/);
    }

    // `<basePath>/ui` without the slash leads to the app.
    const bare = await request(`${stack.url}/ui`);
    await bare.body.text();
    expect([301, 302, 307, 308]).toContain(bare.statusCode);
    expect(new URL(String(bare.headers.location), `${stack.url}/ui`).href).toBe(stack.uiUrl);
  });
});

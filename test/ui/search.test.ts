import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import {
  byTestIdPrefix,
  hashOf,
  screenshot,
  testIdsAfter,
  textOf,
  useBrowser,
  visible,
  eventually,
} from './browser.js';
import { seedFailed, startUiStack, type UiStack } from './support.js';

/**
 * Task search (issue 19): every filter of GET /v1/tasks, kept in the URL so a link reproduces the
 * view, cursor paging, an empty state that says so, and a refused filter shown with its problem
 * details.
 */
const browser = useBrowser();

const rows = (page: Page) => byTestIdPrefix(page, 'task-row-');
const rowIds = (page: Page) => testIdsAfter(page, 'task-row-');

/** Opens a row the way a person does: its link when it has one, else the row itself. */
async function openRow(row: Locator): Promise<void> {
  const link = row.getByRole('link');
  if ((await link.count()) > 0) await link.first().click();
  else await row.click();
}

describe.each(drivers())('dashboard task search on %s', (driver) => {
  let stack: UiStack;
  let ada: string;
  let bob: string;
  let report: string;

  beforeAll(async () => {
    stack = await startUiStack(driver);
    ada = await stack.createTask('emails', {
      path: '/welcome',
      body: { to: 'ada@example.com', note: 'invoice-7731' },
      headers: { 'x-request-origin': 'signup' },
    });
    [bob] = await seedFailed(stack, 'emails', ['/status-400/receipt'], { to: 'bob@example.com', note: 'receipt-1200' });
    report = await stack.createTask('reports', { path: '/quarterly', body: { report: 'quarterly-invoice-7731' } });
    await Promise.all([stack.waitForState(ada, 'completed'), stack.waitForState(report, 'completed')]);
  });
  afterAll(async () => stack?.close());

  it('finds a task by the text of its payload and opens it', async () => {
    const { page } = await browser.open(stack, { hash: '#/tasks' });
    await visible(page.getByTestId('filter-search'));
    await page.getByTestId('filter-search').fill('ada@example');
    await page.getByTestId('filter-apply').click();
    await eventually(() => rowIds(page)).toEqual([ada]);
    const params = new URLSearchParams(hashOf(page).split('?')[1] ?? '');
    expect(params.get('search')).toBe('ada@example');

    await openRow(page.getByTestId(`task-row-${ada}`));
    await eventually(() => hashOf(page)).toBe(`#/tasks/${ada}`);
    await eventually(() => textOf(page.getByTestId('task-state'))).toContain('completed');
    expect(await textOf(page.getByTestId('task-body'))).toContain('ada@example.com');
    expect(await textOf(page.getByTestId('task-headers'))).toContain('signup');
    expect(await page.getByTestId('attempt-row').count()).toBe(1);
    await screenshot(page, 'task');
  });

  it('a copied link reproduces the filtered view in a fresh browser', async () => {
    const first = await browser.open(stack, { hash: '#/tasks' });
    const { page } = first;
    await visible(page.getByTestId('filter-queue'));
    await page.getByTestId('filter-queue').selectOption('emails');
    await page.getByTestId('filter-state').selectOption('failed');
    await page.getByTestId('filter-path').fill('/status-400');
    await page.getByTestId('filter-search').fill('receipt');
    await page.getByTestId('filter-apply').click();
    await eventually(() => rowIds(page)).toEqual([bob]);
    await screenshot(page, 'tasks');
    const link = hashOf(page);
    expect(link).toMatch(/^#\/tasks\?/);

    // Another context: no shared memory, only the link (and a sign-in).
    const second = await browser.open(stack, { hash: link });
    const copy = second.page;
    await eventually(() => rowIds(copy)).toEqual([bob]);
    expect(await copy.getByTestId('filter-queue').inputValue()).toBe('emails');
    expect(await copy.getByTestId('filter-state').inputValue()).toBe('failed');
    expect(await copy.getByTestId('filter-path').inputValue()).toBe('/status-400');
    expect(await copy.getByTestId('filter-search').inputValue()).toBe('receipt');
  });

  it('a text matching two queues lists both, newest first', async () => {
    const { page } = await browser.open(stack, { hash: '#/tasks?search=invoice-7731' });
    await eventually(() => rowIds(page)).toEqual([report, ada]);
    expect(await page.getByTestId('filter-search').inputValue()).toBe('invoice-7731');
  });

  it('says so when nothing matches', async () => {
    const { page } = await browser.open(stack, { hash: '#/tasks' });
    await page.getByTestId('filter-search').fill('no-task-holds-this-text');
    await page.getByTestId('filter-apply').click();
    await visible(page.getByTestId('empty-state'));
    expect(await rows(page).count()).toBe(0);
    expect(await textOf(page.getByTestId('empty-state'))).not.toBe('');
  });

  it("shows a refused filter with the API's problem details", async () => {
    const { page } = await browser.open(stack, { hash: '#/tasks?since=yesterday' });
    const problem = page.getByTestId('error-problem');
    await visible(problem);
    const text = (await textOf(problem)) ?? '';
    expect(text).toContain('since');
    expect(text).toContain('validation_failed');
    expect(await rows(page).count()).toBe(0);
  });

  it('pages on with the cursor until every task is listed, each once', async () => {
    // Several pages at any sensible page size: 250 tasks in one batch, waiting in the
    // unserved queue. A million is the benchmark's business; paging is the same from page 2 on.
    const tasks = Array.from({ length: 250 }, (_, i) => ({ path: `/page/${i}`, body: { n: i } }));
    const created = await stack.api('POST', '/v1/queues/idle/tasks/batch', { body: { tasks } });
    expect(created.status).toBe(201);
    const all = new Set<string>(created.body.tasks.map((t: { id: string }) => t.id));

    const { page } = await browser.open(stack, { hash: '#/tasks?queue=idle' });
    await eventually(() => rows(page).count()).toBeGreaterThan(0);
    const firstPage = await rows(page).count();
    expect(firstPage).toBeLessThan(all.size);
    // Load more until the list holds them all: the button, or the scroll that triggers the same.
    // Each step waits for the list to grow, as a person waits for the next page.
    for (let loads = 0; (await rows(page).count()) < all.size; loads += 1) {
      expect(loads, 'pages loaded').toBeLessThan(all.size);
      const before = await rows(page).count();
      const more = page.getByTestId('load-more');
      if ((await more.count()) > 0) await more.click();
      else {
        await rows(page).last().scrollIntoViewIfNeeded();
        await page.mouse.wheel(0, 10_000);
      }
      await eventually(() => rows(page).count()).toBeGreaterThan(before);
    }
    const listed = await rowIds(page);
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(listed)).toEqual(all);
  }, 60_000);
});

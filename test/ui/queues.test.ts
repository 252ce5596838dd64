import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import {
  hashOf,
  numberIn,
  PHONE,
  screenshot,
  textOf,
  useBrowser,
  visible,
  type PageGlobals,
  eventually,
} from './browser.js';
import { ALL_QUEUES, seedFailed, startUiStack, TARGET_PASSWORD, TARGET_QUERY_SECRET, type UiStack } from './support.js';

/**
 * The queues overview, the queue view and the schedulers page (issue 19, Pages and Usable): counts
 * as the API has them, the configuration with credentials hidden, purge behind a typed name, the
 * phone viewport, the keyboard.
 */
const browser = useBrowser();

/** A queue's count of one state as the API has it. */
async function apiCount(stack: UiStack, queue: string, state: string): Promise<number> {
  const reply = await stack.api('GET', '/v1/queues');
  return reply.body.queues.find((q: { name: string }) => q.name === queue).counts[state];
}

const uiCount = async (page: Page, queue: string, state: string) =>
  numberIn(await textOf(page.getByTestId(`queue-row-${queue}`).getByTestId(`queue-count-${state}`)));

describe.each(drivers())('dashboard queues on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
    await seedFailed(stack, 'emails', ['/status-400/overview']);
    const done = await stack.createTask('reports', { path: '/overview' });
    await stack.waitForState(done, 'completed');
    await stack.createTask('idle', { path: '/one' });
    await stack.createTask('idle', { path: '/two' });
  });
  afterAll(async () => stack?.close());

  it('shows every queue with its counts, state and activity chart', async () => {
    const { page } = await browser.open(stack, { hash: '#/' });
    for (const queue of ALL_QUEUES) await visible(page.getByTestId(`queue-row-${queue}`));
    expect(await apiCount(stack, 'emails', 'failed')).toBe(1);
    await eventually(() => uiCount(page, 'emails', 'failed')).toBe(1);
    await eventually(() => uiCount(page, 'reports', 'completed')).toBe(1);
    await eventually(() => uiCount(page, 'idle', 'available')).toBe(2);
    expect(await uiCount(page, 'idle', 'running')).toBe(0);
    const state = page.getByTestId('queue-row-emails').getByTestId('queue-paused');
    expect(await textOf(state)).toMatch(/running/i);
    await visible(page.getByTestId('activity-chart'));
    // uPlot draws on a canvas: the chart is there, not only its box.
    await eventually(() => page.getByTestId('activity-chart').first().locator('canvas').count()).toBeGreaterThan(0);
    await screenshot(page, 'overview');
  });

  it('counts refresh on their own when tasks arrive', async () => {
    const { page } = await browser.open(stack, { hash: '#/' });
    const before = await apiCount(stack, 'idle', 'available');
    await eventually(() => uiCount(page, 'idle', 'available')).toBe(before);
    await stack.createTask('idle', { path: '/three' });
    await eventually(() => uiCount(page, 'idle', 'available')).toBe(before + 1);
  });

  it("shows the queue's configuration with the target's credentials hidden", async () => {
    const { page } = await browser.open(stack, { hash: '#/queues/idle' });
    const config = page.getByTestId('queue-config');
    await visible(config);
    const text = (await textOf(config)) ?? '';
    expect(text).toContain('127.0.0.1');
    expect(text).toContain('exponential');
    expect(text).not.toContain(TARGET_PASSWORD);
    expect(text).not.toContain(TARGET_QUERY_SECRET);
    const html = await page.content();
    expect(html).not.toContain(TARGET_PASSWORD);
    expect(html).not.toContain(TARGET_QUERY_SECRET);
  });

  it("purges only once the queue's name is typed", async () => {
    const waiting = await apiCount(stack, 'idle', 'available');
    expect(waiting).toBeGreaterThan(0);
    const { page } = await browser.open(stack, { hash: '#/queues/idle' });
    await page.getByTestId('queue-purge').click();
    const input = page.getByTestId('purge-confirm-input');
    const confirm = page.getByTestId('purge-confirm');
    await visible(input);
    expect(await confirm.isDisabled()).toBe(true);
    await input.fill('idl');
    expect(await confirm.isDisabled()).toBe(true);
    await input.fill('emails');
    expect(await confirm.isDisabled()).toBe(true);
    expect(await apiCount(stack, 'idle', 'available')).toBe(waiting);

    await input.fill('idle');
    await confirm.click();
    await eventually(() => apiCount(stack, 'idle', 'available')).toBe(0);
    // Another queue's tasks are untouched.
    expect(await apiCount(stack, 'emails', 'failed')).toBe(1);
  });

  it('shows the queues on a phone without sideways scrolling', async () => {
    const { page } = await browser.open(stack, { hash: '#/', viewport: PHONE });
    for (const queue of ALL_QUEUES) {
      const row = page.getByTestId(`queue-row-${queue}`);
      await visible(row);
      const box = await row.boundingBox();
      expect(box, `queue-row-${queue}`).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    }
    const scrollWidth = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
    );
    expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
    await visible(page.getByTestId('nav-tasks'));
    await screenshot(page, 'overview-phone');
  });

  it('reaches a queue with Tab and opens it with Enter', async () => {
    const { page } = await browser.open(stack, { hash: '#/' });
    await visible(page.getByTestId('queue-row-reports'));
    const focusedRow = () =>
      page.evaluate(() => {
        const { document } = globalThis as unknown as PageGlobals;
        return document.activeElement?.closest('[data-testid^="queue-row-"]')?.getAttribute('data-testid');
      });
    let presses = 0;
    while ((await focusedRow()) !== 'queue-row-reports') {
      presses += 1;
      expect(presses, 'Tab presses to reach the reports row').toBeLessThan(80);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await eventually(() => hashOf(page)).toBe('#/queues/reports');
    await visible(page.getByTestId('queue-config'));
  });

  it('lists the running scheduler with its queues and heartbeat', async () => {
    const { page } = await browser.open(stack, { hash: '#/schedulers' });
    const row = page.getByTestId(`scheduler-row-${stack.scheduler.id}`);
    await visible(row);
    const text = (await textOf(row)) ?? '';
    expect(text).toContain('emails');
    expect(text).toContain('reports');
    expect(text).toMatch(/alive/i);
    // Times as the contract draws them: relative text, the ISO instant in datetime and on hover.
    expect(await row.locator('time[datetime][title]').count()).toBeGreaterThan(0);
    await screenshot(page, 'schedulers');
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { numberIn, screenshot, textOf, useBrowser, visible, eventually } from './browser.js';
import { seedFailed, startUiStack, type UiStack } from './support.js';

/**
 * Many tasks at once (issue 19, Task search and Failed tasks): bulk retry and cancel show the dry
 * run's count before the confirm and touch only what was chosen; the failed view groups by queue and
 * last status and retries a group; the list refreshes on its own and keeps the selection.
 */
const browser = useBrowser();

const stateOf = async (stack: UiStack, id: string) => (await stack.task(id)).state as string;

/** The dry run's count, once the confirmation shows it. */
async function countShown(page: Page): Promise<number | null> {
  return numberIn(await textOf(page.getByTestId('bulk-dryrun-count')));
}

describe.each(drivers())('dashboard bulk actions on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it('bulk retry shows the dry-run count, then retries what was selected', async () => {
    // 400 the first time (failed at once), 200 after: a retry completes each.
    const ids = await seedFailed(stack, 'emails', ['/once-400/bulk-a', '/once-400/bulk-b', '/once-400/bulk-c']);
    const { page } = await browser.open(stack, { hash: '#/tasks?queue=emails&state=failed' });
    for (const id of ids) await visible(page.getByTestId(`task-row-${id}`));
    await page.getByTestId('select-all').click();
    for (const id of ids) expect(await page.getByTestId(`task-select-${id}`).isChecked()).toBe(true);

    await page.getByTestId('bulk-retry').click();
    await eventually(() => countShown(page)).toBe(3);
    // The dry run changed nothing.
    for (const id of ids) expect(await stateOf(stack, id)).toBe('failed');
    await page.getByTestId('bulk-confirm').click();
    for (const id of ids) await stack.waitForState(id, 'completed');
  });

  it('bulk cancel cancels only the selected tasks', async () => {
    const ids = [
      await stack.createTask('idle', { path: '/bulk-cancel/1' }),
      await stack.createTask('idle', { path: '/bulk-cancel/2' }),
      await stack.createTask('idle', { path: '/bulk-cancel/3' }),
    ];
    const { page } = await browser.open(stack, { hash: '#/tasks?queue=idle' });
    for (const id of ids) await visible(page.getByTestId(`task-row-${id}`));
    await page.getByTestId(`task-select-${ids[0]}`).check();
    await page.getByTestId(`task-select-${ids[2]}`).check();

    await page.getByTestId('bulk-cancel').click();
    await eventually(() => countShown(page)).toBe(2);
    expect(await stateOf(stack, ids[0])).toBe('available');
    await page.getByTestId('bulk-confirm').click();
    await eventually(() => stateOf(stack, ids[0])).toBe('cancelled');
    await eventually(() => stateOf(stack, ids[2])).toBe('cancelled');
    expect(await stateOf(stack, ids[1])).toBe('available');
  });

  it('a new task appears on its own and the selection stays', async () => {
    const kept = await stack.createTask('idle', { path: '/live/kept' });
    const { page } = await browser.open(stack, { hash: '#/tasks?queue=idle' });
    await visible(page.getByTestId(`task-row-${kept}`));
    await page.getByTestId(`task-select-${kept}`).check();

    const arrived = await stack.createTask('idle', { path: '/live/arrived' });
    await visible(page.getByTestId(`task-row-${arrived}`));
    expect(await page.getByTestId(`task-select-${kept}`).isChecked()).toBe(true);
    expect(await page.getByTestId(`task-select-${arrived}`).isChecked()).toBe(false);
  });

  it('the failed view groups by queue and last status, and retries one group', async () => {
    const missing = await seedFailed(stack, 'reports', ['/status-404/a', '/status-404/b']);
    const [conflict] = await seedFailed(stack, 'reports', ['/once-409/c']);
    const { page } = await browser.open(stack, { hash: '#/failed' });
    const groups = page.getByTestId('failure-group');
    const notFound = groups.filter({ hasText: '404' });
    const conflicted = groups.filter({ hasText: '409' });
    await visible(notFound);
    await visible(conflicted);
    expect(await notFound.count()).toBe(1);
    expect(await conflicted.count()).toBe(1);
    expect(await textOf(notFound)).toContain('reports');
    expect(await textOf(notFound)).toMatch(/\b2\b/);
    expect(await textOf(conflicted)).toMatch(/\b1\b/);
    await screenshot(page, 'failed');

    await conflicted.getByTestId('failure-retry').click();
    // A group retry may ask first (the dry run's count); it must not retry another group.
    const confirm = page.getByTestId('bulk-confirm');
    await eventually(async () => (await confirm.count()) > 0 || (await stateOf(stack, conflict)) !== 'failed').toBe(
      true,
    );
    if ((await confirm.count()) > 0) {
      await eventually(() => countShown(page)).toBe(1);
      await confirm.click();
    }
    await stack.waitForState(conflict, 'completed');
    for (const id of missing) expect(await stateOf(stack, id)).toBe('failed');
    await eventually(() => conflicted.count()).toBe(0);
  });
});

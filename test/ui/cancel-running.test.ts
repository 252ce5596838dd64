import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepository } from '../../src/db/dispatch.repository.js';
import { drivers } from '../support/databases.js';
import { eventually, textOf, useBrowser } from './browser.js';
import { startUiStack, type UiStack } from './support.js';

/**
 * The task page's Cancel on a running task (spec 11.6): offered with the warning that the target
 * may already have done the work, and the task then shows cancelled with its attempt's outcome
 * `cancelled`. The task is on the `idle` queue, which no producer serves, claimed in the name of
 * the live scheduler (as its own claim would), so it stays running until the click.
 */
const browser = useBrowser();
const stateOf = (page: Page) => textOf(page.getByTestId('task-state'));

describe.each(drivers())('dashboard cancel of a running task on %s', (driver) => {
  let stack: UiStack;
  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it('cancels a running task from its page and shows the attempt cancelled', async () => {
    const id = await stack.createTask('idle', { path: '/cancel-while-running' });
    const claimed = await createDispatchRepository(stack.db).claim({
      queue: 'idle',
      limit: 1,
      // The stack's live scheduler, so its rescuer does not take the task back; it never sends it.
      owner: stack.scheduler.id,
      now: new Date(),
      leaseMs: 600_000,
      maxConcurrent: 10,
    });
    expect(claimed.map((task) => task.id)).toEqual([id]);

    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    await eventually(() => stateOf(page)).toContain('running');
    expect(await textOf(page.getByTestId('task-cancel-running-note'))).toMatch(/may already have done the work/);
    await page.getByTestId('task-cancel').click();
    await eventually(() => stateOf(page)).toContain('cancelled');
    await eventually(() => page.getByTestId('attempt-row').count()).toBe(1);
    expect(await textOf(page.getByTestId('attempt-row'))).toContain('cancelled');
    expect((await stack.task(id)).state).toBe('cancelled');
  });
});

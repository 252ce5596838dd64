import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { eventually, textOf, useBrowser, visible } from './browser.js';
import { startUiStack, type UiStack } from './support.js';

/**
 * Priority on the dashboard (spec 11.1): the task page and the task list show a task's priority,
 * and the queue page its defaultPriority. `idle` has no scheduler, so the tasks stay put.
 */
const browser = useBrowser();

describe.each(drivers())('dashboard priority on %s', (driver) => {
  let stack: UiStack;
  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it('shows the priority on the task page and in the task list, and the default on the queue page', async () => {
    const urgent = await stack.createTask('idle', { path: '/urgent', priority: 3 });
    const plain = await stack.createTask('idle', { path: '/plain' });

    const { page } = await browser.open(stack, { hash: `#/tasks/${urgent}` });
    await eventually(async () => (await textOf(page.locator('dl.facts'))) ?? '').toMatch(
      /Priority\s+3 \(0 is claimed first, 9 last\)/,
    );

    await page.goto(`${stack.uiUrl}#/tasks?queue=idle`);
    await eventually(() => textOf(page.getByTestId(`task-priority-${urgent}`))).toBe('3');
    expect(await textOf(page.getByTestId(`task-priority-${plain}`))).toBe('0');

    await page.goto(`${stack.uiUrl}#/queues/idle`);
    await visible(page.getByTestId('queue-default-priority'));
    expect(await textOf(page.getByTestId('queue-default-priority'))).toBe('0 (0 is claimed first, 9 last)');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { eventually, textOf, useBrowser, visible } from './browser.js';
import { startUiStack, type UiStack } from './support.js';

/** The task page shows a task's own retry settings (spec 11.3), or that it runs on its queue's. */
const browser = useBrowser();

describe.each(drivers())('dashboard retry settings on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it("shows the task's own settings, and the queue's for a task without them", async () => {
    const own = await stack.createTask('idle', {
      path: '/retry-own',
      retry: { maxRetryDuration: '10m', options: { initialDelay: '100ms', factor: 3 } },
    });
    const plain = await stack.createTask('idle', { path: '/retry-plain' });

    const { page } = await browser.open(stack, { hash: `#/tasks/${own}` });
    const facts = page.locator('dl.facts');
    await visible(facts);
    await eventually(async () => (await textOf(facts)) ?? '').toContain('stops after 10 min');
    await eventually(async () => (await textOf(facts)) ?? '').toContain('options {"initialDelay":"100ms","factor":3}');
    // The curl that makes the task again carries the same settings.
    const curl = (await page.getByTestId('task-curl').textContent()) ?? '';
    expect(curl).toContain('"retry":{"maxRetryDuration":"600000ms","options":{"initialDelay":"100ms","factor":3}}');

    const other = await browser.open(stack, { hash: `#/tasks/${plain}` });
    const otherFacts = other.page.locator('dl.facts');
    await visible(otherFacts);
    await eventually(async () => (await textOf(otherFacts)) ?? '').toMatch(/Retry\s*the queue’s/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { waitFor } from '../support/target-server.js';
import { eventually, textOf, useBrowser, visible } from './browser.js';
import { SCRIPT_RESPONSE, startUiStack, type UiStack } from './support.js';

/**
 * The task page shows the stored result (spec 11.4) as text, never markup, with its content type;
 * the task's callbacks; and on a callback task, a link to the task it reports on (spec 11.5).
 */
const browser = useBrowser();

describe.each(drivers())('dashboard result and callbacks on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it('shows the final response as text, the callbacks, and links a callback task to its task', async () => {
    // The target answers /xss with 400 and a script as text/html: the task fails, onFailure fires.
    const id = await stack.createTask('emails', { path: '/xss', onFailure: { queue: 'reports', path: '/after' } });
    await stack.waitForState(id, 'failed');
    const callbackId = await waitFor(
      async () => {
        const p = stack.driver === 'postgresql' ? '$1' : '?';
        const rows = await stack.db.sql.query(`select id from dispatchr_task where callback_of = ${p}`, [id]);
        return rows.length === 1 ? String(rows[0].id) : undefined;
      },
      15_000,
      'the callback task',
    );

    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    const result = page.locator('[data-testid="task-result"]');
    await visible(result);
    await eventually(async () => (await textOf(result)) ?? '').toBe(SCRIPT_RESPONSE);
    await eventually(async () => (await textOf(page.locator('[data-testid="task-result-note"]'))) ?? '').toContain(
      'text/html',
    );
    expect(
      await page.evaluate(() => (globalThis as unknown as { __dispatchrXss?: number }).__dispatchrXss),
    ).toBeUndefined();
    await eventually(async () => (await textOf(page.locator('dl.facts'))) ?? '').toContain(
      'on failure → reports:/after',
    );

    const other = await browser.open(stack, { hash: `#/tasks/${callbackId}` });
    const link = other.page.locator('[data-testid="task-callback-of"]');
    await visible(link);
    await eventually(async () => (await textOf(link)) ?? '').toBe(id);
  });
});

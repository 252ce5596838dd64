import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { screenshot, textOf, useBrowser, visible, type PageGlobals, eventually } from './browser.js';
import { ADMIN_TOKEN, seedFailed, startUiStack, type UiStack } from './support.js';

/**
 * The task detail page's actions against a real scheduler (issue 19, Task detail): retry a failed
 * task and watch it complete, run a scheduled one now, cancel, delete, why a task waits as its
 * queue is paused and resumed, and the curl that re-creates a task without leaking a secret.
 */
const browser = useBrowser();

const stateOf = (page: Page) => textOf(page.getByTestId('task-state'));

describe.each(drivers())('dashboard task actions on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it('retries a failed task and shows it complete, without a reload', async () => {
    // The target refuses the first request (400: failed at once) and accepts the next.
    const [id] = await seedFailed(stack, 'emails', ['/once-400/retry-me']);
    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    await eventually(() => stateOf(page)).toContain('failed');
    await eventually(() => page.getByTestId('attempt-row').count()).toBe(1);
    expect(await textOf(page.getByTestId('attempt-row'))).toContain('400');

    await page.getByTestId('task-retry').click();
    await eventually(() => stateOf(page)).toContain('completed');
    await eventually(() => page.getByTestId('attempt-row').count()).toBe(2);
    expect((await stack.task(id)).state).toBe('completed');
    expect(stack.target.for('/emails/once-400/retry-me')).toHaveLength(2);
  });

  it('pausing the queue changes why a task waits, and resuming changes it back', async () => {
    const id = await stack.createTask('idle', { path: '/paused-wait' });
    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    // `idle` has no scheduler: that is the reason until the pause, which is checked first.
    await eventually(() => textOf(page.getByTestId('task-waiting'))).toMatch(/scheduler/i);

    await page.goto(`${stack.uiUrl}#/queues/idle`);
    await page.getByTestId('queue-pause').click();
    await visible(page.getByTestId('queue-resume'));
    const queues = await stack.api('GET', '/v1/queues');
    expect(queues.body.queues.find((q: { name: string }) => q.name === 'idle').paused).toBe(true);
    await screenshot(page, 'queue');

    await page.goto(`${stack.uiUrl}#/tasks/${id}`);
    const reason = () => textOf(page.getByTestId('task-waiting'));
    await eventually(reason).toMatch(/paused/i);
    // The pause is the reason now, not the missing scheduler.
    expect(await reason()).not.toMatch(/no.scheduler/i);

    await page.goto(`${stack.uiUrl}#/queues/idle`);
    await page.getByTestId('queue-resume').click();
    await visible(page.getByTestId('queue-pause'));
    await page.goto(`${stack.uiUrl}#/tasks/${id}`);
    await eventually(reason).toMatch(/scheduler/i);
    expect(await reason()).not.toMatch(/paused/i);
  });

  it('cancels a waiting task', async () => {
    const id = await stack.createTask('idle', { path: '/cancel-me' });
    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    await eventually(() => stateOf(page)).toContain('available');
    await page.getByTestId('task-cancel').click();
    await eventually(() => stateOf(page)).toContain('cancelled');
    expect((await stack.task(id)).state).toBe('cancelled');
    // A finished task waits for nothing, and cannot be cancelled again.
    await eventually(() => textOf(page.getByTestId('task-waiting'))).not.toMatch(/waiting/i);
    const cancel = page.getByTestId('task-cancel');
    expect((await cancel.count()) === 0 || (await cancel.isDisabled())).toBe(true);
  });

  it('deletes a finished task only after the confirmation', async () => {
    const id = await stack.createTask('emails', { path: '/delete-me' });
    await stack.waitForState(id, 'completed');
    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    await eventually(() => stateOf(page)).toContain('completed');
    await page.getByTestId('task-delete').click();
    await visible(page.getByTestId('delete-confirm'));
    // Asking is not deleting.
    expect((await stack.api('GET', `/v1/tasks/${id}`)).status).toBe(200);
    await page.getByTestId('delete-confirm').click();
    await eventually(async () => (await stack.api('GET', `/v1/tasks/${id}`)).status).toBe(404);
    expect(await page.getByTestId('error-problem').count()).toBe(0);
  });

  it('runs a scheduled task now', async () => {
    const id = await stack.createTask('emails', { path: '/run-now', delay: '1h' });
    const { page } = await browser.open(stack, { hash: `#/tasks/${id}` });
    await eventually(() => stateOf(page)).toContain('scheduled');
    expect(await textOf(page.getByTestId('task-waiting'))).not.toBe('');
    await page.getByTestId('task-run').click();
    await eventually(() => stateOf(page)).toContain('completed');
    expect(stack.target.for('/emails/run-now')).toHaveLength(1);
  });

  it('shows headers redacted and a curl that re-creates the task without any secret', async () => {
    const id = await stack.createTask('idle', {
      path: '/curl/me?x=1',
      body: { order: 'ord-5521', lines: [1, 2] },
      headers: { 'x-api-key': 'task-secret-999', 'x-request-origin': 'checkout' },
    });
    const { page, context } = await browser.open(stack, { hash: `#/tasks/${id}` });
    await visible(page.getByTestId('task-curl'));
    const headers = (await textOf(page.getByTestId('task-headers'))) ?? '';
    expect(headers).toContain('x-request-origin');
    expect(headers).toContain('checkout');
    expect(headers).toContain('[redacted]');

    const curl = (await page.getByTestId('task-curl').textContent()) ?? '';
    expect(curl).toMatch(/^\s*curl\b/);
    expect(curl).toContain(`${stack.url}/v1/queues/idle/tasks`);
    expect(curl).toContain('ord-5521');
    expect(curl).toContain('/curl/me?x=1');
    // Neither the redacted header value nor the token the page holds is anywhere on the page.
    const html = await page.content();
    expect(html).not.toContain('task-secret-999');
    expect(html).not.toContain(ADMIN_TOKEN);

    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('copy-curl').click();
    const clipboard = () => page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
    await eventually(async () => (await clipboard()).trim()).toBe(curl.trim());
  });
});

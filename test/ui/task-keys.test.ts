import { afterAll, beforeAll, describe, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { eventually, textOf, useBrowser, visible } from './browser.js';
import { startUiStack, type UiStack } from './support.js';

/** The task page shows a task's key with its mode, debounce bound and retention (spec 11.2). */
const browser = useBrowser();

describe.each(drivers())('dashboard key options on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
  });
  afterAll(async () => stack?.close());

  it('shows the key mode and retention, and keep for a plain key', async () => {
    const debounced = await stack.createTask('idle', {
      key: 'ui-key-1',
      keyMode: 'debounce',
      keyMaxWait: '5m',
      keyRetention: '2h',
      delay: '1m',
    });
    const plain = await stack.createTask('idle', { key: 'ui-key-2' });

    const { page } = await browser.open(stack, { hash: `#/tasks/${debounced}` });
    const facts = page.locator('dl.facts');
    await visible(facts);
    await eventually(async () => (await textOf(facts)) ?? '').toMatch(
      /Key\s*ui-key-1 \(debounce; never postponed past /,
    );
    await eventually(async () => (await textOf(facts)) ?? '').toContain('reserved 2 h 0 min after it finishes');

    const other = await browser.open(stack, { hash: `#/tasks/${plain}` });
    const otherFacts = other.page.locator('dl.facts');
    await visible(otherFacts);
    await eventually(async () => (await textOf(otherFacts)) ?? '').toMatch(/Key\s*ui-key-2 \(keep\)/);
  });
});

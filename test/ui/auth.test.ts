import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import {
  actionsOn,
  byTestIdPrefix,
  screenshot,
  textOf,
  TOKEN_KEY,
  useBrowser,
  visible,
  type PageGlobals,
  type UiPage,
  eventually,
} from './browser.js';
import {
  ADMIN_TOKEN,
  ENQUEUE_TOKEN,
  READ_TOKEN,
  SCOPED_TOKEN,
  seedFailed,
  startUiStack,
  type UiStack,
} from './support.js';

/**
 * Signing in and what each token may see and do (issue 19, Authentication): the token lives in
 * sessionStorage, a bad one is refused with the API's problem detail, weaker roles find no action
 * (and the server refuses one all the same), an open API says so.
 */
const browser = useBrowser();

const storedToken = (ui: UiPage) =>
  ui.page.evaluate((key) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(key), TOKEN_KEY);

describe.each(drivers())('dashboard sign-in and roles on %s', (driver) => {
  let stack: UiStack;
  let failedId: string;
  let waitingId: string;

  beforeAll(async () => {
    stack = await startUiStack(driver);
    [failedId] = await seedFailed(stack, 'emails', ['/status-400/auth']);
    waitingId = await stack.createTask('idle', { path: '/waits' });
  });
  afterAll(async () => stack?.close());

  it('refuses a bad token with the API problem detail, then signs in with a good one', async () => {
    const ui = await browser.open(stack, { token: null });
    const { page } = ui;
    await visible(page.getByTestId('signin-token'));
    await screenshot(page, 'sign-in');

    await page.getByTestId('signin-token').fill('not-a-valid-token-000000000000');
    await page.getByTestId('signin-submit').click();
    await eventually(() => textOf(page.getByTestId('signin-error'))).toContain('the bearer token is not valid');
    expect(await storedToken(ui)).toBeNull();
    expect(await page.getByTestId('nav-queues').count()).toBe(0);

    await page.getByTestId('signin-token').fill(ADMIN_TOKEN);
    await page.getByTestId('signin-submit').click();
    await visible(page.getByTestId('queue-row-emails'));
    await visible(page.getByTestId('nav-queues'));
    expect(await storedToken(ui)).toBe(ADMIN_TOKEN);
    // Tokens are configured: no open-API banner, and no cookie carries the token.
    expect(await page.getByTestId('banner-open-api').count()).toBe(0);
    expect(await ui.context.cookies()).toEqual([]);
  });

  it('signs out: the token is forgotten and the sign-in page is back', async () => {
    const ui = await browser.open(stack, { hash: '#/' });
    const { page } = ui;
    await visible(page.getByTestId('queue-row-emails'));
    await page.getByTestId('sign-out').click();
    await visible(page.getByTestId('signin-token'));
    expect(await storedToken(ui)).toBeNull();
    // A link to a page needs the sign-in again.
    await page.goto(`${stack.uiUrl}#/queues/emails`);
    await visible(page.getByTestId('signin-token'));
    expect(await page.getByTestId('queue-config').count()).toBe(0);
  });

  it('gives a read-only token no action on any page, and the server refuses one forced', async () => {
    const ui = await browser.open(stack, { token: READ_TOKEN, hash: '#/' });
    const { page } = ui;
    // Each page is checked once its data is shown, so an action drawn late would be seen.
    const pages: [string, () => Promise<unknown>][] = [
      ['#/', () => visible(page.getByTestId('queue-row-emails'))],
      ['#/queues/emails', () => visible(page.getByTestId('queue-config'))],
      [`#/tasks/${failedId}`, () => eventually(() => textOf(page.getByTestId('task-state'))).toContain('failed')],
      [`#/tasks/${waitingId}`, () => visible(page.getByTestId('task-waiting'))],
      ['#/tasks?queue=emails', () => visible(page.getByTestId(`task-row-${failedId}`))],
      ['#/failed', () => visible(page.getByTestId('failure-group'))],
    ];
    for (const [hash, loaded] of pages) {
      await page.goto(`${stack.uiUrl}${hash}`);
      await loaded();
      expect(await actionsOn(page), `actions on ${hash}`).toEqual([]);
    }

    // The UI's own credential, used by hand: the server says no and changes nothing.
    const forced = await page.evaluate(
      async ({ key, pauseUrl, retryUrl }) => {
        const { sessionStorage } = globalThis as unknown as PageGlobals;
        const headers = { authorization: `Bearer ${sessionStorage.getItem(key)}`, 'content-type': 'application/json' };
        const pause = await fetch(pauseUrl, { method: 'POST', headers, body: '{}' });
        const retry = await fetch(retryUrl, { method: 'POST', headers, body: '{}' });
        return [pause.status, retry.status, pause.headers.get('content-type')];
      },
      {
        key: TOKEN_KEY,
        pauseUrl: `${stack.url}/v1/queues/emails/pause`,
        retryUrl: `${stack.url}/v1/tasks/${failedId}/retry`,
      },
    );
    expect(forced).toEqual([403, 403, expect.stringContaining('application/problem+json')]);
    const queues = await stack.api('GET', '/v1/queues');
    expect(queues.body.queues.find((q: { name: string }) => q.name === 'emails').paused).toBe(false);
    expect((await stack.task(failedId)).state).toBe('failed');
  });

  it('gives an enqueue token no operator action', async () => {
    const ui = await browser.open(stack, { token: ENQUEUE_TOKEN, hash: `#/tasks/${waitingId}` });
    const { page } = ui;
    await visible(page.getByTestId('task-waiting'));
    expect(await actionsOn(page)).toEqual([]);
    await page.goto(`${stack.uiUrl}#/queues/idle`);
    await visible(page.getByTestId('queue-config'));
    expect(await actionsOn(page)).toEqual([]);
  });

  it('shows a queue-scoped token only its queues', async () => {
    const reportId = await stack.createTask('reports', { path: '/scoped' });
    const ui = await browser.open(stack, { token: SCOPED_TOKEN, hash: '#/' });
    const { page } = ui;
    await visible(page.getByTestId('queue-row-reports'));
    expect(await byTestIdPrefix(page, 'queue-row-').count()).toBe(1);

    await page.goto(`${stack.uiUrl}#/tasks`);
    await visible(page.getByTestId(`task-row-${reportId}`));
    expect(await page.getByTestId(`task-row-${failedId}`).count()).toBe(0);
    expect(await page.getByTestId(`task-row-${waitingId}`).count()).toBe(0);
  });

  it('says when the API is open, and needs no sign-in then', async () => {
    const open = await startUiStack(driver, { open: true });
    try {
      const ui = await browser.open(open, { hash: '#/' });
      const { page } = ui;
      await visible(page.getByTestId('banner-open-api'));
      await visible(page.getByTestId('queue-row-emails'));
      expect(await page.getByTestId('signin-token').count()).toBe(0);
      expect(await textOf(page.getByTestId('banner-open-api'))).toMatch(/open/i);
    } finally {
      await open.close();
    }
  });
});

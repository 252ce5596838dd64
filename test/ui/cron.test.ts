import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from '../support/databases.js';
import { eventually, hashOf, PHONE, screenshot, textOf, useBrowser, visible, type PageGlobals } from './browser.js';
import { READ_TOKEN, SCOPED_TOKEN, startUiStack, type UiStack } from './support.js';

/**
 * The cron pages (issue 20) against a real recorder and scheduler: the list with the API's next fire
 * times, an entry's definition (secrets redacted, the body as text), "Trigger now" creating a run
 * whose task names its entry, pause and resume, delete behind a typed name, what a read token may
 * not do, the empty state, and the phone. Entries are seeded through PUT /v1/cron/{name}.
 */
const browser = useBrowser();

const HEADER_SECRET = 'Bearer cron-secret-7f3a9c';
const SCRIPT_BODY = '<img src=x onerror=window.__dispatchrXss=1>';
const CRON_ACTION_TEST_IDS = ['cron-pause', 'cron-resume', 'cron-trigger', 'cron-delete'];

const HOUR = 3_600_000;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The hour (0-23) and weekday (0 = Sunday) that `date` is on in the zone's wall clock. */
function wallClock(zone: string, date: Date): { hour: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23', weekday: 'long' })
    .formatToParts(date)
    .reduce<Record<string, string>>((all, part) => ({ ...all, [part.type]: part.value }), {});
  return { hour: Number(parts.hour), weekday: DAYS.indexOf(parts.weekday) };
}

/**
 * Schedules placed hours or days from now, whenever the suite runs, so no entry fires by itself
 * during a test (a fixed "02:30" would, on some run): a daily one about 12 hours ahead, a weekly
 * one 3 days ahead, and an interval whose multiples since 1970 are 30 days apart.
 */
const now = new Date();
const daily = wallClock('Europe/London', new Date(now.getTime() + 12 * HOUR));
const weekly = wallClock('America/New_York', new Date(now.getTime() + 72 * HOUR));
const pad = (hour: number) => String(hour).padStart(2, '0');
const DAILY_WORDS = `every day at ${pad(daily.hour)}:30`;
const WEEKLY_WORDS = `every ${DAYS[weekly.weekday]} at ${pad(weekly.hour)}:00`;

const ENTRIES: Record<string, Record<string, unknown>> = {
  'nightly-report': {
    queue: 'emails',
    schedule: `30 ${daily.hour} * * *`,
    timezone: 'Europe/London',
    path: '/cron/nightly',
    headers: { authorization: HEADER_SECRET, 'x-team': 'ops' },
    body: { note: SCRIPT_BODY },
  },
  sync: { queue: 'emails', schedule: '@every 30d', path: '/cron/sync' },
  'weekly-idle': {
    queue: 'idle',
    schedule: `0 ${weekly.hour} * * ${weekly.weekday}`,
    timezone: 'America/New_York',
    path: '/weekly',
  },
};

async function putEntry(stack: UiStack, name: string, definition: Record<string, unknown>): Promise<void> {
  const reply = await stack.api('PUT', `/v1/cron/${name}`, { body: definition });
  if (reply.status !== 201) throw new Error(`PUT /v1/cron/${name} answered ${reply.status}: ${reply.text}`);
}

async function apiEntry(stack: UiStack, name: string): Promise<any> {
  const reply = await stack.api('GET', `/v1/cron/${name}`);
  if (reply.status !== 200) throw new Error(`GET /v1/cron/${name} answered ${reply.status}: ${reply.text}`);
  return reply.body;
}

/** The UTC instant (as `toISOString` writes it) a time element in the scope shows. */
async function shownInstant(page: Page, testId: string, scope = page.locator('body')): Promise<string | null> {
  const time = scope.getByTestId(testId).locator('time');
  if ((await time.count()) === 0) return null;
  return time.first().getAttribute('datetime');
}

const iso = (text: string) => new Date(text).toISOString();

/** The page's style lookup, typed just enough for the label a phone shows before each cell. */
interface LabelGlobals {
  getComputedStyle(element: unknown, pseudo: string): { content: string };
}

async function cronActionsOn(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const id of CRON_ACTION_TEST_IDS) if ((await page.getByTestId(id).count()) > 0) found.push(id);
  return found;
}

describe.each(drivers())('dashboard cron on %s', (driver) => {
  let stack: UiStack;

  beforeAll(async () => {
    stack = await startUiStack(driver);
    for (const [name, definition] of Object.entries(ENTRIES)) await putEntry(stack, name, definition);
  });
  afterAll(async () => stack?.close());

  it("lists the entries with the API's next fire time, in both zones on hover", async () => {
    const { page } = await browser.open(stack, { hash: '#/cron' });
    await visible(page.getByTestId('nav-cron'));
    for (const name of Object.keys(ENTRIES)) {
      const row = page.getByTestId(`cron-row-${name}`);
      await visible(row);
      const api = await apiEntry(stack, name);
      expect(api.nextFireTimes.length).toBeGreaterThan(0);
      await eventually(() => shownInstant(page, 'cron-next', row)).toBe(iso(api.nextFireTimes[0]));
      expect(await textOf(row.getByTestId('cron-status'))).toBe('active');
    }
    const nightly = page.getByTestId('cron-row-nightly-report');
    expect(await textOf(nightly)).toContain(DAILY_WORDS);
    expect(await textOf(nightly)).toContain('Europe/London');
    const title = (await nightly.getByTestId('cron-next').locator('time').getAttribute('title')) ?? '';
    expect(title).toContain('Your time (');
    expect(title).toContain("Entry's zone (Europe/London)");
    expect(title).toContain(`UTC: ${iso((await apiEntry(stack, 'nightly-report')).nextFireTimes[0])}`);
    expect(await textOf(page.getByTestId('cron-row-weekly-idle'))).toContain(WEEKLY_WORDS);
  });

  it('shows the definition with sensitive headers redacted, the body as text and the next five fires', async () => {
    const { page } = await browser.open(stack, { hash: '#/cron/nightly-report' });
    const definition = page.getByTestId('cron-definition');
    await visible(definition);
    const text = (await textOf(definition)) ?? '';
    expect(text).toContain(String(ENTRIES['nightly-report'].schedule));
    expect(text).toContain('Europe/London');
    expect(text).toContain('POST /cron/nightly');
    const headers = (await textOf(page.getByTestId('cron-headers'))) ?? '';
    expect(headers).toContain('x-team');
    expect(headers).toContain('[redacted]');
    expect(await page.content()).not.toContain(HEADER_SECRET);
    // The body is user data: shown as its text, never run.
    expect(await textOf(page.getByTestId('cron-body'))).toContain(SCRIPT_BODY);
    expect(await page.locator('[data-testid="cron-body"] img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__dispatchrXss)).toBeUndefined();

    const api = await apiEntry(stack, 'nightly-report');
    expect(api.nextFireTimes).toHaveLength(5);
    const times = await page.getByTestId('cron-next-fires').locator('time').all();
    const shown = await Promise.all(times.map((time) => time.getAttribute('datetime')));
    expect(shown).toEqual(api.nextFireTimes.map(iso));
    expect(await textOf(page.getByTestId('cron-next-fires'))).toContain('in Europe/London');
    expect(await page.getByTestId('cron-runs-empty').count()).toBe(1);
  });

  it('"Trigger now" adds a run linked to a task whose page names the entry and its fire time', async () => {
    const { page } = await browser.open(stack, { hash: '#/cron/sync' });
    await visible(page.getByTestId('cron-runs-empty'));
    await page.getByTestId('cron-trigger').click();
    await visible(page.getByTestId('cron-fired'));

    const runs = (await stack.api('GET', '/v1/cron/sync/runs')).body.runs;
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({ kind: 'manual', outcome: 'fired' });
    expect(await textOf(page.getByTestId('cron-fired'))).toContain(run.taskId);
    const row = page.getByTestId(`cron-run-${run.taskId}`);
    await visible(row);
    expect(await textOf(row)).toContain('triggered');
    // The scheduler sends it; the run's outcome follows its task.
    await eventually(() => textOf(row.getByTestId('cron-run-outcome'))).toBe('completed');
    expect(stack.target.for('/emails/cron/sync')).toHaveLength(1);
    await screenshot(page, 'cron-entry');

    await row.getByTestId('cron-run-task').click();
    await eventually(() => hashOf(page)).toBe(`#/tasks/${run.taskId}`);
    const origin = page.getByTestId('task-cron');
    await visible(origin);
    expect(await textOf(origin)).toMatch(/^Cron: sync · fire time /);
    expect(await origin.locator('a').getAttribute('href')).toBe('#/cron/sync');
    const task = await stack.task(run.taskId);
    expect(task).toMatchObject({ cron: 'sync', cronFireAt: run.fireAt });
    expect(await origin.locator('time').getAttribute('datetime')).toBe(iso(run.fireAt));
    await screenshot(page, 'cron-task');

    // The list shows the fire as the entry's last, with its task's state.
    await page.goto(`${stack.uiUrl}#/cron`);
    const listRow = page.getByTestId('cron-row-sync');
    await eventually(() => shownInstant(page, 'cron-last', listRow)).toBe(iso(run.fireAt));
    expect(await listRow.getByTestId('cron-last-task').getAttribute('href')).toBe(`#/tasks/${run.taskId}`);
    await eventually(() => textOf(listRow.getByTestId('cron-last-task'))).toBe('completed');
    await screenshot(page, 'cron');
  });

  it('pauses and resumes an entry, and the API agrees', async () => {
    const { page } = await browser.open(stack, { hash: '#/cron/weekly-idle' });
    const status = page.getByTestId('cron-entry-status');
    await eventually(() => textOf(status)).toBe('active');
    await page.getByTestId('cron-pause').click();
    await eventually(() => textOf(status)).toBe('paused');
    expect(await apiEntry(stack, 'weekly-idle')).toMatchObject({ status: 'paused', nextFireTimes: [] });
    await eventually(() => textOf(page.getByTestId('cron-next-fires'))).toContain('None while it is paused');
    expect(await page.getByTestId('cron-pause').count()).toBe(0);

    await page.getByTestId('cron-resume').click();
    await eventually(() => textOf(status)).toBe('active');
    const resumed = await apiEntry(stack, 'weekly-idle');
    expect(resumed.status).toBe('active');
    expect(resumed.nextFireTimes).toHaveLength(5);
    await eventually(() => page.getByTestId('cron-next-fires').locator('time').count()).toBe(5);
  });

  it('offers a read token no cron action, and the API refuses one all the same', async () => {
    const { page } = await browser.open(stack, { token: READ_TOKEN, hash: '#/cron/nightly-report' });
    await visible(page.getByTestId('cron-definition'));
    await visible(page.getByTestId('cron-runs-empty'));
    expect(await cronActionsOn(page)).toEqual([]);
    await page.goto(`${stack.uiUrl}#/cron`);
    await visible(page.getByTestId('cron-row-nightly-report'));
    expect(await cronActionsOn(page)).toEqual([]);

    for (const action of ['pause', 'trigger']) {
      const reply = await stack.api('POST', `/v1/cron/nightly-report/${action}`, { token: READ_TOKEN });
      expect(reply.status, action).toBe(403);
    }
    expect((await apiEntry(stack, 'nightly-report')).status).toBe('active');
    expect((await stack.api('GET', '/v1/cron/nightly-report/runs')).body.runs).toEqual([]);
  });

  it('deletes an API entry only once its name is typed', async () => {
    await putEntry(stack, 'doomed', { queue: 'idle', schedule: '@every 30d', path: '/doomed' });
    const { page } = await browser.open(stack, { hash: '#/cron/doomed' });
    await page.getByTestId('cron-delete').click();
    const input = page.getByTestId('cron-delete-input');
    const confirm = page.getByTestId('cron-delete-confirm');
    await visible(input);
    expect(await confirm.isDisabled()).toBe(true);
    await input.fill('doome');
    expect(await confirm.isDisabled()).toBe(true);
    await input.fill('sync');
    expect(await confirm.isDisabled()).toBe(true);
    expect((await stack.api('GET', '/v1/cron/doomed')).status).toBe(200);

    await input.fill('doomed');
    await confirm.click();
    await eventually(() => hashOf(page)).toBe('#/cron');
    expect((await stack.api('GET', '/v1/cron/doomed')).status).toBe(404);
    await visible(page.getByTestId('cron-row-sync'));
    expect(await page.getByTestId('cron-row-doomed').count()).toBe(0);
  });

  it('shows a token that sees no entry the empty state, with a dispatchr.yml example', async () => {
    // The scoped token may use only `reports`, which has no entry.
    expect((await stack.api('GET', '/v1/cron', { token: SCOPED_TOKEN })).body.entries).toEqual([]);
    const { page } = await browser.open(stack, { token: SCOPED_TOKEN, hash: '#/cron' });
    await visible(page.getByTestId('empty-state'));
    const example = (await textOf(page.getByTestId('cron-example'))) ?? '';
    expect(example.split('\n')).toHaveLength(3);
    expect(example).toMatch(/^cron:\n/);
    expect(example).toContain('schedule:');
    expect(await page.locator('[data-testid^="cron-row-"]').count()).toBe(0);
  });

  it('shows the list on a phone without sideways scrolling', async () => {
    const { page } = await browser.open(stack, { hash: '#/cron', viewport: PHONE });
    for (const name of Object.keys(ENTRIES)) {
      const row = page.getByTestId(`cron-row-${name}`);
      await visible(row);
      const box = await row.boundingBox();
      expect(box, `cron-row-${name}`).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    }
    const scrollWidth = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
    );
    expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
    // Each value says what it is, as the table head is not shown.
    const label = await page
      .getByTestId('cron-row-sync')
      .getByTestId('cron-next')
      .evaluate((cell) => (globalThis as unknown as LabelGlobals).getComputedStyle(cell, '::before').content);
    expect(label).toBe('"Next fire"');
    await visible(page.getByTestId('nav-cron'));
    await screenshot(page, 'cron-phone');
  });
});

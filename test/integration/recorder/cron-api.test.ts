import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { createCronEntries, type CronEntries } from '../../../src/cron/cron-entries.js';
import { configCronDefinitions } from '../../../src/cron/cron-queue-check.js';
import { createCronRepository } from '../../../src/db/cron.repository.js';
import {
  cronEntryListResponse,
  cronEntryResource,
  cronRunListResponse,
  cronTriggerResponse,
} from '../../../src/recorder/schemas/cron.schema.js';
import { taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { startTestRecorder, TOKEN, type CallOptions, type TestRecorder } from './support.js';

/**
 * The /v1/cron routes over HTTP on each database: define, read, pause, resume, trigger and delete
 * entries; config entries are refused to the API's writes (409); a token scoped to some queues
 * sees only their entries (the others answer 404 as if absent). Bad definitions: cron-api-bad-input.test.ts.
 */
const SCOPED = 'scoped-admin-token-0123456789';

/** A definition that fires at the top of every hour, in `emails`. */
const HOURLY = {
  queue: 'emails',
  schedule: '0 * * * *',
  path: 'tick',
  headers: { Authorization: 'Bearer s3cret', 'X-Trace': 'a' },
  body: { n: 1 },
  timeout: '10s',
  maxAttempts: 3,
};

describe.each(drivers())('the cron API on %s', (driver) => {
  let recorder: TestRecorder;
  let entries: CronEntries;
  beforeAll(async () => {
    recorder = await startTestRecorder(
      driver,
      {
        recorder: { tokens: [TOKEN, { token: SCOPED, role: 'admin', queues: ['reports'] }] },
        cron: {
          nightly: { queue: 'emails', schedule: '30 2 * * *', timezone: 'Europe/London' },
          'weekly-report': { queue: 'reports', schedule: '@weekly' },
        },
      },
      { defaultToken: TOKEN },
    );
    // What every scheduler does at start: the config's entries written to the database.
    entries = createCronEntries({ cron: createCronRepository(recorder.db), clock: systemClock });
    const { cron, queues, scheduler } = recorder.config;
    await entries.syncConfig(configCronDefinitions(cron, queues, scheduler.leaseDuration));
  });
  afterAll(async () => recorder?.close());

  const names = async (token: string = TOKEN) =>
    cronEntryListResponse.parse((await recorder.call('GET', '/v1/cron', { token })).body).entries.map((e) => e.name);
  const put = (name: string, body: unknown, options: CallOptions = {}) =>
    recorder.call('PUT', `/v1/cron/${name}`, { body, ...options });

  it('lists the config entries with their next five fire times', async () => {
    const reply = await recorder.call('GET', '/v1/cron');
    expect(reply.status).toBe(200);
    const [nightly, weekly] = cronEntryListResponse.parse(reply.body).entries;
    expect(nightly).toMatchObject({
      name: 'nightly',
      source: 'config',
      status: 'active',
      queue: 'emails',
      schedule: '30 2 * * *',
      timezone: 'Europe/London',
      path: '',
      method: 'POST',
      headers: {},
      body: null,
      maxAttempts: null,
      timeoutMs: null,
      enabled: true,
      catchUp: 'last',
      overlap: 'allow',
      lastFireAt: null,
      lastTaskId: null,
      lastTaskState: null,
    });
    expect(nightly.nextFireTimes).toHaveLength(5);
    for (const at of nightly.nextFireTimes) {
      // 02:30 in London is 01:30 or 02:30 UTC, whichever the season.
      expect(at).toMatch(/T0[12]:30:00\.000Z$/);
      expect(Date.parse(at)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(weekly.name).toBe('weekly-report');
  });

  it('creates (201), reads, replaces (200) and deletes (204) an API entry', async () => {
    const created = await put('hourly', HOURLY);
    expect(created.status, created.text).toBe(201);
    expect(created.headers.location).toBe('/v1/cron/hourly');
    const entry = cronEntryResource.parse(created.body);
    expect(entry).toMatchObject({
      name: 'hourly',
      source: 'api',
      status: 'active',
      queue: 'emails',
      path: '/tick',
      headers: { authorization: '[redacted]', 'x-trace': 'a' },
      body: { n: 1 },
      maxAttempts: 3,
      timeoutMs: 10_000,
      timezone: 'UTC',
    });
    expect(entry.nextFireTimes).toHaveLength(5);
    const gaps = entry.nextFireTimes.slice(1).map((at, i) => Date.parse(at) - Date.parse(entry.nextFireTimes[i]));
    expect(gaps).toEqual([3_600_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(entry.nextFireTimes[0]).toMatch(/:00:00\.000Z$/);

    expect((await recorder.call('GET', '/v1/cron/hourly')).body).toEqual(entry);
    expect(await names()).toEqual(['hourly', 'nightly', 'weekly-report']);

    const replaced = await put('hourly', { ...HOURLY, body: { n: 2 }, overlap: 'skip' });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.location).toBeUndefined();
    expect(cronEntryResource.parse(replaced.body)).toMatchObject({
      body: { n: 2 },
      overlap: 'skip',
      createdAt: entry.createdAt,
      // Same schedule and zone: the pending fire time is kept.
      nextFireTimes: entry.nextFireTimes,
    });

    const deleted = await recorder.call('DELETE', '/v1/cron/hourly');
    expect(deleted.status).toBe(204);
    expect((await recorder.call('GET', '/v1/cron/hourly')).status).toBe(404);
    expect((await recorder.call('DELETE', '/v1/cron/hourly')).status).toBe(404);
    expect(await names()).toEqual(['nightly', 'weekly-report']);
  });

  it('refuses to change or delete a config entry through the API (409), and changes nothing', async () => {
    const before = (await recorder.call('GET', '/v1/cron/nightly')).body;
    const replaced = await put('nightly', HOURLY);
    expect(replaced.status).toBe(409);
    expect(replaced.body).toMatchObject({ code: 'cron_entry_from_config', status: 409 });
    expect(replaced.body.detail).toContain('"nightly"');
    const deleted = await recorder.call('DELETE', '/v1/cron/nightly');
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('cron_entry_from_config');
    expect((await recorder.call('GET', '/v1/cron/nightly')).body).toEqual(before);
  });

  it('answers 404 cron_entry_not_found for an absent or impossible name, on every route', async () => {
    for (const name of ['absent', '-starts-with-a-dash', 'a%20b', 'x'.repeat(129)]) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/runs'],
        ['DELETE', ''],
        ['POST', '/pause'],
        ['POST', '/resume'],
        ['POST', '/trigger'],
      ] as const) {
        const reply = await recorder.call(method, `/v1/cron/${name}${suffix}`);
        expect(reply.status, `${method} ${name}${suffix}`).toBe(404);
        expect(reply.body.code).toBe('cron_entry_not_found');
      }
    }
    expect(await recorder.count()).toBe(0);
  });

  it('triggers a run: a task marked with the entry and fire time, listed in the runs', async () => {
    expect((await put('hourly', HOURLY)).status).toBe(201);
    const reply = await recorder.call('POST', '/v1/cron/hourly/trigger');
    expect(reply.status, reply.text).toBe(201);
    const fired = cronTriggerResponse.parse(reply.body);
    expect(fired.name).toBe('hourly');
    expect(reply.headers.location).toBe(`/v1/tasks/${fired.taskId}`);

    const task = taskResource.parse((await recorder.call('GET', `/v1/tasks/${fired.taskId}`)).body);
    expect(task).toMatchObject({
      queue: 'emails',
      state: 'available',
      path: '/tick',
      method: 'POST',
      body: { n: 1 },
      maxAttempts: 3,
      timeoutMs: 10_000,
      cron: 'hourly',
      cronFireAt: fired.fireAt,
    });
    expect(task.headers).toMatchObject({ authorization: '[redacted]', 'x-trace': 'a' });

    const { runs } = cronRunListResponse.parse((await recorder.call('GET', '/v1/cron/hourly/runs')).body);
    expect(runs).toEqual([
      {
        fireAt: fired.fireAt,
        kind: 'manual',
        outcome: 'fired',
        taskId: fired.taskId,
        taskState: 'available',
        createdAt: task.createdAt,
        finalizedAt: null,
      },
    ]);
    expect(cronEntryResource.parse((await recorder.call('GET', '/v1/cron/hourly')).body)).toMatchObject({
      lastFireAt: fired.fireAt,
      lastTaskId: fired.taskId,
      lastTaskState: 'available',
    });

    // A second trigger is another run; limit bounds the list, newest first.
    const second = cronTriggerResponse.parse((await recorder.call('POST', '/v1/cron/hourly/trigger')).body);
    const limited = (await recorder.call('GET', '/v1/cron/hourly/runs?limit=1')).body;
    expect(limited.runs.map((run: { taskId: string }) => run.taskId)).toEqual([second.taskId]);
    for (const query of ['limit=0', 'limit=201', 'limit=1e2', 'limit=1&limit=2']) {
      const bad = await recorder.call('GET', `/v1/cron/hourly/runs?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body.errors[0].path).toBe('limit');
    }
    const unknown = await recorder.call('GET', '/v1/cron/hourly/runs?state=failed');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].path).toBe('state');
    // A config entry may be triggered too.
    expect((await recorder.call('POST', '/v1/cron/nightly/trigger')).status).toBe(201);
  });

  it('pauses and resumes an entry: status and next fire times follow', async () => {
    const paused = await recorder.call('POST', '/v1/cron/nightly/pause');
    expect(paused.status).toBe(200);
    expect(cronEntryResource.parse(paused.body)).toMatchObject({ status: 'paused', nextFireTimes: [] });
    expect((await recorder.call('GET', '/v1/cron/nightly')).body.status).toBe('paused');
    // Pausing twice is not an error.
    expect((await recorder.call('POST', '/v1/cron/nightly/pause')).body.status).toBe('paused');

    const resumed = cronEntryResource.parse((await recorder.call('POST', '/v1/cron/nightly/resume')).body);
    expect(resumed.status).toBe('active');
    expect(resumed.nextFireTimes).toHaveLength(5);
    expect(Date.parse(resumed.nextFireTimes[0])).toBeGreaterThan(Date.now() - 1_000);

    // enabled: false is its own status, and never fires.
    const disabled = await put('off', { queue: 'emails', schedule: '@hourly', enabled: false });
    expect(disabled.status).toBe(201);
    expect(disabled.body).toMatchObject({ status: 'disabled', enabled: false, nextFireTimes: [] });
  });

  it('shows a token scoped to some queues only their entries; the others are 404 as if absent', async () => {
    expect(await names(SCOPED)).toEqual(['weekly-report']);
    const before = (await recorder.call('GET', '/v1/cron/nightly')).body;
    const tasks = await recorder.count();
    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/runs'],
      ['DELETE', ''],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['POST', '/trigger'],
    ] as const) {
      const hidden = await recorder.call(method, `/v1/cron/nightly${suffix}`, { token: SCOPED });
      const absent = await recorder.call(method, `/v1/cron/nightlz${suffix}`, { token: SCOPED });
      expect(hidden.status, `${method} ${suffix}`).toBe(404);
      expect(hidden.body).toEqual({ ...absent.body, detail: absent.body.detail.replace('nightlz', 'nightly') });
    }
    expect((await recorder.call('GET', '/v1/cron/nightly')).body).toEqual(before);
    expect(await recorder.count()).toBe(tasks);

    // Writes into another queue are 403, as a task create there is; nothing is stored.
    const outside = await put('mine', { queue: 'emails', schedule: '@daily' }, { token: SCOPED });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ code: 'forbidden', detail: 'this token may not use queue "emails"' });
    const takeOver = await put('hourly', { queue: 'reports', schedule: '@daily' }, { token: SCOPED });
    expect(takeOver.status).toBe(403);
    expect(takeOver.body.code).toBe('forbidden');
    expect((await recorder.call('GET', '/v1/cron/hourly')).body.queue).toBe('emails');
    expect((await recorder.call('GET', '/v1/cron/mine')).status).toBe(404);

    // Its own queue: allowed, and it sees the entry it made.
    expect((await put('mine', { queue: 'reports', schedule: '@daily' }, { token: SCOPED })).status).toBe(201);
    expect(await names(SCOPED)).toEqual(['mine', 'weekly-report']);
    expect((await recorder.call('POST', '/v1/cron/mine/trigger', { token: SCOPED })).status).toBe(201);
  });

  it('deletes a config entry once the config no longer has it (orphaned)', async () => {
    // A scheduler started with a config without `nightly`: it stays, orphaned, until deleted.
    const { queues, scheduler } = recorder.config;
    await entries.syncConfig(configCronDefinitions({}, queues, scheduler.leaseDuration));
    expect(cronEntryResource.parse((await recorder.call('GET', '/v1/cron/nightly')).body)).toMatchObject({
      source: 'config',
      status: 'orphaned',
      nextFireTimes: [],
    });
    expect((await recorder.call('DELETE', '/v1/cron/nightly')).status).toBe(204);
    expect((await recorder.call('GET', '/v1/cron/nightly')).status).toBe(404);
  });
});

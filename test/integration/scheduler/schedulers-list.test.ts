import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Orm } from '../../../src/db/orm.js';
import { createSchedulerRegistry } from '../../../src/db/scheduler-registry.repository.js';
import { silentLogger } from '../../../src/logger.js';
import { ANONYMOUS, type Principal } from '../../../src/recorder/auth.js';
import type { RecorderContext, RecorderDeps, RecorderState, Stores } from '../../../src/recorder/context.js';
import { buildRouter } from '../../../src/recorder/routes/index.js';
import { schedulerRoutes } from '../../../src/recorder/routes/schedulers.js';
import { schedulerListResponse } from '../../../src/recorder/scheduler-view.js';
import { createTestDatabase, drivers, type TestDatabase } from '../../support/databases.js';

/**
 * `dispatchr schedulers` (a real process) and GET /v1/schedulers (the route on a bare Koa app, as
 * the recorder mounts it) over the same registry: one live scheduler, one silent for an hour.
 */
const BIN = path.resolve('bin/dev.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'schedulers', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe.each(drivers())('schedulers list on %s', (driver) => {
  let testDb: TestDatabase;
  let db: Orm;
  let dir: string;
  let configFile: string;
  const now = new Date();

  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    db = await testDb.openMigrated();
    const registry = createSchedulerRegistry(db);
    await registry.heartbeat({
      id: 'sched-live',
      queues: ['emails', 'reports'],
      startedAt: new Date(now.getTime() - 60_000),
      at: now,
      rates: { emails: 2.5, reports: null },
    });
    await registry.heartbeat({
      id: 'sched-dead',
      queues: ['reports'],
      startedAt: new Date(now.getTime() - 7_200_000),
      at: new Date(now.getTime() - 3_600_000),
      rates: { reports: 40 },
    });
    // A write that was stuck and lands late moves neither the heartbeat nor the rates back.
    await registry.heartbeat({
      id: 'sched-live',
      queues: ['emails', 'reports'],
      startedAt: new Date(now.getTime() - 60_000),
      at: new Date(now.getTime() - 30_000),
      rates: { emails: 1 },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-schedulers-'));
    configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(
      configFile,
      [
        `database: { url: "${testDb.url}" }`,
        'scheduler: { heartbeatInterval: 5s }',
        'queues:',
        '  emails: { target: "http://127.0.0.1:9/e", allowPrivateNetwork: true }',
        '  reports: { target: "http://127.0.0.1:9/r", allowPrivateNetwork: true }',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await testDb?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('dispatchr schedulers --json lists both, alive first, with the API shape', async () => {
    const { code, stdout, stderr } = await runCli(['--config', configFile, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const body = schedulerListResponse.parse(JSON.parse(stdout));
    expect(body.schedulers.map((s) => [s.id, s.alive])).toEqual([
      ['sched-live', true],
      ['sched-dead', false],
    ]);
    expect(body.schedulers[0]).toMatchObject({
      queues: ['emails', 'reports'],
      pid: process.pid,
      heartbeatAt: now.toISOString(),
      rates: { emails: 2.5, reports: null },
    });
    expect(body.schedulers[1].rates).toEqual({ reports: 40 });
    expect(body.schedulers[1].silentMs).toBeGreaterThanOrEqual(3_600_000);
  });

  it('dispatchr schedulers prints a table that says alive and dead', async () => {
    const { code, stdout } = await runCli(['--config', configFile]);
    expect(code).toBe(0);
    const [header, live, dead, ...rest] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+HOST\s+PID\s+QUEUES\s+STARTED\s+LAST HEARTBEAT\s+STATUS$/);
    expect(live).toMatch(/^sched-live\s.*emails,reports.*\salive$/);
    expect(dead).toMatch(/^sched-dead\s.*reports.*\(60m ago\)\s+dead$/);
    expect(rest.join('\n')).toContain('1 dead: no heartbeat for 5 × 5s');
  });

  describe('GET /v1/schedulers', () => {
    let server: http.Server;
    let url: string;
    let principal: Principal = ANONYMOUS;

    beforeAll(async () => {
      const config = parseConfig({ database: { url: testDb.url }, scheduler: { heartbeatInterval: '5s' } });
      // The route reads config, clock and the database only.
      const used: Pick<RecorderDeps, 'config' | 'clock' | 'logger' | 'stores'> = {
        config,
        clock: { now: () => new Date() },
        logger: silentLogger,
        stores: async () => ({ db }) as Stores,
      };
      const deps = used as RecorderDeps;
      const app = new Koa<RecorderState, RecorderContext>();
      app.use(async (ctx, next) => {
        ctx.state.principal = principal;
        await next();
      });
      app.use(buildRouter(schedulerRoutes(deps), deps).routes());
      server = http.createServer(app.callback());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/schedulers`;
    });
    afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

    it('answers every scheduler to an unscoped token', async () => {
      principal = ANONYMOUS;
      const response = await request(url);
      expect(response.statusCode).toBe(200);
      const body = schedulerListResponse.parse(await response.body.json());
      expect(body.schedulers.map((s) => [s.id, s.alive, s.queues, s.rates])).toEqual([
        ['sched-live', true, ['emails', 'reports'], { emails: 2.5, reports: null }],
        ['sched-dead', false, ['reports'], { reports: 40 }],
      ]);
    });

    it('shows a scoped token only the schedulers of its queues, and only those queues', async () => {
      principal = { id: 'scoped', name: 'emails-only', queues: new Set(['emails']), role: 'read' };
      const body = schedulerListResponse.parse(await (await request(url)).body.json());
      expect(body.schedulers.map((s) => [s.id, s.queues, s.rates])).toEqual([
        ['sched-live', ['emails'], { emails: 2.5 }],
      ]);
    });
  });
});

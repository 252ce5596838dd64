import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSchedulerRegistry } from '../../../src/db/scheduler-registry.repository.js';
import { schedulerListResponse } from '../../../src/recorder/scheduler-view.js';
import { runCli } from '../../support/cli.js';
import { drivers } from '../../support/databases.js';
import { QUEUES, startTestRecorder, TOKEN, type TestRecorder } from '../recorder/support.js';
import { json } from './support.js';

/**
 * `dispatchr schedulers` is an operator command like the others: through a recorder (`--url`,
 * `--token`, GET /v1/schedulers) it lists the same schedulers as from the database (`--config`),
 * as a table or as the API's JSON, and a refused token exits 2 as it does for every command.
 */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr schedulers through a recorder on %s', (driver) => {
  let recorder: TestRecorder;
  let dir: string;
  let configFile: string;
  // An hour between heartbeats: "alive" then lasts 5 h, however slowly a busy machine runs the test.
  const scheduler = { heartbeatInterval: '1h' };

  beforeAll(async () => {
    recorder = await startTestRecorder(driver, { recorder: { tokens: [TOKEN] }, scheduler }, { defaultToken: TOKEN });
    const registry = createSchedulerRegistry(recorder.db);
    const now = new Date();
    const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
    await registry.heartbeat({ id: 'sched-live', queues: ['emails', 'reports'], startedAt: hoursAgo(1), at: now });
    await registry.heartbeat({ id: 'sched-dead', queues: ['reports'], startedAt: hoursAgo(8), at: hoursAgo(6) });
    dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-schedulers-url-'));
    configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(
      configFile,
      stringify({ database: { url: recorder.config.database.url }, scheduler, queues: QUEUES }),
    );
  });
  afterAll(async () => {
    await recorder?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const viaUrl = (args: string[], token = TOKEN) =>
    runCli(['schedulers', ...args, '--url', recorder.url], { env: { DISPATCHR_TOKEN: token, DISPATCHR_URL: '' } });
  const viaDb = (args: string[]) =>
    runCli(['schedulers', ...args, '--config', configFile], { env: { DISPATCHR_URL: '', DISPATCHR_TOKEN: '' } });

  it('--url --json answers the same schedulers as --config --json', async () => {
    const [fromUrl, fromDb] = await Promise.all([viaUrl(['--json']), viaDb(['--json'])]);
    expect(fromUrl.code, fromUrl.stderr).toBe(0);
    expect(fromDb.code, fromDb.stderr).toBe(0);
    const urlBody = schedulerListResponse.parse(json(fromUrl));
    const dbBody = schedulerListResponse.parse(json(fromDb));
    // Silence is measured when each answer is made; everything else is identical.
    const withoutSilence = (body: typeof urlBody) => body.schedulers.map(({ silentMs, ...rest }) => rest);
    expect(withoutSilence(urlBody)).toEqual(withoutSilence(dbBody));
    expect(urlBody.schedulers.map((s) => [s.id, s.alive])).toEqual([
      ['sched-live', true],
      ['sched-dead', false],
    ]);
  });

  it('prints the table through the recorder; the dead note names the intervals without guessing their length', async () => {
    const result = await viaUrl([]);
    expect(result.code, result.stderr).toBe(0);
    const [header, live, dead, ...rest] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+HOST\s+PID\s+QUEUES\s+STARTED\s+LAST HEARTBEAT\s+STATUS$/);
    expect(live).toMatch(/^sched-live\s.*emails,reports.*\salive$/);
    expect(dead).toMatch(/^sched-dead\s.*reports.*\s+dead$/);
    expect(rest.join('\n')).toContain('1 dead: no heartbeat for 5 heartbeat intervals');
  });

  it('a refused token exits 2 with one line', async () => {
    const result = await viaUrl(['--json'], 'not-the-token-0123456789');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

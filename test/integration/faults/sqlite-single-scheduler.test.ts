import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../support/fault/fault-env.js';
import { spawnScheduler, type SchedulerProcess } from '../../support/fault/scheduler-process.js';

/**
 * SQLite has one writer and no SKIP LOCKED: a second scheduler on the same file is refused with a
 * clear message (two real processes), and once the first has stopped, a new one starts.
 */
describe('fault (fast): a second scheduler on one SQLite file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-sqlite-two-'));
  const started: SchedulerProcess[] = [];
  afterAll(async () => {
    for (const child of started) if (child.alive) child.kill('SIGKILL');
    await Promise.all(started.map((child) => child.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused while the first is alive, and starts once the first has stopped', { timeout: 60_000 }, async () => {
    const configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(
      configFile,
      [
        'database: { url: "sqlite:./shared.db" }',
        'scheduler: { heartbeatInterval: 1s }',
        'queues:',
        '  q: { target: "http://127.0.0.1:9/x", allowPrivateNetwork: true }',
        '',
      ].join('\n'),
    );
    const spawn = (name: string) => {
      const child = spawnScheduler({ name, configFile });
      started.push(child);
      return child;
    };
    const first = spawn('first');
    const firstId = await first.ready;
    const second = spawn('second');
    await until(() => second.stderr().includes('error: another scheduler'), 20_000, 'the refusal');
    expect(second.stderr()).toContain(`another scheduler (${firstId}`);
    expect(second.stderr()).toContain('SQLite supports one scheduler, use PostgreSQL to run several');
    expect(second.find('scheduler started')).toEqual([]);
    expect(first.alive).toBe(true);
    // It should also exit (code 1); test/faults/sqlite-single-scheduler.test.ts tracks that it does not yet.
    second.kill('SIGKILL');

    first.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const third = spawn('third');
    await third.ready;
    third.kill('SIGKILL');
  });
});

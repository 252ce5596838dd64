import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../support/fault/fault-env.js';
import { spawnScheduler, type SchedulerProcess } from '../support/fault/scheduler-process.js';

// The refused second scheduler must exit: an open SQLite pool left behind by a failed start()
// would keep the process alive after its message (src/commands/schedule.ts closes it).
describe('fault (full): a refused second SQLite scheduler exits', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-sqlite-exit-'));
  const started: SchedulerProcess[] = [];
  afterAll(async () => {
    for (const child of started) if (child.alive) child.kill('SIGKILL');
    await Promise.all(started.map((child) => child.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it('with code 1 within 10 s of its refusal', { timeout: 60_000 }, async () => {
    const configFile = path.join(dir, 'dispatchr.yml');
    writeFileSync(
      configFile,
      [
        'database: { url: "sqlite:./shared.db" }',
        'queues:',
        '  q: { target: "http://127.0.0.1:9/x", allowPrivateNetwork: true }',
        '',
      ].join('\n'),
    );
    const first = spawnScheduler({ name: 'first', configFile });
    started.push(first);
    await first.ready;
    const second = spawnScheduler({ name: 'second', configFile });
    started.push(second);
    await until(() => second.stderr().includes('error: another scheduler'), 20_000, 'the refusal');
    await until(() => !second.alive, 10_000, 'the refused scheduler to exit');
    expect((await second.exited).code).toBe(1);
  });
});

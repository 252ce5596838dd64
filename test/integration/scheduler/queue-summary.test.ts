import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createTaskRepository } from '../../../src/db/task.repository.js';
import { createLogger } from '../../../src/logger.js';
import { createScheduler, type Scheduler } from '../../../src/scheduler/scheduler.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { newTask } from '../../support/new-task.js';
import { startTargetServer, waitFor, type TargetServer } from '../../support/target-server.js';

/**
 * At the default level the scheduler logs a summary per busy queue, not a line per task; at debug
 * the per-task lines come back. Real scheduler, real SQLite file, real target.
 */
interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capture(level: string): { logger: ReturnType<typeof createLogger>; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { logger: createLogger({ level, destination: stream, pretty: false }), lines };
}

describe('the scheduler log at the default level', () => {
  let testDb: TestDatabase;
  let target: TargetServer;
  let scheduler: Scheduler | undefined;

  afterEach(async () => {
    await scheduler?.stop({ timeoutMs: 1_000 });
    await target?.close();
    await testDb?.cleanup();
  });

  async function run(level: string, summaryInterval: string) {
    target = await startTargetServer({
      '/q/ok': (_req, res) => res.writeHead(200).end(),
      '/q/bad': (_req, res) => res.writeHead(400).end('nope'),
      '/q/flaky': (_req, res, n) => res.writeHead(n === 1 ? 503 : 200).end(),
    });
    testDb = await createTestDatabase('sqlite');
    const db = await testDb.openMigrated();
    const config = parseConfig({
      database: { url: testDb.url },
      scheduler: { pollInterval: '100ms', heartbeatInterval: '1s' },
      log: { level, summaryInterval },
      queues: {
        q: {
          target: `${target.url}/q`,
          allowPrivateNetwork: true,
          retry: { strategy: 'fixed', options: { delay: '100ms' }, maxAttempts: 3 },
        },
        idle: { target: `${target.url}/idle`, allowPrivateNetwork: true },
      },
    });
    const { logger, lines } = capture(config.log.level);
    const tasks = createTaskRepository(db);
    await tasks.insertTasks([
      ...Array.from({ length: 5 }, () => newTask('q', { path: '/ok' })),
      newTask('q', { path: '/bad' }),
      newTask('q', { path: '/flaky' }),
    ]);
    scheduler = await createScheduler({ config, db, logger });
    await scheduler.start();
    await waitFor(async () => target.received.length >= 8 || undefined, 10_000, 'eight requests');
    await waitFor(
      async () => {
        const states = (await tasks.listTasks({ queue: 'q', limit: 10 })).tasks.map((t) => t.state);
        return states.every((s) => s === 'completed' || s === 'failed') || undefined;
      },
      10_000,
      'every task finished',
    );
    return { lines, stop: () => scheduler!.stop({ timeoutMs: 1_000 }) };
  }

  it('prints no line per task, and one summary per busy queue with the window counts', async () => {
    const { lines, stop } = await run('info', '10s');
    await stop();
    const perTask = lines.filter((l) => /^task (completed|failed|will be retried)/.test(l.msg));
    expect(perTask).toEqual([]);
    const summaries = lines.filter((l) => l.msg === 'queue summary');
    // The stop prints the last window: one line, for the busy queue only (idle stays quiet).
    expect(summaries.map((l) => l.queue)).toEqual(['q']);
    const [summary] = summaries;
    // A window with a failure is a warning, so `log.level: warn` still hears of failures.
    expect(summary).toMatchObject({
      level: 40,
      dispatched: 8,
      completed: 6,
      retried: 1,
      failed: 1,
      interrupted: 0,
      lastFailure: { status: 400 },
    });
    expect(summary.perSecond).toBeGreaterThan(0);
    // The rate in force: the 503 made the adaptive rate limit the queue (no rate configured).
    expect(summary.rateLimit).toBe(scheduler!.rates().q ?? 'none');
    expect(typeof summary.rateLimit).toBe('number');
  });

  it('prints a summary every interval while the scheduler runs', async () => {
    const { lines } = await run('info', '200ms');
    await waitFor(async () => lines.some((l) => l.msg === 'queue summary') || undefined, 5_000, 'a summary');
    const counted = lines.filter((l) => l.msg === 'queue summary').reduce((sum, l) => sum + Number(l.dispatched), 0);
    // Windows add up to what was sent (the last window may still be open).
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual(8);
    for (const line of lines.filter((l) => l.msg === 'queue summary'))
      expect(line.level).toBe(Number(line.failed) > 0 ? 40 : 30);
  });

  it('prints no summary at all with summaryInterval 0, not even at stop', async () => {
    const { lines, stop } = await run('info', '0');
    await stop();
    expect(lines.filter((l) => l.msg === 'queue summary')).toEqual([]);
    expect(lines.some((l) => l.msg === 'scheduler stopped')).toBe(true);
  });

  it('logs a line per transition at debug', async () => {
    const { lines, stop } = await run('debug', '10s');
    await stop();
    const perTask = lines.filter((l) => /^task (completed|failed|will be retried)/.test(l.msg));
    expect(perTask.map((l) => l.msg).sort()).toEqual([
      ...Array.from({ length: 6 }, () => 'task completed'),
      'task failed',
      'task will be retried',
    ]);
    expect(perTask.every((l) => l.level === 20)).toBe(true);
  });
});

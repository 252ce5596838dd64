import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskResource } from '../../../src/recorder/schemas/resource.schema.js';
import { drivers } from '../../support/databases.js';
import { json, startOperatorEnv, type OperatorEnv } from '../operator/support.js';

/**
 * `dispatchr enqueue --priority N` (spec 11.1): stored as given, else the queue's defaultPriority,
 * shown by `tasks show`; what is not 0 to 9 is refused in one line with exit code 2, nothing written.
 */
vi.setConfig({ testTimeout: 120_000 });

describe.each(drivers())('dispatchr enqueue --priority on %s', (driver) => {
  let env: OperatorEnv;
  beforeAll(async () => {
    env = await startOperatorEnv(driver, {
      queues: { bulk: { target: 'http://127.0.0.1:9/bulk', allowPrivateNetwork: true, defaultPriority: 5 } },
    });
  });
  afterAll(async () => env?.cleanup());

  it("stores the priority given, else the queue's default, and tasks show prints it", async () => {
    const [given, defaulted] = await Promise.all([
      env.cli(['enqueue', 'bulk', '--priority', '2', '--json']),
      env.cli(['enqueue', 'bulk', '--json']),
    ]);
    expect(given.code, given.stderr).toBe(0);
    const task = taskResource.parse(json(given));
    expect(task.priority).toBe(2);
    expect((await env.tasks.findTask(task.id))?.priority).toBe(2);
    expect(taskResource.parse(json(defaulted)).priority).toBe(5);

    const shown = await env.cli(['tasks', 'show', task.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^priority\s+2 \(0 is claimed first\)$/m);
  });

  it("dispatchr migrate stores each queue's defaultPriority for writers that cannot see the config", async () => {
    const migrated = await env.cli(['migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const rows = await env.db.sql.query<{ default_priority: number }>(
      `select default_priority from dispatchr_queue_state where name = ${driver === 'postgresql' ? '$1' : '?'}`,
      ['bulk'],
    );
    expect(rows.map((row) => Number(row.default_priority))).toEqual([5]);
  });

  it('refuses a priority outside 0 to 9 in one line, and writes nothing', async () => {
    const before = await env.tasks.countTasks({ queue: 'bulk' });
    const [high, negative, word] = await Promise.all([
      env.cli(['enqueue', 'bulk', '--priority', '10']),
      env.cli(['enqueue', 'bulk', '--priority=-1']),
      env.cli(['enqueue', 'bulk', '--priority', 'high']),
    ]);
    expect(high).toMatchObject({ code: 2, stderr: 'priority: expected an integer from 0 to 9, got 10\n' });
    expect(negative).toMatchObject({ code: 2, stderr: 'priority: expected an integer from 0 to 9, got -1\n' });
    expect(word.code).toBe(2);
    expect(word.stderr.trim().split('\n')).toHaveLength(1);
    expect(word.stderr).toMatch(/priority/);
    expect(await env.tasks.countTasks({ queue: 'bulk' })).toBe(before);
  });
});

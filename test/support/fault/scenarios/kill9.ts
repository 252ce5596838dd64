import { expect } from 'vitest';
import { checkHistory, type History } from '../checker.js';
import { createFaultEnv, printFigures, sleep, until } from '../fault-env.js';
import { startRecordingTarget } from '../recording-target.js';
import type { SchedulerProcess } from '../scheduler-process.js';

/**
 * kill -9: `tasks` tasks to a target answering after U(20, 200) ms; the scheduler is SIGKILLed
 * `kills` times at random moments (at random points of progress, plus a random delay) and
 * restarted after a random pause. What was in flight at each kill is read from the database right
 * after the process is gone: the running tasks leased to the dead scheduler. Those, and only
 * those, may be delivered twice.
 */
export interface Kill9Options {
  tasks: number;
  kills: number;
  maxConcurrent?: number;
  /** Whole-run deadline for every task to complete after the last restart. */
  drainTimeoutMs?: number;
}

export interface Kill9Result {
  history: History;
  kills: number;
  inFlightAtKills: number[];
  /** Kill → every task the dead scheduler held is out of `running` (rescued or finished). */
  recoveryMs: number[];
  overlaps: number;
  peakConcurrent: number;
  maxConcurrent: number;
  totalMs: number;
}

export async function runKill9(options: Kill9Options): Promise<Kill9Result> {
  const maxConcurrent = options.maxConcurrent ?? 100;
  const env = await createFaultEnv('kill9');
  const target = await startRecordingTarget({ latencyMs: [20, 200] });
  try {
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '6s',
        pollInterval: '250ms',
        heartbeatInterval: '500ms',
        shutdownTimeout: '3s',
        batchSize: 50,
      },
      log: { level: 'info' },
      queues: {
        work: {
          target: target.url,
          allowPrivateNetwork: true,
          maxConcurrent,
          timeout: '2s',
          retry: { strategy: 'fixed', options: { delay: '100ms' }, maxAttempts: 25 },
        },
      },
    });
    await env.insertTasks('work', options.tasks);
    const started = Date.now();
    const inFlightAtKills: number[] = [];
    const recoveryMs: number[] = [];
    const inFlightUnion = new Set<string>();
    let current: SchedulerProcess = env.spawn({ name: 'scheduler-0', configFile });
    await current.ready;

    for (let k = 0; k < options.kills; k++) {
      // Kill k lands somewhere in its own slice of the run, so the kills spread over it.
      const slice = options.tasks / (options.kills + 1);
      const threshold = Math.floor(slice * (k + 0.3 + Math.random() * 0.6));
      await until(() => target.log.length >= threshold, 120_000, `${threshold} deliveries before kill ${k + 1}`);
      await sleep(Math.random() * 250);
      const id = await current.ready;
      const killedAt = current.kill('SIGKILL');
      await current.exited;
      await sleep(100); // a statement the process sent just before dying is settled by PostgreSQL
      const held = await env.runningOwnedBy(id);
      inFlightAtKills.push(held.length);
      for (const taskId of held) inFlightUnion.add(taskId);
      await sleep(200 + Math.random() * 800);
      current = env.spawn({ name: `scheduler-${k + 1}`, configFile });
      await current.ready;
      await until(
        async () => {
          if (held.length === 0) return true;
          const rows = await env.db.sql.query<{ n: string }>(
            `select count(*) as n from dispatchr_task where id = any($1::uuid[]) and state = 'running' and lease_owner = $2`,
            [held, id],
          );
          return Number(rows[0].n) === 0;
        },
        30_000,
        `the tasks of killed scheduler ${k + 1} to be rescued`,
      );
      recoveryMs.push(Date.now() - killedAt);
    }

    await until(
      async () => ((await env.counts()).completed ?? 0) === options.tasks,
      options.drainTimeoutMs ?? 120_000,
      'every task to complete',
      200,
    );
    current.kill('SIGTERM');
    await current.exited;
    const totalMs = Date.now() - started;
    const history = checkHistory(await env.snapshot(), await env.attempts(), target.log, {
      allowedDuplicates: inFlightUnion,
    });
    const result: Kill9Result = {
      history,
      kills: options.kills,
      inFlightAtKills,
      recoveryMs,
      overlaps: target.overlaps,
      peakConcurrent: target.peakConcurrent.get('work') ?? 0,
      maxConcurrent,
      totalMs,
    };
    printFigures('kill -9', {
      tasks: history.tasks,
      kills: options.kills,
      'in flight at kills': inFlightAtKills,
      completed: history.completed,
      lost: history.lost,
      deliveries: history.deliveries,
      duplicates: `${history.duplicates} (<= in flight ${inFlightAtKills.reduce((a, b) => a + b, 0)})`,
      'duplicates outside in-flight': history.unexplainedDuplicateIds.length,
      overlaps: target.overlaps,
      'target/db disagreements': history.disagreements,
      'recovery ms (kill → leases rescued)': recoveryMs,
      'peak concurrent': `${result.peakConcurrent}/${maxConcurrent}`,
      'total ms': totalMs,
    });
    return result;
  } finally {
    await target.close();
    await env.cleanup();
  }
}

export function assertKill9(result: Kill9Result): void {
  const { history } = result;
  expect(history.disagreementSamples).toEqual([]);
  expect(history.lostIds).toEqual([]);
  expect(history.lost).toBe(0);
  expect(history.completed).toBe(history.tasks);
  expect(history.unexplainedDuplicateIds).toEqual([]);
  expect(history.duplicates).toBeLessThanOrEqual(result.inFlightAtKills.reduce((a, b) => a + b, 0));
  expect(result.overlaps).toBe(0);
  expect(result.peakConcurrent).toBeLessThanOrEqual(result.maxConcurrent);
  expect(result.inFlightAtKills).toHaveLength(result.kills);
  // Rescue of a dead scheduler's leases is early (heartbeats), not at the lease horizon: generous bound.
  for (const ms of result.recoveryMs) expect(ms).toBeLessThan(15_000);
}

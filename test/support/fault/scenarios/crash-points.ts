import { expect } from 'vitest';
import type { FailpointName } from '../../../../src/scheduler/failpoints.js';
import { checkHistory, type History } from '../checker.js';
import { createFaultEnv, printFigures, until } from '../fault-env.js';
import { startRecordingTarget } from '../recording-target.js';

/**
 * Deterministic crash points: the scheduler runs with DISPATCHR_FAILPOINTS=<point>:<pass> and
 * kills itself (SIGKILL) there; a fresh scheduler is then started and runs everything to the end.
 * The failpoint prints the ids of the batch it fired on: that batch is the one hit at the point.
 * The queue's other claim loop (maxConcurrent 20 is two slots of 10) may hold a batch of its own at
 * that moment, in any state: those tasks are running at the crash too, and get what any task in
 * flight at a kill -9 gets (rescued, delivered at most twice, completed once).
 *
 * What the spec promises for the batch at each point:
 * - after-claim (claimed, nothing sent): the batch is rescued and delivered later, once: 0 duplicates;
 * - after-response (sent and answered, outcome not recorded): each affected task is delivered
 *   again, so twice at most, and completed once;
 * - mid-settle (a batch's outcomes being recorded): no task lost; duplicates at most the batch.
 */
export interface CrashPointOptions {
  point: Extract<FailpointName, 'after-claim' | 'after-response' | 'mid-settle'>;
  tasks: number;
  batch?: number;
  /** The pass (batch) on which the failpoint fires. */
  pass?: number;
}

export interface CrashPointResult {
  point: string;
  history: History;
  /** Every task `running` after the death: the failpoint's batch and any other batch in flight. */
  affected: string[];
  /** The batch the failpoint fired on. */
  hit: string[];
  /** Deliveries per task of `hit` after recovery. */
  hitDeliveries: number[];
  hitDeliveredBeforeCrash: number;
  /** Deliveries per affected task after recovery. */
  affectedDeliveries: number[];
  affectedDeliveredBeforeCrash: number;
  /** Kill → the last affected task completed. */
  recoveryMs: number;
  exit: { code: number | null; signal: string | null };
  failpointFired: boolean;
}

export async function runCrashPoint(options: CrashPointOptions): Promise<CrashPointResult> {
  const batch = options.batch ?? 20;
  const pass = options.pass ?? 3;
  const env = await createFaultEnv('crash');
  const target = await startRecordingTarget({ latencyMs: [5, 30] });
  try {
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '6s',
        pollInterval: '200ms',
        heartbeatInterval: '500ms',
        shutdownTimeout: '2s',
        batchSize: batch,
      },
      log: { level: 'info' },
      queues: {
        work: {
          target: target.url,
          allowPrivateNetwork: true,
          maxConcurrent: batch,
          timeout: '2s',
          retry: { strategy: 'fixed', options: { delay: '100ms' } },
        },
      },
    });
    await env.insertTasks('work', options.tasks);
    const crashing = env.spawn({
      name: 'crashing',
      configFile,
      env: { DISPATCHR_FAILPOINTS: `${options.point}:${pass}` },
    });
    const exit = await crashing.exited;
    const affected = (await env.snapshot()).filter((row) => row.state === 'running').map((row) => row.id);
    const affectedSet = new Set(affected);
    const deliveredBefore = target.log.filter((d) => affectedSet.has(d.taskId)).length;
    const hit = /failpoint batch ([0-9a-f,-]*)/.exec(crashing.stderr())?.[1].split(',').filter(Boolean) ?? [];
    const hitSet = new Set(hit);
    const hitDeliveredBefore = target.log.filter((d) => hitSet.has(d.taskId)).length;

    const recovering = env.spawn({ name: 'recovering', configFile });
    await recovering.ready;
    await until(
      async () => ((await env.counts()).completed ?? 0) === options.tasks,
      60_000,
      'every task to complete',
      100,
    );
    const lastAffectedDone = Math.max(
      ...target.log.filter((d) => affectedSet.has(d.taskId)).map((d) => d.endedAt ?? d.arrivedAt),
    );
    recovering.kill('SIGTERM');
    await recovering.exited;

    const history = checkHistory(await env.snapshot(), await env.attempts(), target.log, {
      allowedDuplicates: affectedSet,
    });
    const perTask = target.byTask();
    const result: CrashPointResult = {
      point: options.point,
      history,
      affected,
      hit,
      hitDeliveries: hit.map((id) => perTask.get(id)?.length ?? 0),
      hitDeliveredBeforeCrash: hitDeliveredBefore,
      affectedDeliveries: affected.map((id) => perTask.get(id)?.length ?? 0),
      affectedDeliveredBeforeCrash: deliveredBefore,
      recoveryMs: affected.length ? lastAffectedDone - exit.at : 0,
      exit: { code: exit.code, signal: exit.signal },
      failpointFired: crashing.stderr().includes(`failpoint ${options.point} fired on pass ${pass}`),
    };
    printFigures(`crash point ${options.point}:${pass}`, {
      tasks: history.tasks,
      'affected (running at the crash)': affected.length,
      'in the batch at the failpoint': hit.length,
      'affected delivered before the crash': deliveredBefore,
      completed: history.completed,
      lost: history.lost,
      duplicates: history.duplicates,
      'max deliveries per affected task': Math.max(0, ...result.affectedDeliveries),
      'lease-expired attempts': history.outcomes['lease-expired'] ?? 0,
      'target/db disagreements': history.disagreements,
      'recovery ms (crash → affected delivered)': result.recoveryMs,
    });
    return result;
  } finally {
    await target.close();
    await env.cleanup();
  }
}

export function assertCrashPoint(result: CrashPointResult, batch = 20): void {
  const { history } = result;
  expect(result.exit.signal).toBe('SIGKILL');
  expect(result.failpointFired).toBe(true);
  expect(history.disagreementSamples).toEqual([]);
  expect(history.lost).toBe(0);
  expect(history.completed).toBe(history.tasks);
  expect(history.unexplainedDuplicateIds).toEqual([]);
  // The batch at the failpoint is a whole slot's claim, and it was still running when the process died.
  expect(result.hit.length).toBe(batch / 2);
  expect(result.hit.every((id) => result.affected.includes(id))).toBe(true);
  expect(result.affected.length).toBeLessThanOrEqual(batch); // never more than maxConcurrent in flight
  // Every attempt running at the crash was rescued (recorded as lease expired), then completed once.
  expect(history.outcomes['lease-expired']).toBe(result.affected.length);
  expect(result.affectedDeliveries.every((n) => n >= 1 && n <= 2)).toBe(true);
  switch (result.point) {
    case 'after-claim':
      expect(result.hitDeliveredBeforeCrash).toBe(0);
      expect(result.hitDeliveries.every((n) => n === 1)).toBe(true);
      break;
    case 'after-response':
      expect(result.hitDeliveredBeforeCrash).toBe(result.hit.length);
      expect(result.hitDeliveries.every((n) => n === 2)).toBe(true);
      break;
    case 'mid-settle':
      expect(result.hitDeliveries.every((n) => n >= 1 && n <= 2)).toBe(true);
      break;
  }
  // Duplicates only among the tasks running at the crash: at most one extra delivery each.
  expect(history.duplicates).toBeLessThanOrEqual(result.affected.length);
  // Redelivered after the dead scheduler's heartbeat went stale, far before its 6 s lease: generous bound.
  expect(result.recoveryMs).toBeLessThan(15_000);
}

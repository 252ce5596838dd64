import { expect } from 'vitest';
import { createFaultEnv, printFigures, sleep, until } from '../fault-env.js';
import { startRecordingTarget } from '../recording-target.js';
import { startTcpProxy } from '../tcp-proxy.js';

/**
 * Heartbeat fencing. Scheduler A reaches the database through a proxy of its own; scheduler B goes
 * straight to it. A holds every slot of the queue with slow requests (first attempts take 10 s).
 * Then only A's database path is cut, either refused (errors at once) or stalled (a half-open
 * network: nothing errors, every query just waits). B sees A's heartbeat go stale and rescues its
 * leases after 5 intervals; A must have fenced itself before that: after 3 intervals without a
 * heartbeat it aborts its own requests in flight and stops claiming. The target therefore never
 * sees a task in flight twice at once (overlaps 0), and every abort of A comes before B's re-send.
 * Once A's path is back, A heartbeats again and claims again.
 */
export type CutMode = 'refused' | 'stalled';

export interface FencingResult {
  mode: CutMode;
  tasks: number;
  heartbeatMs: number;
  /** Cut → the last of A's requests closed by A. */
  fenceMs: number;
  /** Cut → B's first re-send of one of A's tasks. */
  firstResendMs: number;
  abortedByA: number;
  resentByB: number;
  overlaps: number;
  /** Requests A started after the cut (must be 0: no claims while fenced). */
  startedByAAfterCut: number;
  aResumedClaiming: boolean;
  lost: number;
}

export async function runFencing(mode: CutMode, tasks = 8): Promise<FencingResult> {
  const heartbeatMs = 1_000;
  const env = await createFaultEnv('fence');
  const target = await startRecordingTarget({
    reply: (d) => ({ status: 200, latencyMs: d.attempt === 1 && d.path.startsWith('/t/') ? 10_000 : 30 }),
  });
  const proxyB = await startTcpProxy({
    host: new URL(env.directUrl).hostname,
    port: Number(new URL(env.directUrl).port || 5432),
  });
  try {
    const queues = {
      slow: {
        target: target.url,
        allowPrivateNetwork: true,
        maxConcurrent: tasks,
        timeout: '15s',
        retry: { strategy: 'fixed', options: { delay: '100ms' } },
      },
    };
    const scheduler = {
      leaseDuration: '30s',
      pollInterval: '200ms',
      heartbeatInterval: `${heartbeatMs}ms`,
      shutdownTimeout: '2s',
      batchSize: tasks,
    };
    const configA = env.writeConfig('a', { scheduler, log: { level: 'info' }, queues });
    // B goes through a proxy of its own that is never cut.
    const configB = env.writeConfig(
      'b',
      { scheduler, log: { level: 'info' }, queues },
      { url: proxyB.rewrite(env.directUrl) },
    );

    await env.insertTasks('slow', tasks);
    const a = env.spawn({ name: 'a', configFile: configA });
    const aId = await a.ready;
    await until(() => target.inFlight('slow') === tasks, 15_000, 'A to have every task in flight');
    const b = env.spawn({ name: 'b', configFile: configB });
    await b.ready;
    await sleep(1_500); // B is registered and heartbeating; A's requests are mid-way

    const cutAt = Date.now();
    if (mode === 'refused') {
      await env.proxy.refuse();
      env.proxy.dropAll();
    } else {
      env.proxy.stall();
    }
    const firstAttempts = target.log.filter((d) => d.attempt === 1);
    await until(
      () => target.log.filter((d) => d.attempt === 2).length === tasks,
      30_000,
      'B to re-send every task of A',
    );
    const resends = target.log.filter((d) => d.attempt === 2);
    await until(async () => ((await env.counts()).completed ?? 0) === tasks, 15_000, 'every task to complete');
    const aborted = firstAttempts.filter((d) => d.aborted);
    const fenceMs = Math.max(...firstAttempts.map((d) => (d.endedAt ?? Infinity) - cutAt));
    const firstResendMs = Math.min(...resends.map((d) => d.arrivedAt)) - cutAt;
    const startedByAAfterCut = target.log.filter((d) => d.arrivedAt > cutAt && d.attempt === 1).length;

    // A's path comes back: A must heartbeat and claim again (B is stopped so only A can take them).
    b.kill('SIGTERM');
    await b.exited;
    const backAt = new Date();
    await env.proxy.pass();
    await until(
      async () => {
        const rows = await env.db.sql.query<{ n: string }>(
          'select count(*) as n from dispatchr_scheduler where id = $1 and heartbeat_at > $2',
          [aId, backAt],
        );
        return Number(rows[0].n) === 1;
      },
      20_000,
      'A to heartbeat again',
    );
    const more = await env.insertTasks('slow', 3, { path: '/after' });
    await until(
      async () => {
        const rows = await env.db.sql.query<{ n: string }>(
          `select count(*) as n from dispatchr_task where id = any($1::uuid[]) and state = 'completed'`,
          [more],
        );
        return Number(rows[0].n) === more.length;
      },
      20_000,
      'A to dispatch new tasks after its path is back',
    );
    const aResumedClaiming = a.alive && target.log.some((d) => d.path === '/after');
    a.kill('SIGTERM');
    await a.exited;
    const lost = (await env.snapshot()).filter((row) => row.state !== 'completed').length;

    const result: FencingResult = {
      mode,
      tasks,
      heartbeatMs,
      fenceMs,
      firstResendMs,
      abortedByA: aborted.length,
      resentByB: resends.length,
      overlaps: target.overlaps,
      startedByAAfterCut,
      aResumedClaiming,
      lost,
    };
    printFigures(`heartbeat fencing (A's database path ${mode})`, {
      tasks,
      'heartbeat ms': heartbeatMs,
      'cut → A aborted its requests ms': fenceMs,
      'cut → B re-sent ms': firstResendMs,
      'aborted by A': aborted.length,
      'resent by B': resends.length,
      overlaps: target.overlaps,
      'requests A started after the cut': startedByAAfterCut,
      'A claims again after the path is back': aResumedClaiming,
      lost,
      'A id': aId,
    });
    return result;
  } finally {
    await target.close();
    await proxyB.close();
    await env.cleanup();
  }
}

export function assertFencing(result: FencingResult): void {
  expect(result.lost).toBe(0);
  expect(result.overlaps).toBe(0);
  expect(result.abortedByA).toBe(result.tasks);
  expect(result.resentByB).toBe(result.tasks);
  expect(result.startedByAAfterCut).toBe(0);
  // Fenced within 3 intervals plus one tick (and some slack), strictly before anyone rescued.
  expect(result.fenceMs).toBeLessThan(5 * result.heartbeatMs);
  expect(result.fenceMs).toBeLessThan(result.firstResendMs);
  expect(result.aResumedClaiming).toBe(true);
}

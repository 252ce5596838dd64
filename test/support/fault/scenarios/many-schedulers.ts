import { expect } from 'vitest';
import { checkHistory, type History } from '../checker.js';
import { createFaultEnv, printFigures, sleep, until } from '../fault-env.js';
import { startRecordingTarget, type Delivery } from '../recording-target.js';
import type { SchedulerProcess } from '../scheduler-process.js';

/**
 * Several `dispatchr schedule` processes on one PostgreSQL, no faults: they share the work with no
 * double dispatch, and each queue's limits hold across all of them together.
 *
 * - `bulk` (most tasks) and `narrow` (maxConcurrent 5): the target's peak of requests in flight per
 *   queue never exceeds maxConcurrent;
 * - `rated` (rateLimit 50/s): the rate the target sees, once every scheduler is up, stays at the
 *   configured rate (split among the live schedulers), also after backpressure: for its first
 *   1.5 s it answers 503, which halves the rate in force and then recovers it step by step;
 * - every task is delivered exactly once per attempt, and no delivery follows a 2xx.
 */
export interface ManySchedulersOptions {
  schedulers: number;
  bulk: number;
  narrow: number;
  rated: number;
}

export interface ManySchedulersResult {
  history: History;
  schedulers: number;
  perScheduler: number[];
  extraDeliveries: number;
  deliveriesAfterSuccess: number;
  rescued: number;
  peak: Record<string, number>;
  limits: Record<string, number>;
  ratePerSecond: number;
  /** Rated queue, steady phase (every scheduler up): average and busiest 1-s window. */
  steadyRate: number;
  busiestSecond: number;
  steadySeconds: number;
  backpressureAnswers: number;
}

const RATE = 50;

export async function runManySchedulers(options: ManySchedulersOptions): Promise<ManySchedulersResult> {
  const env = await createFaultEnv('many');
  let throttled = 0;
  let firstRatedAt = 0;
  const target = await startRecordingTarget({
    reply: (d) => {
      if (d.queue === 'rated') {
        // For its first 1.5 s the rated target pushes back, so every scheduler sees 503s.
        firstRatedAt ||= d.arrivedAt;
        if (d.arrivedAt - firstRatedAt < 1_500) {
          throttled += 1;
          return { status: 503, latencyMs: 10 };
        }
        return { status: 200, latencyMs: 20 + Math.floor(Math.random() * 30) };
      }
      return undefined; // U(20, 200) ms, 200
    },
  });
  const limits = { bulk: 100, narrow: 5, rated: 50 };
  try {
    const retry = { strategy: 'fixed', options: { delay: '200ms' } };
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '20s',
        pollInterval: '250ms',
        heartbeatInterval: '1s',
        shutdownTimeout: '3s',
        batchSize: 50,
      },
      log: { level: 'info' },
      queues: {
        bulk: { target: target.url, allowPrivateNetwork: true, maxConcurrent: limits.bulk, timeout: '5s', retry },
        narrow: { target: target.url, allowPrivateNetwork: true, maxConcurrent: limits.narrow, timeout: '5s', retry },
        rated: {
          target: target.url,
          allowPrivateNetwork: true,
          maxConcurrent: limits.rated,
          timeout: '5s',
          retry,
          rateLimit: { perSecond: RATE },
        },
      },
    });
    await env.insertTasks('bulk', options.bulk);
    await env.insertTasks('narrow', options.narrow);
    await env.insertTasks('rated', options.rated);
    const total = options.bulk + options.narrow + options.rated;
    const processes: SchedulerProcess[] = [];
    // debug: the per-task 'task completed' lines tell which scheduler completed what (at info a
    // scheduler logs a summary per queue every 10 s); the environment wins over the config.
    for (let i = 0; i < options.schedulers; i++)
      processes.push(env.spawn({ name: `scheduler-${i}`, configFile, env: { DISPATCHR_LOG_LEVEL: 'debug' } }));
    await Promise.all(processes.map((p) => p.ready));
    // Steady from here: every scheduler is registered, and has counted the others (one interval).
    const steadyFrom = Date.now() + 2_000;

    await until(async () => ((await env.counts()).completed ?? 0) === total, 180_000, 'every task to complete', 250);
    const finishedAt = Date.now();
    await sleep(100);
    processes.forEach((p) => p.kill('SIGTERM'));
    await Promise.all(processes.map((p) => p.exited));

    const attempts = await env.attempts();
    const rows = await env.snapshot();
    const history = checkHistory(rows, attempts, target.log);
    const byTask = target.byTask();
    let extraDeliveries = 0;
    let deliveriesAfterSuccess = 0;
    for (const row of rows) {
      const seen = byTask.get(row.id) ?? [];
      extraDeliveries += Math.max(0, seen.length - row.attempt);
      const firstOk = seen.find((d) => d.status !== null && d.status < 300);
      if (firstOk) deliveriesAfterSuccess += seen.filter((d) => d.arrivedAt > firstOk.arrivedAt).length;
    }
    const rated = target.log.filter(
      (d) => d.queue === 'rated' && d.arrivedAt >= steadyFrom && d.arrivedAt <= finishedAt,
    );
    const lastRated = rated.length ? rated[rated.length - 1].arrivedAt : steadyFrom;
    const steadySeconds = Math.max(0.001, (lastRated - steadyFrom) / 1000);
    const result: ManySchedulersResult = {
      history,
      schedulers: options.schedulers,
      perScheduler: processes.map((p) => p.find('task completed').length),
      extraDeliveries,
      deliveriesAfterSuccess,
      rescued: history.outcomes['lease-expired'] ?? 0,
      peak: Object.fromEntries(Object.keys(limits).map((q) => [q, target.peakConcurrent.get(q) ?? 0])),
      limits,
      ratePerSecond: RATE,
      steadyRate: rated.length / steadySeconds,
      busiestSecond: busiestWindow(rated, 1_000),
      steadySeconds,
      backpressureAnswers: throttled,
    };
    printFigures(`${options.schedulers} schedulers on one PostgreSQL`, {
      tasks: history.tasks,
      'completed per scheduler': result.perScheduler,
      lost: history.lost,
      'duplicate deliveries': extraDeliveries,
      'deliveries after a 2xx': deliveriesAfterSuccess,
      'rescued leases': result.rescued,
      'target/db disagreements': history.disagreements,
      'peak in flight / maxConcurrent': Object.keys(limits).map(
        (q) => `${q} ${result.peak[q]}/${limits[q as keyof typeof limits]}`,
      ),
      'rated: 503 answers': throttled,
      'rated: steady rate /s': `${result.steadyRate.toFixed(1)} over ${steadySeconds.toFixed(1)} s (limit ${RATE})`,
      'rated: busiest 1-s window': result.busiestSecond,
    });
    return result;
  } finally {
    await target.close();
    await env.cleanup();
  }
}

function busiestWindow(deliveries: Delivery[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < deliveries.length; end++) {
    while (deliveries[end].arrivedAt - deliveries[start].arrivedAt >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export function assertManySchedulers(result: ManySchedulersResult): void {
  const { history } = result;
  expect(history.disagreementSamples).toEqual([]);
  expect(history.lost).toBe(0);
  expect(history.completed).toBe(history.tasks);
  expect(result.extraDeliveries).toBe(0);
  expect(result.deliveriesAfterSuccess).toBe(0);
  expect(result.rescued).toBe(0);
  // The work was shared (each scheduler completed some), and the caps were reached but never passed.
  for (const count of result.perScheduler) expect(count).toBeGreaterThan(0);
  for (const [queue, limit] of Object.entries(result.limits)) expect(result.peak[queue]).toBeLessThanOrEqual(limit);
  expect(result.peak.narrow).toBe(result.limits.narrow);
  expect(result.backpressureAnswers).toBeGreaterThan(0);
  // The rate holds across schedulers: the average at most 15 % over, and no second (a window that
  // may also hold the bucket's burst) more than twice the limit. One scheduler's full rate each
  // would be N times the limit.
  expect(result.steadySeconds).toBeGreaterThan(2); // the rated queue was still busy once all were up
  expect(result.steadyRate).toBeLessThanOrEqual(result.ratePerSecond * 1.15);
  expect(result.busiestSecond).toBeLessThanOrEqual(result.ratePerSecond * 2);
}

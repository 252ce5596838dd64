import { expect } from 'vitest';
import { checkHistory, type History } from '../checker.js';
import { createFaultEnv, printFigures, sleep, until } from '../fault-env.js';
import { startRecordingTarget } from '../recording-target.js';

/**
 * SIGTERM under load. Most requests take 0.2-1.5 s, one in ten takes 6 s, longer than the 2 s
 * shutdownTimeout. On the signal the scheduler must stop claiming at once, let what is in flight
 * finish for up to shutdownTimeout, interrupt the rest (recorded as `interrupted` attempts and given
 * back as `available`), and exit within shutdownTimeout + 1 s holding nothing: no task of it is
 * left `running`. A second scheduler then finishes the work: lost 0, and only interrupted tasks may
 * reach the target twice.
 *
 * `forced`: a second SIGTERM during the grace period exits at once; whatever was running is left
 * leased to a dead scheduler and is rescued early by the next one.
 */
export interface SigtermOptions {
  tasks: number;
  forced?: boolean;
}

export interface SigtermResult {
  forced: boolean;
  history: History;
  shutdownTimeoutMs: number;
  inFlightAtSignal: number;
  exitMs: number;
  exitCode: number | null;
  runningAtExit: number;
  interruptedAttempts: number;
  claimsAfterSignal: number;
  requestsStartedAfterSignal: number;
  /** Forced only: restart → every leftover rescued (out of `running` under the dead scheduler). */
  leftoverRescueMs: number | null;
  leftovers: number;
}

export async function runSigterm(options: SigtermOptions): Promise<SigtermResult> {
  const shutdownTimeoutMs = 2_000;
  const env = await createFaultEnv('sigterm');
  // Once the first scheduler is gone the target answers fast: the rest of the run is bookkeeping.
  let slow = true;
  const target = await startRecordingTarget({
    reply: (d) => ({
      status: 200,
      latencyMs: !slow
        ? 20
        : Number(d.path.split('/').pop()) % 10 === 0
          ? 6_000
          : 200 + Math.floor(Math.random() * 1_300),
    }),
  });
  try {
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '15s',
        pollInterval: '200ms',
        heartbeatInterval: '500ms',
        shutdownTimeout: `${shutdownTimeoutMs}ms`,
        batchSize: 10,
      },
      log: { level: 'info' },
      queues: {
        work: {
          target: target.url,
          allowPrivateNetwork: true,
          maxConcurrent: 100,
          timeout: '8s',
          retry: { strategy: 'fixed', options: { delay: '100ms' } },
        },
      },
    });
    await env.insertTasks('work', options.tasks);
    const first = env.spawn({ name: 'first', configFile });
    const firstId = await first.ready;
    await until(
      () => target.log.length >= Math.min(options.tasks / 4, 100) && target.inFlight('work') >= 50,
      60_000,
      'load before the signal',
    );
    const inFlightAtSignal = target.inFlight('work');
    const signalAt = first.kill('SIGTERM');
    let leftovers: string[] = [];
    if (options.forced) {
      await sleep(300);
      first.kill('SIGTERM');
    }
    const exit = await first.exited;
    const exitMs = exit.at - signalAt;
    slow = false;
    if (options.forced) {
      await sleep(100);
      leftovers = await env.runningOwnedBy(firstId);
    }
    const shutdownLine = first.find(/^shutting down/)[0];
    const shutdownAt = shutdownLine ? Date.parse(shutdownLine.time) : signalAt;
    const rows = await env.snapshot();
    const runningAtExit = rows.filter((row) => row.state === 'running').length;
    const claimsAfterSignal = rows.filter(
      (row) => row.attemptedAt !== null && row.attemptedAt.getTime() > shutdownAt,
    ).length;
    const lateRequests = target.log.filter((d) => d.arrivedAt > shutdownAt + 50);
    const requestsStartedAfterSignal = lateRequests.length;
    const latestRequestAfterSignalMs = lateRequests.length
      ? Math.max(...lateRequests.map((d) => d.arrivedAt)) - shutdownAt
      : 0;
    const interruptedAttempts = (await env.attempts()).filter((a) => a.outcome === 'interrupted').length;

    const second = env.spawn({ name: 'second', configFile });
    const restartedAt = Date.now();
    await second.ready;
    let leftoverRescueMs: number | null = null;
    if (leftovers.length) {
      await until(async () => (await env.runningOwnedBy(firstId)).length === 0, 30_000, 'the leftovers to be rescued');
      leftoverRescueMs = Date.now() - restartedAt;
    }
    await until(
      async () => ((await env.counts()).completed ?? 0) === options.tasks,
      120_000,
      'every task to complete',
      200,
    );
    second.kill('SIGTERM');
    await second.exited;

    const attempts = await env.attempts();
    const disrupted = new Set(
      attempts.filter((a) => a.outcome === 'interrupted' || a.outcome === 'lease-expired').map((a) => a.taskId),
    );
    // An interrupted attempt is given back but keeps its number: its re-send takes the next one, so
    // no attempt number may reach the target twice (spec 5.2), interrupted tasks included.
    const history = checkHistory(await env.snapshot(), attempts, target.log, { allowedDuplicates: disrupted });
    const result: SigtermResult = {
      forced: options.forced ?? false,
      history,
      shutdownTimeoutMs,
      inFlightAtSignal,
      exitMs,
      exitCode: exit.code,
      runningAtExit,
      interruptedAttempts,
      claimsAfterSignal,
      requestsStartedAfterSignal,
      leftoverRescueMs,
      leftovers: leftovers.length,
    };
    printFigures(options.forced ? 'SIGTERM twice (forced)' : 'SIGTERM under load', {
      tasks: history.tasks,
      'in flight at the signal': inFlightAtSignal,
      'exit ms': `${exitMs} (bound ${options.forced ? 'immediate' : shutdownTimeoutMs + 1_000})`,
      'exit code': exit.code,
      'running at exit': runningAtExit,
      'interrupted attempts': interruptedAttempts,
      'claims after the signal': claimsAfterSignal,
      'requests of earlier claims sent after the signal': `${requestsStartedAfterSignal} (latest ${latestRequestAfterSignalMs} ms after)`,
      ...(options.forced ? { leftovers: leftovers.length, 'restart → leftovers rescued ms': leftoverRescueMs } : {}),
      completed: history.completed,
      lost: history.lost,
      duplicates: history.duplicates,
      'target/db disagreements': history.disagreements,
    });
    return result;
  } finally {
    await target.close();
    await env.cleanup();
  }
}

export function assertSigterm(result: SigtermResult): void {
  const { history } = result;
  expect(history.disagreementSamples).toEqual([]);
  expect(history.lost).toBe(0);
  expect(history.completed).toBe(history.tasks);
  expect(history.unexplainedDuplicateIds).toEqual([]);
  expect(result.claimsAfterSignal).toBe(0);
  if (result.forced) {
    expect(result.exitCode).toBe(1);
    expect(result.exitMs).toBeLessThan(result.shutdownTimeoutMs);
    expect(result.leftovers).toBeGreaterThan(0);
    // Rescued early through the heartbeat (5 × 500 ms), not at the 15 s lease horizon.
    expect(result.leftoverRescueMs!).toBeLessThan(10_000);
    return;
  }
  expect(result.exitCode).toBe(0);
  expect(result.exitMs).toBeLessThanOrEqual(result.shutdownTimeoutMs + 1_000);
  expect(result.runningAtExit).toBe(0);
  // The 6 s requests outlive the 2 s grace period: they are interrupted and recorded as such.
  expect(result.interruptedAttempts).toBeGreaterThan(0);
  expect(history.duplicates).toBeLessThanOrEqual(result.interruptedAttempts);
}

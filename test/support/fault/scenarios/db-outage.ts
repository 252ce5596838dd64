import { expect } from 'vitest';
import { checkHistory, type History } from '../checker.js';
import { createFaultEnv, printFigures, sleep, until, type FaultEnv } from '../fault-env.js';
import { startRecordingTarget } from '../recording-target.js';

/**
 * The database goes away under load and comes back, three ways, while tasks keep arriving (the
 * feeder writes around the proxy, as a recorder on a healthy path would):
 *
 * 1. refused: the proxy stops listening and drops every live connection for `outageMs`;
 * 2. dropped: the proxy accepts, but cuts every connection every 250 ms for `outageMs`;
 * 3. terminated: pg_terminate_backend on every backend of this scheduler (pool and LISTEN).
 *
 * After each, dispatching must resume on its own within 15 s of the database being back (the first
 * claim after that moment, read from the database), and the scheduler process must still be the
 * same one: its loops logged, backed off and resumed, nothing exited. In the end every task is
 * completed: lost 0; duplicates only for tasks whose attempt the outage interrupted.
 */
export interface OutageOptions {
  outageMs: number;
  /** Tasks inserted per 100 ms while the scenario runs. */
  feedPer100Ms?: number;
}

export interface OutagePhase {
  fault: string;
  durationMs: number;
  /** Database back → first task claimed by the scheduler. */
  recoveryMs: number;
  backendsTerminated?: number;
}

export interface OutageResult {
  history: History;
  phases: OutagePhase[];
  exitCode: number | null;
  exitSignal: string | null;
  /** Lines logged as error/fatal that are not about the outage itself. */
  sameProcessThroughout: boolean;
  claimFailuresLogged: number;
  heartbeatFailuresLogged: number;
  wakeupReconnects: number;
  disruptedTasks: number;
  fenced: number;
}

export async function runDbOutage(options: OutageOptions): Promise<OutageResult> {
  const env = await createFaultEnv('outage');
  const target = await startRecordingTarget({ latencyMs: [20, 100] });
  let feeding = true;
  let feeder: Promise<void> = Promise.resolve();
  try {
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '8s',
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
          maxConcurrent: 50,
          timeout: '2s',
          retry: { strategy: 'fixed', options: { delay: '200ms' } },
        },
      },
    });
    const scheduler = env.spawn({ name: 'scheduler', configFile });
    await scheduler.ready;
    const per100 = options.feedPer100Ms ?? 20;
    feeder = (async () => {
      while (feeding) {
        await env.insertTasks('work', per100);
        await sleep(100);
      }
    })();
    await sleep(1_000);

    const phases: OutagePhase[] = [];
    // 1. Refused: nothing listens, live connections are cut.
    let started = Date.now();
    await env.proxy.refuse();
    env.proxy.dropAll();
    await sleep(options.outageMs);
    await env.proxy.pass();
    phases.push({
      fault: 'refused + dropped',
      durationMs: Date.now() - started,
      recoveryMs: await recovery(env, Date.now()),
    });
    await sleep(1_000);

    // 2. Dropped: connections are accepted and cut again and again.
    started = Date.now();
    while (Date.now() - started < options.outageMs) {
      env.proxy.dropAll();
      await sleep(250);
    }
    phases.push({
      fault: 'connections cut every 250 ms',
      durationMs: Date.now() - started,
      recoveryMs: await recovery(env, Date.now()),
    });
    await sleep(1_000);

    // 3. Every backend of this scheduler terminated by the server.
    const terminated = await env.terminateBackends({ via: 'proxy' });
    phases.push({
      fault: 'pg_terminate_backend',
      durationMs: 0,
      recoveryMs: await recovery(env, Date.now()),
      backendsTerminated: terminated,
    });
    await sleep(1_000);

    feeding = false;
    await feeder;
    const total = await env.db.sql.query<{ n: string }>('select count(*) as n from dispatchr_task');
    await until(
      async () => ((await env.counts()).completed ?? 0) === Number(total[0].n),
      60_000,
      'every task to complete',
      200,
    );
    const sameProcessThroughout = scheduler.alive;
    scheduler.kill('SIGTERM');
    const exit = await scheduler.exited;

    const attempts = await env.attempts();
    const disrupted = new Set(attempts.filter((a) => a.outcome !== 'completed').map((a) => a.taskId));
    const history = checkHistory(await env.snapshot(), attempts, target.log, {
      allowedDuplicates: disrupted,
      sameAttemptResendAllowed: disrupted,
    });
    const result: OutageResult = {
      history,
      phases,
      exitCode: exit.code,
      exitSignal: exit.signal,
      sameProcessThroughout,
      claimFailuresLogged: scheduler.find('claiming failed; backing off').length,
      heartbeatFailuresLogged: scheduler.find('heartbeat failed').length,
      wakeupReconnects: scheduler.find('wake-up connection re-established').length,
      disruptedTasks: disrupted.size,
      fenced: scheduler.find(/no heartbeat for three intervals/).length,
    };
    printFigures('database outage', {
      tasks: history.tasks,
      phases: phases.map(
        (p) =>
          `${p.fault} ${p.durationMs} ms → dispatching again ${p.recoveryMs} ms after${p.backendsTerminated !== undefined ? ` (${p.backendsTerminated} backends)` : ''}`,
      ),
      completed: history.completed,
      lost: history.lost,
      duplicates: history.duplicates,
      'tasks whose attempt the outage disrupted': disrupted.size,
      'unexplained duplicates': history.unexplainedDuplicateIds.length,
      'target/db disagreements': history.disagreements,
      'claim failures logged': result.claimFailuresLogged,
      'heartbeat failures logged': result.heartbeatFailuresLogged,
      'self-fenced': result.fenced,
      'LISTEN reconnects': result.wakeupReconnects,
      'same process throughout': sameProcessThroughout,
      exit: exit.code,
    });
    return result;
  } finally {
    feeding = false;
    await feeder.catch(() => undefined);
    await target.close();
    await env.cleanup();
  }
}

/** Database back at `backAt` → the first claim after it (read from the database, not the target). */
export async function recovery(env: FaultEnv, backAt: number, timeoutMs = 30_000): Promise<number> {
  const first = await until(
    async () => {
      const rows = await env.db.sql.query<{ first: Date | null }>(
        'select min(attempted_at) as first from dispatchr_task where attempted_at >= $1',
        [new Date(backAt)],
      );
      return rows[0].first ?? undefined;
    },
    timeoutMs,
    'a claim after the database came back',
    50,
  );
  return new Date(first).getTime() - backAt;
}

export function assertDbOutage(result: OutageResult): void {
  const { history } = result;
  expect(result.sameProcessThroughout).toBe(true);
  expect(result.exitCode).toBe(0);
  expect(history.disagreementSamples).toEqual([]);
  expect(history.lost).toBe(0);
  expect(history.completed).toBe(history.tasks);
  expect(history.unexplainedDuplicateIds).toEqual([]);
  for (const phase of result.phases) expect(phase.recoveryMs).toBeLessThan(15_000);
  expect(result.phases[2].backendsTerminated).toBeGreaterThan(0);
  // The outage was seen and survived by the loops, not hidden: they logged it and carried on.
  expect(result.claimFailuresLogged + result.heartbeatFailuresLogged).toBeGreaterThan(0);
  expect(result.wakeupReconnects).toBeGreaterThan(0);
}

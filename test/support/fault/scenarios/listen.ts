import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createFaultEnv, printFigures, sleep, until, type FaultEnv } from '../fault-env.js';
import { startRecordingTarget, type RecordingTarget } from '../recording-target.js';

/**
 * LISTEN/NOTIFY wake-ups under faults. The poll interval is a minute, so a task dispatched within
 * a second or two was woken by NOTIFY, not found by polling. The queue name is random: NOTIFY is
 * per database, and other tests' notifications must not wake this scheduler by accident.
 *
 * 1. terminated: pg_terminate_backend on the LISTEN backend; it must be re-established, a task
 *    created in the gap is still dispatched at once (everything is woken after a reconnect), and a
 *    task created afterwards is woken by NOTIFY again.
 * 2. half-open (optional, slow): only the LISTEN connection is stalled at the proxy; nothing
 *    errors, so only the notifier's ping can notice; a task created meanwhile must be dispatched
 *    once the ping gives up and the connection is replaced, well before the poll would find it.
 */
export interface ListenResult {
  firstWakeMs: number;
  terminatedBackends: number;
  /** pg_terminate_backend → a new LISTEN backend exists. */
  reestablishedMs: number;
  /** Created right after the termination → delivered. */
  gapTaskMs: number;
  /** Created once the new LISTEN is up → delivered. */
  afterTaskMs: number;
  halfOpen?: { stalled: number; taskMs: number };
  pollIntervalMs: number;
}

const LISTEN_QUERY = 'listen dispatchr_due';

export async function runListen(options: { halfOpen?: boolean } = {}): Promise<ListenResult> {
  const env = await createFaultEnv('listen');
  const target = await startRecordingTarget({ latencyMs: [5, 10] });
  const queue = `lq_${randomBytes(4).toString('hex')}`;
  const pollIntervalMs = 60_000;
  try {
    const configFile = env.writeConfig('scheduler', {
      scheduler: {
        leaseDuration: '10s',
        pollInterval: `${pollIntervalMs}ms`,
        heartbeatInterval: '1s',
        shutdownTimeout: '2s',
      },
      log: { level: 'info' },
      queues: { [queue]: { target: target.url, allowPrivateNetwork: true, timeout: '2s' } },
    });
    const scheduler = env.spawn({ name: 'scheduler', configFile });
    await scheduler.ready;
    const firstListener = await until(() => listeners(env), 10_000, 'the LISTEN backend');
    await sleep(300); // the producer has gone to sleep for its (long) poll interval

    const firstWakeMs = await deliveredWithin(env, target, queue, 'first');

    const terminatedAt = Date.now();
    const terminatedBackends = await env.terminateBackends({ via: 'app', queryLike: LISTEN_QUERY });
    const gapTask = createAndTime(env, target, queue, 'gap');
    const next = await until(
      async () => (await listeners(env))?.find((pid) => !firstListener.includes(pid)),
      10_000,
      'a new LISTEN backend',
    );
    const reestablishedMs = Date.now() - terminatedAt;
    const gapTaskMs = await gapTask;
    await sleep(200);
    const afterTaskMs = await deliveredWithin(env, target, queue, 'after');

    let halfOpen: ListenResult['halfOpen'];
    if (options.halfOpen) {
      const rows = await env.db.sql.query<{ port: number }>(
        'select client_port as port from pg_stat_activity where pid = $1',
        [next],
      );
      const stalled = env.proxy.stallPorts(rows.map((row) => Number(row.port)));
      await sleep(200);
      halfOpen = { stalled, taskMs: await deliveredWithin(env, target, queue, 'half-open', 45_000) };
    }
    expect(scheduler.alive).toBe(true);
    scheduler.kill('SIGTERM');
    await scheduler.exited;

    const result: ListenResult = {
      firstWakeMs,
      terminatedBackends,
      reestablishedMs,
      gapTaskMs,
      afterTaskMs,
      halfOpen,
      pollIntervalMs,
    };
    printFigures('LISTEN connection dropped', {
      'poll interval ms': pollIntervalMs,
      'create → delivered (NOTIFY) ms': firstWakeMs,
      'LISTEN backends terminated': terminatedBackends,
      'terminated → LISTEN re-established ms': reestablishedMs,
      'task created in the gap → delivered ms': gapTaskMs,
      'task created after → delivered ms': afterTaskMs,
      ...(halfOpen ? { 'half-open LISTEN: task created → delivered ms': halfOpen.taskMs } : {}),
    });
    return result;
  } finally {
    await target.close();
    await env.cleanup();
  }
}

async function listeners(env: FaultEnv): Promise<number[] | undefined> {
  const rows = await env.db.sql.query<{ pid: number }>(
    `select pid from pg_stat_activity where application_name = $1 and query = $2`,
    [env.appName, LISTEN_QUERY],
  );
  return rows.length ? rows.map((row) => Number(row.pid)) : undefined;
}

function createAndTime(
  env: FaultEnv,
  target: RecordingTarget,
  queue: string,
  label: string,
  timeoutMs = 20_000,
): Promise<number> {
  return deliveredWithin(env, target, queue, label, timeoutMs);
}

async function deliveredWithin(
  env: FaultEnv,
  target: RecordingTarget,
  queue: string,
  label: string,
  timeoutMs = 20_000,
): Promise<number> {
  const started = Date.now();
  const [id] = await env.insertTasks(queue, 1, { path: `/${label}` });
  const delivery = await until(
    () => target.log.find((d) => d.taskId === id),
    timeoutMs,
    `task ${label} to be delivered`,
    10,
  );
  return delivery.arrivedAt - started;
}

export function assertListen(result: ListenResult): void {
  expect(result.terminatedBackends).toBe(1);
  // Woken, not polled: far below the poll interval (generous bounds; typical values are milliseconds).
  expect(result.firstWakeMs).toBeLessThan(2_000);
  expect(result.reestablishedMs).toBeLessThan(5_000);
  expect(result.gapTaskMs).toBeLessThan(5_000);
  expect(result.afterTaskMs).toBeLessThan(2_000);
  if (result.halfOpen) {
    expect(result.halfOpen.stalled).toBe(1);
    expect(result.halfOpen.taskMs).toBeLessThan(result.pollIntervalMs / 2);
  }
}

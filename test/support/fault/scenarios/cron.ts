import { expect } from 'vitest';
import { systemClock } from '../../../../src/clock.js';
import { createCronEntries } from '../../../../src/cron/cron-entries.js';
import { createCronRepository } from '../../../../src/db/cron.repository.js';
import { toDate } from '../../../../src/db/task-row.js';
import { startTargetServer, type TargetServer } from '../../target-server.js';
import { createFaultEnv, printFigures, sleep, until, type FaultEnv } from '../fault-env.js';
import type { SchedulerProcess } from '../scheduler-process.js';

/**
 * Cron under real processes on one PostgreSQL: an every-second entry fired by `dispatchr schedule`
 * children, checked against the database's tasks and what the target received.
 *
 * - many schedulers: all fire the same entry with no leader; every whole second between the first
 *   and the last fire has exactly one task, and the target receives each fire time from one task;
 * - kill -9 during a fire: DISPATCHR_FAILPOINTS=cron-before-commit kills the scheduler inside the
 *   fire's transaction (the task is written, the commit is not); the fire time it was firing is
 *   the entry's next_fire_at after the death, and a restart fires it exactly once.
 *
 * A run ends by pausing the entry once its next fire time is past the window, then waiting for
 * every task it created to complete: which fire times fired is read from the entry, not timed.
 */
const ENTRY = 'tick';

export interface CronHistory {
  /** Tasks the entry created. */
  fires: number;
  firstFire: string | null;
  lastFire: string | null;
  /** Tasks beyond the first for one fire time. */
  duplicates: number;
  /** Fire times the target received from more than one task (retries of one task are one). */
  receivedFromTwoTasks: number;
  /** Whole seconds between the first and the last fire with no task. */
  misses: number;
  /** Tasks the target never received. */
  undelivered: number;
  deliveries: number;
}

function writeCronConfig(env: FaultEnv, target: TargetServer): string {
  return env.writeConfig('scheduler', {
    scheduler: { leaseDuration: '6s', pollInterval: '250ms', heartbeatInterval: '500ms', shutdownTimeout: '2s' },
    log: { level: 'info' },
    queues: {
      cron: {
        target: `${target.url}/cron`,
        allowPrivateNetwork: true,
        timeout: '2s',
        retry: { strategy: 'fixed', options: { delay: '100ms' } },
      },
    },
    cron: { [ENTRY]: { queue: 'cron', schedule: '* * * * * *', catchUp: 'last' } },
  });
}

async function entryTasks(env: FaultEnv): Promise<{ id: string; state: string; fireAt: number }[]> {
  const rows = await env.db.sql.query(
    `select id, state, cron_fire_at from dispatchr_task where cron = $1 order by cron_fire_at, id`,
    [ENTRY],
  );
  return rows.map((row) => ({
    id: String(row.id),
    state: String(row.state),
    fireAt: toDate(row.cron_fire_at).getTime(),
  }));
}

const nextFireAt = async (env: FaultEnv) => (await createCronRepository(env.db).get(ENTRY))?.nextFireAt ?? null;

/** Waits until every fire time up to `windowEnd` has fired, pauses the entry, and waits for its tasks. */
async function closeWindow(env: FaultEnv, windowEnd: number): Promise<void> {
  const fired = async () => ((await nextFireAt(env))?.getTime() ?? 0) > windowEnd;
  await until(fired, windowEnd - Date.now() + 30_000, 'the window to be fired', 100);
  await createCronEntries({ cron: createCronRepository(env.db), clock: systemClock }).setPaused(ENTRY, true);
  await until(
    async () => (await entryTasks(env)).every((t) => t.state === 'completed'),
    30_000,
    'every cron task to complete',
    100,
  );
}

async function cronHistory(env: FaultEnv, target: TargetServer): Promise<CronHistory> {
  const tasks = await entryTasks(env);
  const perFireTime = new Map<number, number>();
  for (const task of tasks) perFireTime.set(task.fireAt, (perFireTime.get(task.fireAt) ?? 0) + 1);
  const received = target.for('/cron');
  const senders = new Map<string, Set<string>>();
  for (const request of received) {
    const fireTime = String(request.headers['dispatchr-cron-fire-time']);
    const ids = senders.get(fireTime) ?? new Set<string>();
    ids.add(String(request.headers['webhook-id']));
    senders.set(fireTime, ids);
  }
  const delivered = new Set(received.map((request) => String(request.headers['webhook-id'])));
  const first = tasks[0]?.fireAt;
  const last = tasks.at(-1)?.fireAt;
  let misses = 0;
  if (first !== undefined && last !== undefined)
    for (let at = first; at <= last; at += 1_000) if (!perFireTime.has(at)) misses++;
  return {
    fires: tasks.length,
    firstFire: first === undefined ? null : new Date(first).toISOString(),
    lastFire: last === undefined ? null : new Date(last).toISOString(),
    duplicates: [...perFireTime.values()].reduce((sum, n) => sum + n - 1, 0),
    receivedFromTwoTasks: [...senders.values()].filter((ids) => ids.size > 1).length,
    misses,
    undelivered: tasks.filter((task) => !delivered.has(task.id)).length,
    deliveries: received.length,
  };
}

export interface CronSchedulersResult {
  history: CronHistory;
  schedulers: number;
  /** Whole seconds in (all started, window end]: each must have fired. */
  certain: number;
  certainFired: number;
}

export async function runCronSchedulers(options: {
  schedulers: number;
  seconds: number;
}): Promise<CronSchedulersResult> {
  const env = await createFaultEnv('cron');
  const target = await startTargetServer();
  try {
    const configFile = writeCronConfig(env, target);
    const processes: SchedulerProcess[] = [];
    for (let i = 0; i < options.schedulers; i++) processes.push(env.spawn({ name: `scheduler-${i}`, configFile }));
    await Promise.all(processes.map((p) => p.ready));
    const startedBy = Date.now();
    const windowEnd = startedBy + options.seconds * 1_000;
    await closeWindow(env, windowEnd);
    processes.forEach((p) => p.kill('SIGTERM'));
    await Promise.all(processes.map((p) => p.exited));

    const history = await cronHistory(env, target);
    const fired = new Set((await entryTasks(env)).map((task) => task.fireAt));
    const certain: number[] = [];
    for (let s = Math.floor(startedBy / 1_000) * 1_000 + 1_000; s <= windowEnd; s += 1_000) certain.push(s);
    const result = {
      history,
      schedulers: options.schedulers,
      certain: certain.length,
      certainFired: certain.filter((s) => fired.has(s)).length,
    };
    printFigures(`cron: ${options.schedulers} schedulers, a 1 s entry for ${options.seconds} s`, {
      fires: history.fires,
      'fire times in the window fired': `${result.certainFired}/${result.certain}`,
      duplicates: history.duplicates,
      'fire times received from two tasks': history.receivedFromTwoTasks,
      misses: history.misses,
      undelivered: history.undelivered,
      deliveries: history.deliveries,
      span: `${history.firstFire} .. ${history.lastFire}`,
    });
    return result;
  } finally {
    await target.close();
    await env.cleanup();
  }
}

export interface CronKillResult {
  history: CronHistory;
  kills: {
    signal: string | null;
    failpointFired: boolean;
    firing: string | null;
    tasksAtDeath: number;
    tasksAfter: number;
  }[];
}

/**
 * `kills` times: a scheduler that dies inside its `pass`-th fire's transaction, `downMs` with no
 * scheduler (within the 60 s grace), then the next; a clean one ends the run.
 */
export async function runCronKillDuringFire(options: {
  kills: number;
  pass: number;
  downMs: number;
  afterSeconds: number;
}): Promise<CronKillResult> {
  const env = await createFaultEnv('cronkill');
  const target = await startTargetServer();
  try {
    const configFile = writeCronConfig(env, target);
    const kills: (CronKillResult['kills'][number] & { at: number | null })[] = [];
    for (let k = 0; k < options.kills; k++) {
      const crashing = env.spawn({
        name: `crashing-${k}`,
        configFile,
        env: { DISPATCHR_FAILPOINTS: `cron-before-commit:${options.pass}` },
      });
      const exit = await crashing.exited;
      // The fire's transaction died with the process: next_fire_at is still the time it was firing.
      const firing = await nextFireAt(env);
      const tasksAtDeath =
        firing === null ? 0 : (await entryTasks(env)).filter((t) => t.fireAt === firing.getTime()).length;
      kills.push({
        signal: exit.signal,
        failpointFired: crashing.stderr().includes(`failpoint cron-before-commit fired on pass ${options.pass}`),
        firing: firing?.toISOString() ?? null,
        at: firing?.getTime() ?? null,
        tasksAtDeath,
        tasksAfter: 0,
      });
      await sleep(options.downMs);
    }
    const recovering = env.spawn({ name: 'recovering', configFile });
    await recovering.ready;
    await closeWindow(env, Date.now() + options.afterSeconds * 1_000);
    recovering.kill('SIGTERM');
    await recovering.exited;

    const history = await cronHistory(env, target);
    const tasks = await entryTasks(env);
    for (const kill of kills) kill.tasksAfter = tasks.filter((t) => t.fireAt === kill.at).length;
    printFigures(`cron: kill -9 inside the fire transaction (${options.kills}x, pass ${options.pass})`, {
      fires: history.fires,
      'fire times being fired at the kills': kills.map((k) => k.firing),
      'their tasks at death / after restart': kills.map((k) => `${k.tasksAtDeath}/${k.tasksAfter}`),
      duplicates: history.duplicates,
      'fire times received from two tasks': history.receivedFromTwoTasks,
      misses: history.misses,
      undelivered: history.undelivered,
      span: `${history.firstFire} .. ${history.lastFire}`,
    });
    return { history, kills: kills.map(({ at: _at, ...kill }) => kill) };
  } finally {
    await target.close();
    await env.cleanup();
  }
}

function assertHistory(history: CronHistory): void {
  expect(history.fires).toBeGreaterThan(0);
  expect(history.duplicates).toBe(0);
  expect(history.receivedFromTwoTasks).toBe(0);
  expect(history.misses).toBe(0);
  expect(history.undelivered).toBe(0);
}

export function assertCronSchedulers(result: CronSchedulersResult): void {
  assertHistory(result.history);
  expect(result.certainFired).toBe(result.certain);
}

export function assertCronKill(result: CronKillResult): void {
  assertHistory(result.history);
  for (const kill of result.kills) {
    expect(kill.signal).toBe('SIGKILL');
    expect(kill.failpointFired).toBe(true);
    expect(kill.firing).not.toBeNull();
    expect(kill.tasksAtDeath).toBe(0); // rolled back with the process
    expect(kill.tasksAfter).toBe(1); // not lost, not doubled
  }
}

import { performance } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';
import { epochToMono, procOptions, runMain, sleep, tell } from '../lib/common.js';
import { statTicks } from '../lib/cpu.js';
import { benchConfig, countByState, emptyTasks, freshStore, seedTasks, type BenchDialect } from '../lib/db.js';
import { targetControl, type TargetStats } from '../lib/target-client.js';

/**
 * Dispatch throughput, and the memory mode. This process IS the scheduler (createScheduler, as
 * `dispatchr schedule` runs it), on a fresh store, pushing to the target in its own process.
 *  1. warm-up: `warmupTasks` due tasks drained by the same scheduler (JIT, connections, threads);
 *  2. the tables are emptied, CHECKPOINT; `tasks` tasks are written in one statement as scheduled
 *     for T0 (about two seconds ahead), ANALYZE; the idle scheduler's own timer wakes it at T0;
 *  3. the window runs from T0 until the last batch is settled (all `tasks` recorded).
 * Then the rows, the attempts and the target's count are checked.
 */
interface Options {
  dialect: BenchDialect;
  targetPort: number;
  tasks: number;
  warmupTasks: number;
  maxConcurrent: number;
  /** Absent: the config's defaults (bench/lib/db.ts benchConfig). */
  batchSize?: number;
  workerThreads?: number;
  memory?: boolean;
}

const epochNow = () => performance.timeOrigin + performance.now();

/**
 * CPU ticks (1/100 s) of each of this process's threads, by thread id, from /proc/self/task.
 * Node 20 names them all "node": see threadRoles for telling them apart.
 */
function threadTicks(): Record<string, number> {
  const ticks: Record<string, number> = {};
  for (const tid of readdirSync('/proc/self/task')) {
    const used = statTicks(`/proc/self/task/${tid}/stat`);
    if (used !== null) ticks[tid] = used; // null: the thread ended meanwhile
  }
  return ticks;
}

/**
 * The window's ticks by role: the main thread; the `workerThreads` busiest others, which are the
 * piscina threads (each sends a thousand requests a second, far more than any helper does); and
 * the rest together (V8's compiler and GC helpers, libuv's pool). Tells where the scheduler's CPU
 * per task goes without a profiler's distortions.
 */
function threadRoles(
  start: Record<string, number>,
  end: Record<string, number>,
  workerThreads: number,
): Record<string, number> {
  const used = Object.entries(end).map(([tid, ticks]) => [tid, ticks - (start[tid] ?? 0)] as const);
  const others = used.filter(([tid]) => Number(tid) !== process.pid).sort((a, b) => b[1] - a[1]);
  const sum = (list: (readonly [string, number])[]) => list.reduce((total, [, ticks]) => total + ticks, 0);
  return {
    main: sum(used.filter(([tid]) => Number(tid) === process.pid)),
    piscina: sum(others.slice(0, workerThreads)),
    'V8 and libuv helpers': sum(others.slice(workerThreads)),
  };
}

runMain(async () => {
  const o = procOptions<Options>();
  const store = await freshStore(o.dialect, 'disp');
  const config = benchConfig({
    url: store.url,
    targetPort: o.targetPort,
    maxConcurrent: o.maxConcurrent,
    batchSize: o.batchSize,
    workerThreads: o.workerThreads,
  });
  const db = await initOrm({ url: store.url, poolSize: config.database.poolSize });
  try {
    await migrate(db);
    let settled = 0;
    let batches = 0;
    let goal = Infinity;
    let reached: (() => void) | null = null;
    const scheduler = await createScheduler({
      config,
      db,
      events: {
        onDecisions: (_queue, decisions) => {
          settled += decisions.length;
          batches += 1;
          if (settled >= goal && reached) {
            const done = reached;
            reached = null;
            done();
          }
        },
      },
    });
    const drained = (n: number) =>
      new Promise<void>((resolve) => {
        goal = n;
        if (settled >= n) resolve();
        else reached = resolve;
      });

    // 1. warm-up
    await seedTasks(db, o.warmupTasks, { runAt: new Date(), state: 'available' });
    await scheduler.start();
    await drained(o.warmupTasks);
    await sleep(200);

    // 2. the measured tasks, due at T0
    await emptyTasks(db);
    if (db.driver.name === 'postgresql') await db.sql.execute('checkpoint');
    await targetControl(o.targetPort, 'reset');
    const leadMs = 1_500 + Math.ceil(o.tasks / 20);
    const t0 = Math.ceil(Date.now() + leadMs);
    await seedTasks(db, o.tasks, { runAt: new Date(t0), state: 'scheduled' });
    await db.sql.execute('analyze dispatchr_task');
    if (Date.now() > t0 - 100) throw new Error(`seeding ran past T0 (${Date.now() - t0} ms); raise the lead time`);
    settled = 0;
    batches = 0;
    const done = drained(o.tasks);

    // 3. the window
    // Start and end from live memory only. Not --expose-gc on the command line: worker threads refuse it.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    if (o.memory) gc();
    const rssAtStart = process.memoryUsage().rss;
    const heapAtStart = process.memoryUsage().heapUsed;
    // What of the RSS is the main thread's V8 heap (its pages in memory, used or not): the rest is
    // the worker thread's heap, sockets, buffers and the allocator's arenas.
    const heapPagesAtStart = v8.getHeapStatistics().total_physical_size;
    await sleep(t0 - Date.now() - 30);
    tell({ type: 'window', phase: 'start', pids: {} });
    while (Date.now() < t0) await new Promise((r) => setImmediate(r));
    const ticksAtStart = threadTicks();
    const memory: number[] = [];
    const timeline: { settled: number; rssMB: number; heapMB: number; externalMB: number }[] = [];
    const sampler = o.memory
      ? setInterval(() => {
          const usage = process.memoryUsage();
          memory.push(usage.rss);
          if (memory.length % 10 === 0)
            timeline.push({
              settled,
              rssMB: mb(usage.rss),
              heapMB: mb(usage.heapUsed),
              externalMB: mb(usage.external),
            });
        }, 100)
      : undefined;
    await done;
    const t1 = epochNow();
    const ticksAtEnd = threadTicks();
    tell({ type: 'window', phase: 'end' });
    clearInterval(sampler);
    if (o.memory) {
      // Measured as the start was: after the scheduler sat idle for a while (it waited for T0 there),
      // so V8 has given back the pages of heap it no longer uses. The peak during the run is reported
      // beside it (rssMaxGrowthMB).
      await sleep(5_000);
      gc();
    }
    const rssAtEnd = process.memoryUsage().rss;
    const heapAtEnd = process.memoryUsage().heapUsed;
    const heapPagesAtEnd = v8.getHeapStatistics().total_physical_size;
    const t0Mono = epochToMono(t0);

    // checks
    const stats = await targetControl<TargetStats>(o.targetPort, 'stats');
    const states = await countByState(db);
    const attempts = Number(
      (await db.sql.query<{ n: string | number }>('select count(*) as n from dispatchr_attempt_history'))[0].n,
    );
    await scheduler.stop({ timeoutMs: 5_000 });
    const problems: string[] = [];
    if ((states.completed ?? 0) !== o.tasks)
      problems.push(`completed ${states.completed ?? 0} of ${o.tasks} (${JSON.stringify(states)})`);
    if (attempts !== o.tasks) problems.push(`${attempts} attempt rows`);
    if (stats.count !== o.tasks) problems.push(`the target received ${stats.count} requests`);
    if (problems.length) throw new Error(`dispatch check failed: ${problems.join('; ')}`);

    const seconds = (t1 - t0) / 1000;
    tell({
      type: 'result',
      value: o.tasks / seconds,
      unit: 'tasks/s',
      tasks: o.tasks,
      ms: Math.round(t1 - t0),
      avgBatch: Math.round(o.tasks / batches),
      // µs of CPU per task by thread role over the window
      threadsUsPerTask: Object.fromEntries(
        Object.entries(threadRoles(ticksAtStart, ticksAtEnd, config.scheduler.workerThreads)).map(([role, ticks]) => [
          role,
          Math.round((ticks * 10_000) / o.tasks),
        ]),
      ),
      startLagMs: Math.round((stats.first - t0Mono) * 100) / 100,
      ...(o.memory
        ? {
            rssStartMB: mb(rssAtStart),
            rssMaxMB: mb(Math.max(rssAtStart, ...memory, rssAtEnd)),
            rssEndMB: mb(rssAtEnd),
            rssGrowthMB: mb(rssAtEnd - rssAtStart),
            rssMaxGrowthMB: mb(Math.max(rssAtStart, ...memory, rssAtEnd) - rssAtStart),
            heapStartMB: mb(heapAtStart),
            heapEndMB: mb(heapAtEnd),
            heapPagesStartMB: mb(heapPagesAtStart),
            heapPagesEndMB: mb(heapPagesAtEnd),
            timeline,
          }
        : {}),
    });
  } finally {
    await db.close().catch(() => undefined);
    await store.drop();
  }
});

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { epochToMono, monoMs, procOptions, runMain, sleep, spawnProc, tell } from '../lib/common.js';
import { startCli, type CliProcess } from '../lib/cli-proc.js';
import { statTicks } from '../lib/cpu.js';
import { coldConfigText, freshStore, QUEUE, seedTasks } from '../lib/db.js';
import { recorderClient, type RecorderClient } from '../lib/recorder-client.js';
import { targetControl, type TargetStats } from '../lib/target-client.js';

/**
 * The cold figure (issue 23, "Fast by default"): what a user meets. `tasks` due tasks are written
 * into a fresh, migrated schema; then a FRESH `dispatchr schedule --config <file>` process (the
 * real CLI, running dist/) is spawned with the default config plus only the database, the queue's
 * target, allowPrivateNetwork and maxConcurrent, and drains them. A recorder (bench/procs/recorder.ts)
 * on the same database is the only window into progress: its `GET /v1/queues` counts tell when
 * every task is completed, and the tasks' `finalizedAt` (what the scheduler recorded) give the
 * last completion.
 *  value: tasks / (last finalizedAt − the target's first request), both on CLOCK_MONOTONIC;
 *  startupMs: spawn → the target's first request, with the phases between (first output line,
 *   the 'scheduler started' log line's own time).
 * The CPU window runs from the spawn until the counts show the drain done, so the scheduler's
 * CPU per task includes its start-up: the whole price of a cold drain. startupCpuMs and
 * drainCpuUsPerTask split the scheduler's own CPU at its first request (the target is polled
 * every 20 ms until then).
 */
interface Options {
  targetPort: number;
  tasks: number;
  maxConcurrent: number;
  /** Node options for the spawned scheduler (--cpu-prof with `--profile=cold`). */
  nodeArgs?: string[];
  pollMs?: number;
}

const DRAIN_TIMEOUT_MS = 120_000;

runMain(async () => {
  const o = procOptions<Options>();
  const store = await freshStore('pg', 'cold');
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatchr-cold-'));
  const configFile = path.join(dir, 'dispatchr.yml');
  writeFileSync(
    configFile,
    coldConfigText({ url: store.url, targetPort: o.targetPort, maxConcurrent: o.maxConcurrent }),
  );
  // Migrated and seeded before the spawn, due a second before it: the scheduler finds work at once.
  const db = await initOrm({ url: store.url });
  try {
    await migrate(db);
    await seedTasks(db, o.tasks, { runAt: new Date(Date.now() - 1_000), state: 'available' });
    await db.sql.execute('analyze dispatchr_task');
    await db.sql.execute('checkpoint');
  } finally {
    await db.close();
  }
  let scheduler: CliProcess | null = null;
  const recorder = spawnProc('recorder', { url: store.url, targetPort: o.targetPort });
  let api: RecorderClient | null = null;
  try {
    api = recorderClient((await recorder.next<{ type: 'ready'; url: string }>('ready', 60_000)).url);
    const before = await api.counts(QUEUE);
    if ((before.available ?? 0) !== o.tasks) throw new Error(`seeded ${JSON.stringify(before)}, not ${o.tasks}`);
    await targetControl(o.targetPort, 'reset');

    scheduler = startCli(['schedule', '--config', configFile], { nodeArgs: o.nodeArgs });
    tell({ type: 'window', phase: 'start', pids: { scheduler: scheduler.pid, recorder: recorder.pid } });
    const deadline = monoMs() + DRAIN_TIMEOUT_MS;
    const schedulerTicks = () => statTicks(`/proc/${scheduler!.pid}/stat`) ?? NaN;
    // The scheduler's CPU up to its first request (read within 20 ms of it): its start-up's price.
    let startupTicks = NaN;
    while (monoMs() < deadline && scheduler.exitCode() === undefined) {
      if ((await targetControl<TargetStats>(o.targetPort, 'stats')).count > 0) {
        startupTicks = schedulerTicks();
        break;
      }
      await sleep(20);
    }
    let counts = before;
    for (;;) {
      counts = await api.counts(QUEUE);
      if ((counts.completed ?? 0) + (counts.failed ?? 0) >= o.tasks) break;
      const exit = scheduler.exitCode();
      if (exit !== undefined) throw new Error(`the scheduler exited (code ${exit}) mid-drain${outputTail(scheduler)}`);
      if (monoMs() > deadline)
        throw new Error(`not drained in ${DRAIN_TIMEOUT_MS} ms: ${JSON.stringify(counts)}${outputTail(scheduler)}`);
      await sleep(o.pollMs ?? 100);
    }
    const seenDoneAt = monoMs();
    const doneTicks = schedulerTicks();
    tell({ type: 'window', phase: 'end' });

    const stats = await targetControl<TargetStats>(o.targetPort, 'stats');
    const last = await api.lastFinalizedAt(QUEUE);
    const problems: string[] = [];
    if ((counts.completed ?? 0) !== o.tasks) problems.push(`completed ${JSON.stringify(counts)}`);
    if (last.tasks !== o.tasks) problems.push(`the API listed ${last.tasks} completed tasks`);
    if (stats.count !== o.tasks) problems.push(`the target received ${stats.count} requests`);
    if (problems.length) throw new Error(`cold check failed: ${problems.join('; ')}${outputTail(scheduler)}`);

    const lastDone = epochToMono(last.epochMs);
    const ms = (at: number | null) => (at === null ? null : round(at - scheduler!.spawnedAt));
    const output = scheduler.output();
    tell({
      type: 'result',
      value: o.tasks / ((lastDone - stats.first) / 1000),
      unit: 'tasks/s',
      tasks: o.tasks,
      ms: round(lastDone - stats.first),
      startupMs: ms(stats.first),
      // spawn → …, each on the monotonic clock (null: not seen)
      phases: {
        firstOutputMs: ms(scheduler.firstOutputAt()),
        startedLogMs: ms(scheduler.loggedAt('scheduler started')),
        firstRequestMs: ms(stats.first),
        lastFinalizedMs: ms(lastDone),
        doneSeenByApiMs: ms(seenDoneAt),
      },
      // CPU of the scheduler process (every thread), 10 ms ticks: before its first request, and per task after it
      startupCpuMs: startupTicks * 10,
      drainCpuUsPerTask: Math.round(((doneTicks - startupTicks) * 10_000) / o.tasks),
      outputLines: output.lines,
      outputBytes: output.bytes,
    });
  } finally {
    const code = await scheduler?.stop();
    if (code !== undefined && code !== 0 && code !== null)
      process.stderr.write(`the scheduler exited with code ${code}${outputTail(scheduler!)}\n`);
    await api?.close().catch(() => undefined);
    recorder.send({ type: 'stop' });
    await Promise.race([recorder.exited, sleep(10_000)]);
    await recorder.kill();
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});

function outputTail(cli: CliProcess): string {
  const { tail } = cli.output();
  return tail.length ? `\nscheduler output (last lines):\n${tail.join('\n')}` : '';
}

const round = (n: number) => Math.round(n * 100) / 100;

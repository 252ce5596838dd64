import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { Pool } from 'undici';
import { randomBytes } from 'node:crypto';
import { monoMs, noopBody, percentile, procOptions, runMain, sleep, tell } from '../lib/common.js';
import { benchDbUrl } from '../lib/db.js';
import { targetControl, type TargetStats } from '../lib/target-client.js';

/**
 * graphile-worker 0.17 as the reference, in its own process on a fresh schema, with a no-op task
 * and a quiet logger (its default logger prints a line per job).
 *  throughput: warm-up `warmupJobs` through the running worker, then `jobs` added by one addJobs
 *   call; the window runs from that call's return (the commit that NOTIFYs the worker) until the
 *   job table is empty (every completion written).
 *  latency: worker idle, one addJob every `intervalMs`; time from just before addJob to the
 *   handler's start, same process (as the peer bench measured it).
 * preset 'default': concurrency 10, everything else default (the peer bench's `gw.process.c10`);
 * 'fast': the Performance page's settings (concurrentJobs 24, maxPoolSize 25, localQueue 500,
 * completeJobBatchDelay 0, failJobBatchDelay 0).
 * push (throughput only): the handler does what a Dispatchr dispatch does, POSTing the job's
 * payload as JSON to the target (`/noop`) with undici, one keep-alive connection per concurrent
 * job, and reading the answer's body; a non-2xx answer fails the job (and the check).
 */
interface Options {
  mode: 'throughput' | 'latency';
  preset: 'default' | 'fast';
  jobs: number;
  warmupJobs: number;
  samples: number;
  warmup: number;
  intervalMs: number;
  push?: boolean;
  targetPort: number;
}

const quiet = new Logger(() => () => undefined);

runMain(async () => {
  const o = procOptions<Options>();
  const connectionString = benchDbUrl();
  const schema = `gw_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  let runner: Runner | null = null;
  let utils: WorkerUtils | null = null;
  let target: Pool | null = null;
  try {
    let handled = 0;
    let onHandled: ((seq: number, at: number) => void) | null = null;
    const fast = o.preset === 'fast';
    const concurrency = fast ? 24 : 10;
    target = o.push
      ? new Pool(`http://127.0.0.1:${o.targetPort}`, {
          connections: concurrency,
          pipelining: 1,
          keepAliveTimeout: 10_000,
        })
      : null;
    const taskList = {
      noop: async (payload: unknown) => {
        const at = monoMs();
        if (target) {
          const res = await target.request({
            path: '/noop',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(payload),
          });
          await res.body.text();
          if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`the target answered ${res.statusCode}`);
        }
        handled += 1;
        onHandled?.((payload as { seq?: number }).seq ?? -1, at);
      },
    };
    runner = await run({
      connectionString,
      schema,
      concurrency,
      ...(fast ? { maxPoolSize: 25 } : {}),
      noHandleSignals: true,
      logger: quiet,
      taskList,
      ...(fast
        ? { preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } }
        : {}),
    });
    utils = await makeWorkerUtils({ connectionString, schema, logger: quiet });
    const pending = async () =>
      Number((await admin.query(`select count(*) as n from "${schema}"._private_jobs`)).rows[0].n);

    if (o.mode === 'throughput') {
      await utils.addJobs(
        Array.from({ length: o.warmupJobs }, (_, i) => ({ identifier: 'noop', payload: noopBody(i) })),
      );
      while ((await pending()) > 0) await sleep(20);
      // As the scheduler's drain empties its tables and checkpoints after its warm-up: the
      // warm-up's dead job rows and WAL are not left for the measured window.
      await admin.query(`vacuum analyze "${schema}"._private_jobs`);
      await admin.query('checkpoint');
      const specs = Array.from({ length: o.jobs }, (_, i) => ({ identifier: 'noop', payload: noopBody(i) }));
      if (target) await targetControl(o.targetPort, 'reset');
      handled = 0;
      tell({ type: 'window', phase: 'start', pids: {} });
      await utils.addJobs(specs);
      const t0 = monoMs();
      while (handled < o.jobs) await sleep(2);
      while ((await pending()) > 0) await sleep(2);
      const t1 = monoMs();
      tell({ type: 'window', phase: 'end' });
      if (target) {
        const { count } = await targetControl<TargetStats>(o.targetPort, 'stats');
        if (count !== o.jobs)
          throw new Error(`gw push check failed: the target received ${count} of ${o.jobs} requests`);
      }
      tell({
        type: 'result',
        value: o.jobs / ((t1 - t0) / 1000),
        unit: 'jobs/s',
        jobs: o.jobs,
        ms: Math.round(t1 - t0),
      });
      return;
    }

    const before = new Map<number, number>();
    const returned = new Map<number, number>();
    const started = new Map<number, number>();
    onHandled = (seq, at) => void started.set(seq, at);
    const total = o.warmup + o.samples;
    const start = monoMs() + 50;
    const adds: Promise<void>[] = [];
    for (let seq = 0; seq < total; seq++) {
      if (seq === o.warmup) tell({ type: 'window', phase: 'start', pids: {} });
      const wait = start + seq * o.intervalMs - monoMs();
      if (wait > 0) await sleep(wait);
      before.set(seq, monoMs());
      adds.push(runner.addJob('noop', { seq }).then(() => void returned.set(seq, monoMs())));
    }
    await Promise.all(adds);
    for (let i = 0; i < 200 && started.size < total; i++) await sleep(20);
    tell({ type: 'window', phase: 'end' });
    const fromAdd: number[] = [];
    const fromReturn: number[] = [];
    for (let seq = o.warmup; seq < total; seq++) {
      const at = started.get(seq);
      if (at === undefined) throw new Error(`job ${seq} never started`);
      fromAdd.push(at - before.get(seq)!);
      fromReturn.push(at - returned.get(seq)!);
    }
    const pct = (values: number[]) => ({
      p50: round(percentile(values, 50)),
      p95: round(percentile(values, 95)),
      p99: round(percentile(values, 99)),
    });
    const latency = pct(fromAdd);
    tell({
      type: 'result',
      value: latency.p50,
      unit: 'ms',
      ...latency,
      fromAddReturn: pct(fromReturn),
      samples: fromAdd.length,
    });
  } finally {
    await runner?.stop().catch(() => undefined);
    await target?.close().catch(() => undefined);
    await Promise.resolve(utils?.release()).catch(() => undefined);
    await admin.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
});

const round = (n: number) => Math.round(n * 100) / 100;

import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { Pool, request } from 'undici';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { noopBody, percentile, procOptions, runMain, sleep, spawnProc, tell, type Child } from '../lib/common.js';
import { clusterSettings, createCluster, dropOrphans, listClusters, type BenchCluster } from '../lib/cluster.js';
import { snapshot } from '../lib/cpu.js';
import { ADMIN_URL, benchDbUrl, freshStore, QUEUE } from '../lib/db.js';
import {
  buildWindows,
  clusterTicks,
  rssFlat,
  rssMB,
  sampleDb,
  secondsOfWindow,
  type WindowSample,
} from '../lib/soak-stats.js';

/**
 * Steady load where production runs: a recorder and a scheduler (each its own process) on a
 * PostgreSQL cluster this process creates with Debian's defaults and drops at the end (`main`:
 * the machine's own cluster instead), the shared target, and this process as the client, posting
 * a batch of creates every `intervalMs` on the clock (not on answers) at `rate` tasks/s for
 * `seconds`. Tasks are due at creation: lateness is the target's arrival time (wall clock, ms)
 * minus the `Dispatchr-Scheduled-At` header (the recorder's clock at the create, in ms). Every
 * `windowS` it samples RSS, dead tuples, HOT updates and WAL; then it waits until every created
 * task is completed, and fails if any is not.
 */
interface Options {
  targetPort: number;
  cluster: 'own' | 'main';
  seconds: number;
  rate: number;
  windowS: number;
  /** Seconds at the rate before the first window: the processes' JIT and caches warm up. */
  warmupS: number;
  intervalMs: number;
  batchSize: number;
  workerThreads: number;
  maxConcurrent: number;
}

const DRAIN_TIMEOUT_MS = 120_000;

runMain(async () => {
  const o = procOptions<Options>();
  const perBatch = Math.round((o.rate * o.intervalMs) / 1000);
  if (perBatch < 1 || perBatch > 1000) throw new Error(`--soak-rate: ${perBatch} tasks per batch, not 1 to 1,000`);
  const children: Child[] = [];
  let cluster: BenchCluster | null = null;
  // Ctrl-C or the orchestrator's timeout: stop our processes and drop the cluster even so.
  const onSignal = () => {
    for (const child of children) child.process.kill('SIGKILL');
    cluster?.dropDetached();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('disconnect', onSignal);
  let dropStore = async () => {};
  try {
    let url: string;
    let statsUrl: string;
    let schema: string;
    let settings: Record<string, string>;
    let clusterName: string;
    if (o.cluster === 'main') {
      const store = await freshStore('pg', 'soak');
      dropStore = store.drop;
      url = store.url;
      statsUrl = benchDbUrl();
      schema = new URL(url).searchParams.get('schema')!;
      settings = await clusterSettings(ADMIN_URL);
      clusterName = '15/main (the machine cluster)';
    } else {
      const orphans = dropOrphans();
      if (orphans.length) console.log(`soak: dropped clusters left by killed soaks: ${orphans.join(', ')}`);
      cluster = await createCluster();
      const admin = new pg.Client({ connectionString: cluster.adminUrl });
      await admin.connect();
      await admin.query('create database dispatchr_soak');
      await admin.end();
      url = statsUrl = cluster.adminUrl.replace(/\/postgres$/, '/dispatchr_soak');
      schema = 'public';
      settings = await clusterSettings(cluster.adminUrl);
      clusterName = `15/${cluster.name} (created for this soak, port ${cluster.port})`;
    }
    // The cluster's CPU: its postmaster's pid (NaN, and no cluster column, when it is elsewhere).
    const pidFile = `/var/lib/postgresql/15/${cluster ? cluster.name : 'main'}/postmaster.pid`;
    const postmasterPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n', 1)[0]) : NaN;
    const db = await initOrm({ url });
    await migrate(db);
    await db.close();
    const stats = new pg.Client({ connectionString: statsUrl });
    await stats.connect();
    try {
      const config = {
        url,
        targetPort: o.targetPort,
        batchSize: o.batchSize,
        workerThreads: o.workerThreads,
        maxConcurrent: o.maxConcurrent,
      };
      const scheduler = spawnProc('scheduler', config);
      children.push(scheduler);
      const recorder = spawnProc('recorder', config);
      children.push(recorder);
      await scheduler.next('ready', 60_000);
      const { url: recorderUrl } = await recorder.next<{ type: 'ready'; url: string }>('ready', 60_000);
      const target = (what: string) =>
        request(`http://127.0.0.1:${o.targetPort}/__bench/lateness/${what}`)
          .then((res) => res.body.json() as Promise<{ lateness: number[] }>)
          .then((body) => body.lateness);
      await target('start');
      const pool = new Pool(new URL(recorderUrl).origin, { connections: 16, pipelining: 1, keepAliveTimeout: 10_000 });

      let created = 0;
      let failed = 0;
      let lastError = '';
      let inFlight = 0;
      let maxInFlight = 0;
      let seq = 0;
      const post = async () => {
        const tasks = Array.from({ length: perBatch }, () => ({ path: '/noop', body: noopBody(seq++) }));
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const res = await pool.request({
            path: `/v1/queues/${QUEUE}/tasks/batch`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ tasks }),
          });
          const text = await res.body.text();
          if (res.statusCode === 201) created += perBatch;
          else {
            failed += 1;
            lastError = `${res.statusCode} ${text.slice(0, 200)}`;
          }
        } catch (error) {
          failed += 1;
          lastError = String(error);
        } finally {
          inFlight -= 1;
        }
      };
      const sample = async (t0: number): Promise<WindowSample> => ({
        endS: Math.round((Date.now() - t0) / 100) / 10,
        rss: { recorder: rssMB(recorder.pid), scheduler: rssMB(scheduler.pid) },
        cpu: snapshot([recorder.pid, scheduler.pid]),
        pids: { recorder: recorder.pid, scheduler: scheduler.pid },
        pgTicks: clusterTicks(postmasterPid),
        db: await sampleDb(stats, schema),
        created,
      });

      // The warm-up runs at the same rate; its lateness is reported apart, outside every window.
      const tStart = Date.now();
      const t0 = tStart + o.warmupS * 1000;
      let before: WindowSample | undefined;
      const pairs: number[] = [];
      const samples: WindowSample[] = [];
      const windows = Math.ceil(o.seconds / o.windowS);
      // Each window's sample at its end, on the clock; lateness is handed over at the same moment.
      const sampler = (async () => {
        if (t0 > Date.now()) await sleep(t0 - Date.now());
        tell({ type: 'window', phase: 'start', pids: { scheduler: scheduler.pid, recorder: recorder.pid } });
        before = await sample(t0);
        for (let w = 1; w <= windows; w++) {
          const wait = t0 + Math.min(w * o.windowS, o.seconds) * 1000 - Date.now();
          if (wait > 0) await sleep(wait);
          samples.push(await sample(t0));
          for (const x of await target('take')) pairs.push(x);
        }
      })();
      const posts: Promise<void>[] = [];
      const batches = Math.round(((o.warmupS + o.seconds) * 1000) / o.intervalMs);
      for (let k = 0; k < batches; k++) {
        const wait = tStart + k * o.intervalMs - Date.now();
        if (wait > 0) await sleep(wait);
        posts.push(post());
      }
      await Promise.all(posts);
      await sampler;
      const sentS = (Date.now() - t0) / 1000;
      if (failed > 0) throw new Error(`${failed} batch creates were not answered 201; last: ${lastError}`);

      // Every created task must complete.
      const drainStart = Date.now();
      let states: Record<string, number> = {};
      for (;;) {
        const { rows } = await stats.query<{ state: string; n: string }>(
          `select state, count(*)::text as n from "${schema}".dispatchr_task group by state`,
        );
        states = Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
        if ((states.completed ?? 0) >= created) break;
        if (Date.now() - drainStart > DRAIN_TIMEOUT_MS)
          throw new Error(`${created} tasks created, after ${DRAIN_TIMEOUT_MS / 1000} s: ${JSON.stringify(states)}`);
        await sleep(250);
      }
      const drainMs = Date.now() - drainStart;
      const end = await sample(t0);
      for (const x of await target('stop')) pairs.push(x);
      tell({ type: 'window', phase: 'end' });
      await pool.close();
      const total = Object.values(states).reduce((a, b) => a + b, 0);
      if (total !== created || states.completed !== created)
        throw new Error(`${created} tasks created, the table holds ${JSON.stringify(states)}`);
      if (pairs.length / 2 !== created)
        throw new Error(`${created} tasks completed, the target saw ${pairs.length / 2} dispatch requests`);

      const warm: number[] = [];
      const measured: number[] = [];
      for (let i = 0; i < pairs.length; i += 2) (pairs[i] < t0 ? warm : measured).push(pairs[i], pairs[i + 1]);
      const warmLate = warm.filter((_, i) => i % 2 === 1);
      const table = buildWindows(measured, t0, o.windowS * 1000, before!, samples);
      scheduler.send({ type: 'stop' });
      recorder.send({ type: 'stop' });
      const stopped = await scheduler.next<{ type: 'stopped'; completed: number }>('stopped', 15_000);
      await Promise.race([Promise.all([scheduler.exited, recorder.exited]), sleep(15_000)]);
      const worst = table.reduce((a, b) => (b.p99 > a.p99 ? b : a));
      const first = table[0];
      const last = table[table.length - 1];
      tell({
        type: 'result',
        value: Math.max(...table.map((w) => w.p99)),
        unit: 'ms',
        // the measured part's tasks (CPU per task); `created` includes the warm-up's
        tasks: created - before!.created,
        created,
        cluster: { name: clusterName, settings },
        rate: o.rate,
        perBatch,
        seconds: o.seconds,
        sentS: Math.round(sentS * 10) / 10,
        drainMs,
        maxInFlight,
        schedulerCompleted: stopped.completed,
        windows: table,
        worstWindowBySecond: secondsOfWindow(measured, t0, o.windowS * 1000, worst.window),
        warmup: {
          seconds: o.warmupS,
          arrivals: warmLate.length,
          p50: percentile(warmLate, 50),
          p99: percentile(warmLate, 99),
          max: percentile(warmLate, 100),
        },
        walBytesPerTask: Math.round((end.db.wal - before!.db.wal) / (created - before!.created)),
        // CPU µs per measured task of the soak's cluster alone (run.ts's `postgres` counts every cluster)
        clusterUsPerTask: Math.round(((end.pgTicks - before!.pgTicks) * 10_000) / (created - before!.created)),
        deadTuplesEnd: end.db.deadTuples,
        end: end.db,
        hotUpdates: end.db.hotUpdates - before!.db.hotUpdates,
        updates: end.db.updates - before!.db.updates,
        autovacuums: end.db.autovacuums - before!.db.autovacuums,
        checkpoints: end.db.checkpoints - before!.db.checkpoints,
        rss: {
          recorder: { firstMB: first.rssRecorderMB, lastMB: last.rssRecorderMB },
          scheduler: { firstMB: first.rssSchedulerMB, lastMB: last.rssSchedulerMB },
        },
        rssFlat: rssFlat(table),
      });
    } finally {
      await stats.end().catch(() => undefined);
    }
  } finally {
    await Promise.all(children.map((child) => child.kill()));
    await dropStore();
    if (cluster) {
      await cluster.drop();
      console.log(`soak: cluster ${cluster.name} dropped; pg_lsclusters: ${listClusters().join(', ')}`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('disconnect', onSignal);
  }
});

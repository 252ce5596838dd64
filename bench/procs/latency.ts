import { Pool } from 'undici';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { monoMs, noopBody, percentile, procOptions, runMain, sleep, spawnProc, tell } from '../lib/common.js';
import { freshStore, QUEUE, type BenchDialect } from '../lib/db.js';
import { targetControl } from '../lib/target-client.js';

/**
 * Create-to-target latency: recorder, scheduler and target each in their own process, this
 * process the API client. With the scheduler idle, one task is created every `intervalMs`; the
 * time runs from just before the create request is sent to the target parsing the pushed
 * request's headers, both read on CLOCK_MONOTONIC. Warm-up creates are discarded.
 */
interface Options {
  dialect: BenchDialect;
  targetPort: number;
  samples: number;
  warmup: number;
  intervalMs: number;
  maxConcurrent: number;
  schedulerExecArgv?: string[];
  recorderExecArgv?: string[];
}

runMain(async () => {
  const o = procOptions<Options>();
  const store = await freshStore(o.dialect, 'lat');
  const db = await initOrm({ url: store.url });
  await migrate(db);
  await db.close();
  const common = { url: store.url, targetPort: o.targetPort, maxConcurrent: o.maxConcurrent };
  const scheduler = spawnProc('scheduler', common, o.schedulerExecArgv ?? []);
  const recorder = spawnProc('recorder', common, o.recorderExecArgv ?? []);
  try {
    await scheduler.next('ready', 60_000);
    const { url } = await recorder.next<{ type: 'ready'; url: string }>('ready', 60_000);
    await targetControl(o.targetPort, 'reset');
    const pool = new Pool(new URL(url).origin, { connections: 4, pipelining: 1, keepAliveTimeout: 10_000 });
    const sent = new Map<number, number>();
    const answered = new Map<number, number>();
    const create = async (seq: number) => {
      const body = JSON.stringify({ path: '/noop', headers: { 'x-bench-seq': String(seq) }, body: noopBody(seq) });
      const t = monoMs();
      sent.set(seq, t);
      const res = await pool.request({
        path: `/v1/queues/${QUEUE}/tasks`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.text();
      answered.set(seq, monoMs());
      if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}`);
    };
    const total = o.warmup + o.samples;
    const pending: Promise<void>[] = [];
    const start = monoMs() + 50;
    for (let seq = 0; seq < total; seq++) {
      if (seq === o.warmup)
        tell({ type: 'window', phase: 'start', pids: { scheduler: scheduler.pid, recorder: recorder.pid } });
      const wait = start + seq * o.intervalMs - monoMs();
      if (wait > 0) await sleep(wait);
      pending.push(create(seq));
    }
    await Promise.all(pending);
    // every measured task must reach the target
    let arrivals: [number, number][] = [];
    for (let i = 0; i < 100; i++) {
      arrivals = (await targetControl<{ arrivals: [number, number][] }>(o.targetPort, 'arrivals')).arrivals;
      if (arrivals.length >= total) break;
      await sleep(50);
    }
    tell({ type: 'window', phase: 'end' });
    await pool.close();
    const at = new Map(arrivals);
    const toTarget: number[] = [];
    const createRtt: number[] = [];
    const afterAnswer: number[] = [];
    for (let seq = o.warmup; seq < total; seq++) {
      const arrival = at.get(seq);
      if (arrival === undefined) throw new Error(`task ${seq} never reached the target`);
      toTarget.push(arrival - sent.get(seq)!);
      createRtt.push(answered.get(seq)! - sent.get(seq)!);
      afterAnswer.push(arrival - answered.get(seq)!);
    }
    const pct = (values: number[]) => ({
      p50: round(percentile(values, 50)),
      p95: round(percentile(values, 95)),
      p99: round(percentile(values, 99)),
    });
    const latency = pct(toTarget);
    tell({
      type: 'result',
      value: latency.p50,
      unit: 'ms',
      ...latency,
      createRtt: pct(createRtt),
      afterAnswer: pct(afterAnswer),
      samples: toTarget.length,
    });
    scheduler.send({ type: 'stop' });
    recorder.send({ type: 'stop' });
    await Promise.race([Promise.all([scheduler.exited, recorder.exited]), sleep(15_000)]);
  } finally {
    await Promise.all([scheduler.kill(), recorder.kill()]);
    await store.drop();
  }
});

const round = (n: number) => Math.round(n * 100) / 100;

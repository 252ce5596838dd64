import { Pool } from 'undici';
import { initOrm } from '../../src/db/orm.js';
import { migrate } from '../../src/db/migrate.js';
import { monoMs, noopBody, procOptions, runMain, spawnProc, tell } from '../lib/common.js';
import { freshStore, QUEUE, type BenchDialect } from '../lib/db.js';

/**
 * Enqueue through the API: the recorder in its own process on a fresh store; this process is the
 * client (undici Pool). `single`: one POST per task at `concurrency`; `batch`: POST /tasks/batch
 * with 1,000 tasks each at `concurrency`. tasks/s = tasks answered 201 / window.
 */
interface Options {
  dialect: BenchDialect;
  targetPort: number;
  mode: 'single' | 'batch';
  tasks: number;
  warmupTasks: number;
  concurrency: number;
  batchSize: number;
  recorderExecArgv?: string[];
}

runMain(async () => {
  const o = procOptions<Options>();
  const store = await freshStore(o.dialect, 'enq');
  const db = await initOrm({ url: store.url });
  await migrate(db);
  await db.close();
  const recorder = spawnProc('recorder', { url: store.url, targetPort: o.targetPort }, o.recorderExecArgv ?? []);
  try {
    const { url } = await recorder.next<{ type: 'ready'; url: string }>('ready', 60_000);
    const pool = new Pool(new URL(url).origin, { connections: o.concurrency, pipelining: 1, keepAliveTimeout: 10_000 });
    let seq = 0;
    let bad = 0;
    let lastError = '';
    const single = async () => {
      const res = await pool.request({
        path: `/v1/queues/${QUEUE}/tasks`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/noop', body: noopBody(seq++) }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) {
        bad += 1;
        lastError = `${res.statusCode} ${text.slice(0, 200)}`;
      }
      return 1;
    };
    const batch = async () => {
      const tasks = Array.from({ length: o.batchSize }, () => ({ path: '/noop', body: noopBody(seq++) }));
      const res = await pool.request({
        path: `/v1/queues/${QUEUE}/tasks/batch`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tasks }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) {
        bad += 1;
        lastError = `${res.statusCode} ${text.slice(0, 200)}`;
      }
      return o.batchSize;
    };
    const one = o.mode === 'single' ? single : batch;
    /** `concurrency` loops share a task budget. */
    const drive = async (tasks: number) => {
      let left = tasks;
      let done = 0;
      const loops = Array.from({ length: o.concurrency }, async () => {
        const per = o.mode === 'single' ? 1 : o.batchSize;
        while (left >= per) {
          left -= per;
          const n = await one(); // not `done += await`: that reads `done` before the await
          done += n;
        }
      });
      await Promise.all(loops);
      return done;
    };
    await drive(o.warmupTasks);
    tell({ type: 'window', phase: 'start', pids: { recorder: recorder.pid } });
    const t0 = monoMs();
    const done = await drive(o.tasks);
    const t1 = monoMs();
    tell({ type: 'window', phase: 'end' });
    await pool.close();
    if (bad > 0) throw new Error(`${bad} creates were not answered 201; last: ${lastError}`);
    tell({ type: 'result', value: done / ((t1 - t0) / 1000), unit: 'tasks/s', tasks: done, ms: t1 - t0 });
    recorder.send({ type: 'stop' });
    await Promise.race([recorder.exited, new Promise((r) => setTimeout(r, 15_000))]);
  } finally {
    await recorder.kill();
    await store.drop();
  }
});

import { Pool } from 'undici';
import { parseConfig } from '../../src/config/load.js';
import { migrate } from '../../src/db/migrate.js';
import { initOrm } from '../../src/db/orm.js';
import { startRecorderServer } from '../../src/recorder/server.js';
import { monoMs, percentile, procOptions, runMain, tell } from '../lib/common.js';
import { freshStore } from '../lib/db.js';

/**
 * The dashboard's reads on a large history: 1,000,000 tasks in PostgreSQL (four queues; most
 * completed over the last day, failed, waiting and scheduled ones besides), a recorder in this process, and each API call the dashboard makes timed from the
 * client on 127.0.0.1 (sequential requests: the server's own time plus a loopback round trip).
 * The figure is the p50 of the slowest call; every call's p50/p95 is in the details.
 */
interface Options {
  tasks: number;
  samples: number;
}

const QUEUES = ['emails', 'reports', 'webhooks', 'billing'];

runMain(async () => {
  const o = procOptions<Options>();
  const store = await freshStore('pg', 'api');
  const db = await initOrm({ url: store.url, poolSize: 10 });
  try {
    await migrate(db);
    const seeded = monoMs();
    await seed(db.sql.execute.bind(db.sql), o.tasks);
    // What autovacuum keeps true of a live table (this machine's cluster runs with it off): the
    // visibility map set, so counts read the listing index alone, and fresh statistics.
    await db.sql.execute('vacuum (analyze) dispatchr_task');
    await db.sql.execute('vacuum (analyze) dispatchr_attempt');
    const seedMs = monoMs() - seeded;
    const config = parseConfig({
      database: { url: store.url },
      recorder: { host: '127.0.0.1', port: 0 },
      log: { level: 'warn' },
      queues: Object.fromEntries(QUEUES.map((q) => [q, { target: 'http://127.0.0.1:9/', allowPrivateNetwork: true }])),
    });
    const server = await startRecorderServer(config, { db });
    const pool = new Pool(new URL(server.url).origin, { connections: 1 });
    const base = new URL(server.url).pathname.replace(/\/$/, '');
    const get = async (path: string) => {
      const res = await pool.request({ path: `${base}${path}`, method: 'GET' });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const someTask = ((await get('/v1/tasks?queue=emails&state=failed&limit=1')).tasks as { id: string }[])[0].id;
    const calls: Record<string, string> = {
      overview: '/v1/queues',
      activity: '/v1/activity?minutes=60',
      'search.queue-state': '/v1/tasks?queue=emails&state=completed&limit=50',
      'search.text': '/v1/tasks?search=needle-that-matches-nothing&limit=50',
      'search.text-in-queue': '/v1/tasks?queue=reports&search=%22n%22%3A+7&limit=50',
      task: `/v1/tasks/${someTask}`,
      failures: '/v1/failures',
      schedulers: '/v1/schedulers',
    };
    const details: Record<string, { p50: number; p95: number; p99: number }> = {};
    tell({ type: 'window', phase: 'start' });
    for (const [name, path] of Object.entries(calls)) {
      for (let i = 0; i < 3; i++) await get(path); // warm: plans cached, pages in memory
      const times: number[] = [];
      for (let i = 0; i < o.samples; i++) {
        const t = monoMs();
        await get(path);
        times.push(monoMs() - t);
      }
      details[name] = {
        p50: round(percentile(times, 50)),
        p95: round(percentile(times, 95)),
        p99: round(percentile(times, 99)),
      };
    }
    tell({ type: 'window', phase: 'end' });
    const slowest = Object.values(details).reduce((a, b) => (b.p50 > a.p50 ? b : a));
    tell({ type: 'result', value: slowest.p50, unit: 'ms', ...slowest, calls: details, seedMs: Math.round(seedMs) });
    await pool.close();
    await server.close();
  } finally {
    await db.close();
    await store.drop();
  }
});

/**
 * The history, written by PostgreSQL itself: 97 % completed (finalized over the last 24 hours, about
 * 700 a minute), 1 % each failed, available and scheduled. UUIDv7-shaped ids that sort
 * by creation time like the recorder's. Written in statements of 100,000 rows: one statement of a
 * million ran past the 15 s query deadline on a busy box.
 */
async function seed(execute: (sql: string, params?: unknown[]) => Promise<number>, tasks: number): Promise<void> {
  const now = Date.now();
  const chunk = 100_000;
  for (let from = 0; from < tasks; from += chunk)
    await seedRange(execute, now, tasks, from, Math.min(tasks, from + chunk));
}

async function seedRange(
  execute: (sql: string, params?: unknown[]) => Promise<number>,
  now: number,
  tasks: number,
  from: number,
  to: number,
): Promise<void> {
  await execute(
    `insert into dispatchr_task (id, queue, state, path, method, headers, body, body_json, content_type, run_at,
       attempt, created_at, updated_at, finalized_at, last_status, last_error, final_outcome, final_status,
       final_started_at, final_finished_at, final_duration_ms)
     select (lpad(to_hex(t.ms), 12, '0') || '7' || lpad(to_hex(i % 4096), 3, '0') || '8' || lpad(to_hex(i), 15, '0'))::uuid,
            ($3::text[])[1 + i % 4], t.state, '/jobs/' || (i % 100), 'POST', jsonb_build_object('x-request', i::text),
            convert_to(b, 'UTF8'), b::jsonb, 'application/json', to_timestamp(t.ms / 1000.0),
            case when t.state in ('completed', 'failed') then 1 else 0 end,
            to_timestamp(t.ms / 1000.0), to_timestamp(t.ms / 1000.0),
            case when t.state in ('completed', 'failed') then to_timestamp(t.ms / 1000.0) end,
            case t.state when 'completed' then 200 when 'failed' then 400 + (i % 3) end,
            case when t.state = 'failed' then 'HTTP ' || (400 + (i % 3)) end,
            case when t.state in ('completed', 'failed') then t.state end,
            case t.state when 'completed' then 200 when 'failed' then 400 + (i % 3) end,
            case when t.state in ('completed', 'failed') then to_timestamp(t.ms / 1000.0) end,
            case when t.state in ('completed', 'failed') then to_timestamp(t.ms / 1000.0) end,
            case when t.state in ('completed', 'failed') then 5 end
     from generate_series($4::int, $5::int - 1) as i,
       lateral (select case when i % 100 = 0 then 'failed' when i % 100 = 1 then 'available' when i % 100 = 2 then 'scheduled'
                            else 'completed' end as state,
                       ($1::bigint - ($2::bigint - i) * 86400000 / $2::bigint) as ms) as t,
       lateral (select json_build_object('n', i, 'to', 'user' || i || '@example.com')::text as b) as body`,
    [now, tasks, QUEUES, from, to],
  );
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The database's own CPU for the scheduler's two hot statements, per task: the repository's claim
 * and settle on a fresh store, N due tasks (default 20,000) in batches of B (default 200), one
 * connection. PostgreSQL (the default): the backend's utime + stime from /proc before and after
 * each statement. `DIALECT=sqlite`: SQLite runs in this process, so this process's CPU
 * (process.cpuUsage, which includes the repository's own JavaScript) on a fresh file.
 * `EXTRA='sql;sql'` runs statements after the migration (drop an index, say) to price it;
 * `IN_FLIGHT=K` keeps K claimed batches running (the claim then counts them for the queue's cap,
 * as with K slots) and `MAX` sets that cap.
 *
 *   node --import tsx bench/statements.ts
 *   IN_FLIGHT=4 MAX=1000 B=250 node --import tsx bench/statements.ts
 *   DIALECT=sqlite IN_FLIGHT=4 MAX=1000 B=250 node --import tsx bench/statements.ts
 *
 * PostgreSQL's clock ticks are 10 ms: with 20,000 tasks a figure moves in steps of 0.5 µs; repeat
 * and compare.
 */
import { createDispatchRepository, type Settlement } from '../src/db/dispatch.repository.js';
import { pidTicks } from './lib/cpu.js';
import { scratchStore, seedTasks } from './lib/db.js';

const N = Number(process.env.N ?? 20000),
  B = Number(process.env.B ?? 200);
const { db, dialect, drop } = await scratchStore('micro', 1);
const repo = createDispatchRepository(db);
/** CPU milliseconds so far: PostgreSQL's backend, or (SQLite) this process. */
let cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
if (dialect === 'pg') {
  const pid = (await db.sql.query<{ pid: number }>('select pg_backend_pid() as pid', []))[0].pid;
  cpu = () => (pidTicks(pid) ?? 0) * 10;
}
await seedTasks(db, N, { runAt: new Date(Date.now() - 1000), state: 'available' });
await db.sql.execute('analyze', []);
let claimMs = 0,
  settleMs = 0,
  claimCpu = 0,
  settleCpu = 0,
  n = 0;
// IN_FLIGHT=K keeps K claimed batches running before the oldest is settled, as a scheduler with K
// slots does: the claim then counts K batches of running tasks for the queue's concurrency cap.
const inFlight = Number(process.env.IN_FLIGHT ?? 1);
const running: Awaited<ReturnType<typeof repo.claim>>[] = [];
const settleOldest = async () => {
  const tasks = running.shift()!;
  const now = new Date();
  const s: Settlement[] = tasks.map((t) => ({
    taskId: t.id,
    attempt: t.attempt,
    owner: 'o1',
    state: 'completed',
    nextAttempt: t.attempt,
    runAt: null,
    lastStatus: 200,
    lastError: null,
    record: {
      startedAt: now,
      finishedAt: now,
      status: 200,
      outcome: 'completed',
      durationMs: 3,
      error: null,
      responseExcerpt: 'ok',
    },
  }));
  const c0 = cpu(),
    t0 = performance.now();
  await repo.settle(s, new Date());
  settleMs += performance.now() - t0;
  settleCpu += cpu() - c0;
};
for (;;) {
  const c0 = cpu(),
    t0 = performance.now();
  const tasks = await repo.claim({
    queue: 'bench',
    limit: B,
    owner: 'o1',
    now: new Date(),
    leaseMs: 60000,
    maxConcurrent: Number(process.env.MAX ?? 100000),
  });
  claimMs += performance.now() - t0;
  claimCpu += cpu() - c0;
  if (tasks.length === 0 && running.length === 0) break;
  n += tasks.length;
  if (tasks.length > 0) running.push(tasks);
  if (running.length >= inFlight || tasks.length === 0) await settleOldest();
}
const who = dialect === 'pg' ? 'pg cpu' : 'process cpu';
console.log(
  `${dialect} n=${n} claim ${((claimMs * 1000) / n).toFixed(1)} µs/task wall, ${who} ${((claimCpu * 1000) / n).toFixed(1)} µs; settle ${((settleMs * 1000) / n).toFixed(1)} µs wall, ${who} ${((settleCpu * 1000) / n).toFixed(1)} µs`,
);
await drop();

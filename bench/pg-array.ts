/**
 * The settle's parameters, serialized: the repository's own array literals (settleColumns,
 * src/db/pg-array.ts) against pg's serializer (`prepareValue`) on the same values as plain
 * arrays, which is what the settle sent before. Main-thread CPU per settled task, in this process
 * alone (no database): the scheduler pays it once per task.
 *
 *   node --import tsx bench/pg-array.ts            # B=250 tasks per batch, ROUNDS=4000
 */
import { createRequire } from 'node:module';
import type { Settlement } from '../src/db/dispatch.repository.js';
import { settleColumns } from '../src/db/drivers/postgresql/dispatch.sql.js';

const B = Number(process.env.B ?? 250);
const ROUNDS = Number(process.env.ROUNDS ?? 4000);
// pg's own serializer for query parameters (not in its typings, so required as plain JS).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };

const now = new Date();
const batch: Settlement[] = Array.from({ length: B }, (_, i) => ({
  taskId: crypto.randomUUID(),
  attempt: 1,
  owner: 'sched-7f3a9c1e',
  state: 'completed',
  nextAttempt: 1,
  runAt: null,
  lastStatus: 200,
  lastError: null,
  record: {
    startedAt: now,
    finishedAt: new Date(now.getTime() + i),
    status: 200,
    outcome: 'completed',
    durationMs: 3,
    error: null,
    responseExcerpt: '',
  },
}));

/** The same values as plain arrays, as the settle passed them to pg before. */
function plainColumns(settlements: readonly Settlement[]): unknown[][] {
  const pick = (f: (s: Settlement) => unknown) => settlements.map(f);
  return [
    pick((s) => s.taskId),
    pick((s) => s.attempt),
    pick((s) => s.owner),
    pick((s) => s.state),
    pick((s) => s.nextAttempt),
    pick((s) => s.runAt?.toISOString() ?? null),
    pick((s) => s.lastStatus),
    pick((s) => s.lastError),
    pick((s) => s.state === 'completed'),
    pick(() => true),
    pick((s) => s.record.startedAt.getTime()),
    pick((s) => s.record.finishedAt.getTime()),
    pick((s) => s.record.status),
    pick((s) => s.record.outcome),
    pick((s) => s.record.durationMs),
    pick((s) => s.record.error),
    pick((s) => s.record.responseExcerpt),
  ];
}

function time(label: string, run: () => unknown): void {
  for (let i = 0; i < ROUNDS / 4; i++) run(); // warm-up: optimized code, as in a running scheduler
  const t0 = process.cpuUsage();
  let keep = 0;
  for (let i = 0; i < ROUNDS; i++) keep += (run() as unknown[]).length;
  const used = process.cpuUsage(t0);
  console.log(
    `${label.padEnd(44)} ${((used.user + used.system) / ROUNDS / B).toFixed(2)} µs per task (${keep > 0 ? 'ok' : ''})`,
  );
}

for (let pass = 0; pass < 2; pass++) {
  // Both include building the columns; pg's arrays then go through prepareValue, as pg does.
  time('pg prepareValue on plain arrays (before)', () => plainColumns(batch).map((column) => prepareValue(column)));
  time('settleColumns (pg-array.ts literals)', () => settleColumns(batch, now));
}

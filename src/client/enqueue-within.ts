import { toTaskInsertRow } from '../db/task-insert-row.js';
import { DispatchrError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { notInTransaction, sqlRunnerFor, type SqlRunner, type SqlTransaction } from './sql-runner.js';
import { checkTask, runAtOf } from './task-rules.js';
import { writeTaskRow } from './enqueue-row.js';
import type { Deduplicated, TaskInput } from './types.js';

/**
 * Transactional enqueue: the task is written by the app's own PostgreSQL transaction, so it exists
 * exactly when the app's data does. Commit: the `dispatchr_due` trigger NOTIFYs at commit and
 * sleeping schedulers wake at once. Rollback: there never was a task.
 *
 * It writes with `buildTaskInsert`, the statement the recorder's repository uses, into the
 * `dispatchr_task` table found on the connection's search_path. It cannot see Dispatchr's config:
 * a task for a queue no scheduler serves waits, untouched, until that queue is configured (pass
 * `queues` to refuse names you do not mean).
 *
 * It runs inside a savepoint: SAVEPOINT fails outside a transaction block, which is how a pg client
 * outside BEGIN is refused, and a failed write is rolled back to it, leaving the app's own
 * transaction usable. Cost: three short round trips besides the insert (savepoint, the database's
 * time, release).
 */
export interface EnqueueWithinOptions {
  /** The queue names this app enqueues to; any other is refused (`queue_not_found`). */
  queues?: readonly string[];
  /** The scheduler's `leaseDuration` in ms (default 120000, its default): a task timeout must be shorter. */
  leaseDurationMs?: number;
  /**
   * The creation time. Default: the transaction's own start time, `now()` in PostgreSQL, so a task
   * due now is due by the database's clock and the trigger's `run_at <= now()` NOTIFYs at commit
   * however long the transaction ran before (the app's clock could be ahead of the database's).
   */
  now?: Date;
}

export interface EnqueueWithinResult {
  id: string;
  /** false: a task was made; else what the create did to the task holding `key` (kept, replaced, debounced): `id` is that task's. */
  deduplicated: Deduplicated;
}

const DEFAULT_LEASE_MS = 120_000;
export { UNFINISHED_STATES_IN_CLIENT } from './enqueue-row.js';
let savepoints = 0;

export async function enqueueWithin(
  tx: SqlTransaction,
  queue: string,
  task: TaskInput,
  options: EnqueueWithinOptions = {},
): Promise<EnqueueWithinResult> {
  const runner = sqlRunnerFor(tx);
  if (options.queues && !options.queues.includes(queue)) {
    throw new DispatchrError(
      'queue_not_found',
      `queue ${JSON.stringify(queue)} is not one of ${options.queues.join(', ')}`,
      { status: 404, expose: false },
    );
  }
  const { due, ...checked } = checkTask(queue, task, {
    now: options.now ?? new Date(),
    leaseMs: options.leaseDurationMs ?? DEFAULT_LEASE_MS,
  });

  // A name per call: concurrent calls on one transaction must not release each other's savepoint.
  const savepoint = `dispatchr_enqueue_${(savepoints = (savepoints + 1) % 1_000_000)}`;
  try {
    await runner.query(`savepoint ${savepoint}`, []);
  } catch (error) {
    if (isNoTransaction(error))
      throw notInTransaction('enqueueWithin must run inside a transaction (after BEGIN, before COMMIT)');
    throw writeFailed(error);
  }
  try {
    const now = options.now ?? (await transactionStart(runner));
    const row = toTaskInsertRow({ ...checked, runAt: runAtOf(due, now) }, now, uuidv7(now.getTime()));
    const result = await writeTaskRow(runner, row, now);
    await runner.query(`release savepoint ${savepoint}`, []);
    return result;
  } catch (error) {
    await runner.query(`rollback to savepoint ${savepoint}`, []).catch(() => undefined);
    throw error instanceof DispatchrError ? error : writeFailed(error);
  }
}

async function transactionStart(runner: SqlRunner): Promise<Date> {
  const [row] = await runner.query('select now() as now', []);
  const now = new Date(row?.now as string | Date);
  if (Number.isNaN(now.getTime())) throw new Error('the database did not answer its time');
  return now;
}

/** SQLSTATE 25P01 no_active_sql_transaction; the message, for wrappers that drop the code. */
function isNoTransaction(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (code === '25P01' || (typeof message === 'string' && /can only be used in transaction blocks/i.test(message)))
      return true;
  }
  return false;
}

function writeFailed(error: unknown): DispatchrError {
  // knex and MikroORM prefix the driver's message with the whole statement (values included): keep the message.
  const reason = (error instanceof Error ? error.message : String(error)).split(' - ').pop()!.slice(0, 300);
  return new DispatchrError(
    'enqueue_failed',
    `enqueueWithin could not write the task: ${reason} (it needs PostgreSQL with Dispatchr's schema migrated, on the connection's search_path)`,
    { status: 500, expose: false, cause: error },
  );
}

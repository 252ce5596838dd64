import { DispatchrError } from '../errors.js';
import { DispatchrValidationError } from './errors.js';
import { notInTransaction, sqlRunnerFor, type SqlRunner, type SqlTransaction } from './sql-runner.js';
import { checkTask } from './task-rules.js';
import type { Deduplicated, TaskInput } from './types.js';

/**
 * Transactional enqueue: the task is written by the app's own PostgreSQL transaction, so it exists
 * exactly when the app's data does. Commit: the `dispatchr_due` trigger NOTIFYs at commit and
 * sleeping schedulers wake at once. Rollback: there never was a task.
 *
 * It calls `dispatchr_enqueue()`, the SQL function any language calls (migration 0022,
 * docs/spec.md), found on the connection's search_path: one statement writes the row and settles
 * its key, by the same rules the recorder follows. The checks of task-rules.ts run first, in JS,
 * for their messages (every problem at once, and the lease's bound on `timeout`, which SQL cannot
 * know); the function checks again, and a refusal of its own (SQLSTATE 22023) becomes the same
 * validation error, naming the field. It cannot see Dispatchr's config: a task for a queue no
 * scheduler serves waits, untouched, until that queue is configured (pass `queues` to refuse names
 * you do not mean).
 *
 * It runs inside a savepoint: SAVEPOINT fails outside a transaction block, which is how a pg client
 * outside BEGIN is refused, and a failed write is rolled back to it, leaving the app's own
 * transaction usable. Cost: two short round trips besides the call (savepoint, release).
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
   * Given, it is passed to `dispatchr_enqueue_at()`, Dispatchr's own variant that takes the time.
   */
  now?: Date;
}

export interface EnqueueWithinResult {
  id: string;
  /** false: a task was made; else what the create did to the task holding `key` (kept, replaced, debounced): `id` is that task's. */
  deduplicated: Deduplicated;
}

/**
 * The unfinished states, among which a dedup key is unique; migration 0022 writes the same list
 * in SQL. Written out: the client may not import the machine (xstate stays out of applications);
 * test/unit/machines/transition-patch.test.ts holds this list equal to the machine's.
 */
export const UNFINISHED_STATES_IN_CLIENT = ['scheduled', 'available', 'retryable', 'running'] as const;

const DEFAULT_LEASE_MS = 120_000;
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
  const checked = checkTask(queue, task, {
    now: options.now ?? new Date(),
    leaseMs: options.leaseDurationMs ?? DEFAULT_LEASE_MS,
  });
  const tasks = JSON.stringify([apiTask(task, checked)]);
  return inTurn(tx, () => write(runner, queue, tasks, options.now));
}

/**
 * Calls on one transaction run one after another: releasing a savepoint also releases every
 * savepoint made after it, so two calls in flight at once (Promise.all on one client) would
 * destroy each other's and abort the app's transaction.
 */
const turns = new WeakMap<object, Promise<unknown>>();

function inTurn<T>(tx: SqlTransaction, run: () => Promise<T>): Promise<T> {
  const key = tx as object;
  const next = (turns.get(key) ?? Promise.resolve()).then(run, run);
  turns.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

async function write(
  runner: SqlRunner,
  queue: string,
  tasks: string,
  now: Date | undefined,
): Promise<EnqueueWithinResult> {
  const savepoint = `dispatchr_enqueue_${(savepoints = (savepoints + 1) % 1_000_000)}`;
  try {
    await runner.query(`savepoint ${savepoint}`, []);
  } catch (error) {
    if (isNoTransaction(error))
      throw notInTransaction('enqueueWithin must run inside a transaction (after BEGIN, before COMMIT)');
    throw writeFailed(error);
  }
  try {
    const [row] = await callEnqueue(runner, queue, tasks, now);
    await runner.query(`release savepoint ${savepoint}`, []);
    if (!row?.id) throw new Error('dispatchr_enqueue() answered no row');
    const deduplicated = row.deduplicated == null ? false : (String(row.deduplicated) as Deduplicated);
    return { id: String(row.id), deduplicated };
  } catch (error) {
    await runner.query(`rollback to savepoint ${savepoint}`, []).catch(() => undefined);
    if (error instanceof DispatchrError) throw error;
    throw refusalOf(error) ?? writeFailed(error);
  }
}

function callEnqueue(runner: SqlRunner, queue: string, tasks: string, now: Date | undefined) {
  if (now === undefined)
    return runner.query('select index, id, deduplicated from dispatchr_enqueue($1, $2::json)', [queue, tasks]);
  // A string, not a Date: MikroORM inlines values, and an ISO text keeps its zone on every path.
  return runner.query('select index, id, deduplicated from dispatchr_enqueue_at($1, $2::json, $3::timestamptz)', [
    queue,
    tasks,
    now.toISOString(),
  ]);
}

/**
 * The task in the API's JSON form, which dispatchr_enqueue() reads: times as RFC 3339, and the body
 * as the bytes checkTask made (a JSON value's RFC 8785 text, spec 5.2) in `bodyBase64` with its
 * content type: the row is the same as for `body`, and the function need not parse and
 * canonicalize again what was checked here (in plpgsql that costs about a second per MB).
 */
function apiTask(
  task: TaskInput,
  checked: { body: Uint8Array | null; contentType: string | null },
): Record<string, unknown> {
  const { body: _body, contentType: _contentType, runAt, ...rest } = task;
  const api: Record<string, unknown> = { ...rest };
  if (checked.body !== null) {
    api.bodyBase64 = Buffer.from(checked.body).toString('base64');
    api.contentType = checked.contentType;
  } else if (_contentType !== undefined) api.contentType = _contentType;
  if (runAt !== undefined) api.runAt = runAt instanceof Date ? runAt.toISOString() : runAt;
  return api;
}

/** The driver's error and what wraps it (knex, MikroORM), innermost last. */
function causes(error: unknown): { code?: unknown; message?: unknown }[] {
  const found: { code?: unknown; message?: unknown }[] = [];
  for (let cause = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++)
    found.push(cause as { code?: unknown; message?: unknown });
  return found;
}

/**
 * dispatchr_enqueue()'s refusal (SQLSTATE 22023, `tasks.0.<field>: <rule>`) → the validation error
 * enqueueWithin's own checks throw, the field named as they name it.
 */
function refusalOf(error: unknown): DispatchrValidationError | null {
  const all = causes(error);
  if (!all.some((cause) => cause.code === '22023')) return null;
  for (const cause of all) {
    const message = typeof cause.message === 'string' ? cause.message : '';
    // knex and MikroORM put the statement and " - " before the driver's message.
    const refused = /(?:^| - )(?:tasks\.0\.(.+?)|(tasks\.0|tasks|queue)): (.*)$/s.exec(message);
    if (!refused) continue;
    const [, field, whole, rule] = refused;
    return new DispatchrValidationError([{ path: field ?? (whole === 'queue' ? 'queue' : '(root)'), message: rule }]);
  }
  return null;
}

/** SQLSTATE 25P01 no_active_sql_transaction; the message, for wrappers that drop the code. */
function isNoTransaction(error: unknown): boolean {
  return causes(error).some(
    ({ code, message }) =>
      code === '25P01' || (typeof message === 'string' && /can only be used in transaction blocks/i.test(message)),
  );
}

function writeFailed(error: unknown): DispatchrError {
  // knex and MikroORM prefix the driver's message with the whole statement (values included): keep the message.
  const reason = (error instanceof Error ? error.message : String(error)).split(' - ').pop()!.slice(0, 300);
  return new DispatchrError(
    'enqueue_failed',
    `enqueueWithin could not write the task: ${reason} (it needs PostgreSQL with Dispatchr's schema migrated: dispatchr_task and dispatchr_enqueue(), on the connection's search_path)`,
    { status: 500, expose: false, cause: error },
  );
}

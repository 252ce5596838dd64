import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { DispatchrError } from '../errors.js';
import { uuidv7 } from '../ids.js';
import { requireTransition } from '../machines/apply.js';
import type { TaskEvent } from '../machines/task.events.js';
import { patchOf } from '../machines/transition-table.js';
import { FINISHED_STATES, WAITING_STATES, type AttemptRecord, type NewTask, type TaskRecord } from '../task.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isUniqueViolation, retryOnDeadlock } from './db-errors.js';
import { signalDue } from './due-signal.js';
import type { Orm } from './orm.js';
import { SqlParams, type SqlSession } from './sql-session.js';
import { toTaskInsertRow } from './task-insert-row.js';
import { needsScanBound, type TaskFilter } from './task-filter.sql.js';
import {
  ATTEMPT_COLUMNS,
  insertedRecord,
  TASK_COLUMNS,
  toAttemptRecord,
  toListedTask,
  toTaskRecord,
} from './task-row.js';
import { patchSets } from './transition-patch.sql.js';
import { createQueueReads } from './queue-reads.sql.js';
import { createBulkActions } from './task-bulk.repository.js';
import { createKeyWrites, splitByKeyMode, type KeyedResult } from './task-keys.repository.js';
import { createCancelRunningRepository, refuseHeldLease } from './cancel-running.repository.js';

export type { TaskFilter } from './task-filter.sql.js';

/** The recorder's and operator's reads and writes. The scheduler's hot path is in dispatch.repository.ts. */
export type CreateResult = KeyedResult;

export interface ListOptions extends TaskFilter {
  limit: number;
  cursor?: string;
  /**
   * Most tasks a search with clauses no index serves (times, path, text) examines; when they are
   * used up before the page is full, the page ends there with a cursor. Default: no bound.
   */
  maxScanRows?: number;
  /** PostgreSQL: each statement is stopped after this long (`query_timeout`). Default: no limit. */
  timeoutMs?: number;
}

/** A page of listed tasks (no bodies). `nextCursor` is null when nothing is left to read. */
export interface TaskListPage {
  tasks: ListedTask[];
  nextCursor: string | null;
}

import type { ListedTask } from './task-row.js';
export type { ListedTask } from './task-row.js';

export type { QueueSummary } from './queue-reads.sql.js';
export { QUEUE_STATE_COUNTS, emptyCounts } from './queue-reads.sql.js';

const list = (states: readonly string[]) => states.map((s) => `'${s}'`).join(',');
const WAITING = list(WAITING_STATES);
const FINISHED = list(FINISHED_STATES);

export type TaskRepository = ReturnType<typeof createTaskRepository>;

export function createTaskRepository(db: Orm, clock: Clock = systemClock) {
  const { sql, driver } = db;
  const { queries } = driver;
  const params = () => new SqlParams(driver.placeholder);
  const running = createCancelRunningRepository(db);

  const keys = createKeyWrites(queries, driver.placeholder);

  return {
    /**
     * All or nothing, in one transaction; a create that meets its key's holder answers that task,
     * kept, replaced or debounced by its key mode (task-keys.repository.ts).
     */
    async insertTasks(
      tasks: readonly NewTask[],
      options: { onInserted?: (tx: SqlSession, results: CreateResult[]) => Promise<void> } = {},
    ): Promise<CreateResult[]> {
      const now = clock.now();
      const rows = tasks.map((task) => toTaskInsertRow(task, now, task.id ?? uuidv7(now.getTime())));
      // One statement is a transaction of its own. Without dedup keys (no lookup after a conflict)
      // and without an onInserted hook there is nothing else to run in it, and BEGIN and COMMIT
      // would be two more round trips on every create.
      const alone = options.onInserted === undefined && rows.every((row) => row.key === null);
      const write = async (tx: SqlSession): Promise<CreateResult[]> => {
        // Keep rows without retention in the one bulk statement; the others one by one, after it.
        const split = splitByKeyMode(rows);
        const inserted = split.plain.length > 0 ? await queries.insertTasks(tx, split.plain) : new Set<string>();
        const keyed = await keys.writeAll(tx, split.keyed, now);
        const results: CreateResult[] = [];
        for (const row of rows) {
          if (inserted.has(row.id)) {
            results.push({ task: insertedRecord(row), deduplicated: false });
            continue;
          }
          results.push(keyed.get(row.id) ?? (await keys.resolveConflict(tx, row, now)));
        }
        // Same transaction: e.g. the Idempotency-Key record commits with the tasks or not at all.
        await options.onInserted?.(tx, results);
        return results;
      };
      const results = alone ? await write(sql) : await retryOnDeadlock(() => sql.transaction(write));
      signalDue(
        results.filter((r) => r.deduplicated !== 'kept' && r.task.state === 'available').map((r) => r.task.queue),
      );
      return results;
    },

    /** The unfinished task of the queue that holds `key`, or null. */
    async findByKey(queue: string, key: string): Promise<TaskRecord | null> {
      return keys.findUnfinishedHolder(sql, queue, key);
    },

    async findTask(id: string): Promise<TaskRecord | null> {
      const p = params();
      const rows = await sql.query(`select ${TASK_COLUMNS} from dispatchr_task where id = ${p.add(id)}`, p.values);
      return rows[0] ? toTaskRecord(rows[0]) : null;
    },

    async findAttempts(taskId: string): Promise<AttemptRecord[]> {
      const p = params();
      const rows = await sql.query(
        // The view adds the final attempt kept on the task row (migration 0005) after the rows.
        `select ${ATTEMPT_COLUMNS} from dispatchr_attempt_history where task_id = ${p.add(taskId)} order by seq`,
        p.values,
      );
      return rows.map(toAttemptRecord);
    },

    /**
     * Newest first, keyset-paginated on the time-ordered id, without bodies (findBodies reads them).
     * A bounded scan first finds where its window ends (the maxScanRows-th task the queue and state
     * select), then reads the page inside it; a window used up before the page is full ends the
     * page there, possibly empty, with a cursor that continues below it.
     */
    async listTasks(options: ListOptions): Promise<TaskListPage> {
      const { cursor, limit, maxScanRows, timeoutMs, ...filter } = options;
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor);
      const read = async (session: SqlSession): Promise<TaskListPage> => {
        let floorId: string | undefined;
        if (maxScanRows !== undefined && needsScanBound(filter)) {
          floorId = await queries.scanFloor(session, filter, beforeId, maxScanRows);
        }
        // One row more than the page: whether there is a next one.
        const rows = await queries.listTasks(session, { ...filter, limit: limit + 1, beforeId, floorId });
        const tasks = rows.slice(0, limit).map(toListedTask);
        if (rows.length > limit) return { tasks, nextCursor: encodeCursor(tasks[tasks.length - 1].id) };
        // The window ended before the page filled: continue below the window, not below the last match.
        return { tasks, nextCursor: floorId === undefined ? null : encodeCursor(floorId) };
      };
      return timeoutMs === undefined ? read(sql) : sql.readWithin(timeoutMs, read);
    },

    /** The bodies of these tasks (a task that is gone is left out). */
    async findBodies(ids: readonly string[]): Promise<Map<string, Buffer | null>> {
      if (ids.length === 0) return new Map();
      const rows = await queries.findBodies(sql, ids);
      return new Map(
        rows.map((row) => [
          String(row.id),
          row.body === null ? null : Buffer.isBuffer(row.body) ? row.body : Buffer.from(row.body as Uint8Array),
        ]),
      );
    },

    async countTasks(filter: TaskFilter): Promise<number> {
      return queries.countTasks(sql, filter);
    },

    /**
     * cancel, retry and run: the machine decides, the write is a compare-and-set on (id, state,
     * attempt). A lost race re-reads once, so the caller learns the state that actually won.
     */
    async applyEvent(id: string, event: Extract<TaskEvent, { type: 'cancel' | 'retry' | 'run' }>): Promise<TaskRecord> {
      for (let round = 0; round < 2; round++) {
        const task = await this.findTask(id);
        if (!task) throw notFound(id);
        // A running task is cancelled by its own event: the lease stays with its holder (spec 11.6).
        const effective: TaskEvent =
          event.type === 'cancel' && task.state === 'running' ? { type: 'cancel.running' } : event;
        const to = requireTransition(task.state, effective);
        const now = clock.now();
        if (effective.type === 'cancel.running') {
          const cancelled = await running.cancel(task, now);
          if (cancelled) return cancelled;
          continue;
        }
        if (event.type === 'retry') refuseHeldLease(task, now);
        const p = params();
        // What the transition writes is the machine's patch (a retry: fresh budget, history kept).
        const sets = patchSets(to, patchOf(event), { now }, p);
        try {
          const rows = await sql.query(
            `update dispatchr_task set ${sets.join(', ')} where id = ${p.add(id)} and state = ${p.add(task.state)} and attempt = ${p.add(task.attempt)} returning ${TASK_COLUMNS}`,
            p.values,
          );
          if (rows[0]) {
            const updated = toTaskRecord(rows[0]);
            if (updated.state === 'available') signalDue([updated.queue]);
            return updated;
          }
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          throw new DispatchrError(
            'duplicate_key',
            `another task of queue ${task.queue} holds the key ${JSON.stringify(task.key)} (unfinished, or finished within its keyRetention)`,
            {
              status: 409,
              details: [{ path: 'key', message: 'held by another unfinished task' }],
            },
          );
        }
      }
      throw new DispatchrError('conflict', `task ${id} changed while it was being updated; retry`, { status: 409 });
    },

    /** Only finished tasks may be deleted. */
    async deleteTask(id: string): Promise<void> {
      const task = await this.findTask(id);
      if (!task) throw notFound(id);
      const p = params();
      const changed = await sql.execute(
        `delete from dispatchr_task where id = ${p.add(id)} and state in (${FINISHED})`,
        p.values,
      );
      if (changed === 0) {
        const current = (await this.findTask(id))?.state ?? task.state;
        throw new DispatchrError(
          'invalid_state',
          `a ${current} task cannot be deleted; only completed, failed or cancelled tasks can`,
          {
            status: 409,
            details: [{ path: 'state', message: `the task is ${current}` }],
          },
        );
      }
    },

    ...createBulkActions(db, clock),

    ...createQueueReads(db, clock),
  };
}

export function notFound(id: string): DispatchrError {
  return new DispatchrError('task_not_found', `no task ${id}`, { status: 404 });
}

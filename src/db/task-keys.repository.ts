import { DispatchrError } from '../errors.js';
import { UNFINISHED_STATES, type TaskRecord } from '../task.js';
import type { DriverQueries } from './driver.js';
import { KEY_HOLDER_PREDICATE } from './key-holder.sql.js';
import { SqlParams, type SqlSession } from './sql-session.js';
import type { TaskInsertRow } from './task-insert-row.js';
import { insertedRecord, TASK_COLUMNS, toTaskRecord } from './task-row.js';

/**
 * What a create with a key does when it meets the key's holder (docs/spec.md 11.2): `false` when
 * it made a task, else what it did to the holder it answers.
 */
export type Deduplicated = false | 'kept' | 'replaced' | 'debounced';

export interface KeyedResult {
  task: TaskRecord;
  deduplicated: Deduplicated;
}

/**
 * Rows the bulk insert cannot write: a replace or debounce, or a key kept after its task finishes.
 * Keep rows without retention (nearly every keyed row) stay in the one bulk statement.
 */
export function needsKeyUpsert(row: TaskInsertRow): boolean {
  return row.key !== null && ((row.keyMode ?? 'keep') !== 'keep' || row.keyRetentionMs != null);
}

/**
 * A transaction's rows → those for the one bulk insert, and those written one by one: every row
 * needing its own statement, and with it every other row of the same queue and key, so that the
 * rows of one key are written in request order whatever their modes.
 */
export function splitByKeyMode(rows: readonly TaskInsertRow[]): {
  plain: readonly TaskInsertRow[];
  keyed: TaskInsertRow[];
} {
  if (!rows.some(needsKeyUpsert)) return { plain: rows, keyed: [] };
  const upserted = new Set(rows.filter(needsKeyUpsert).map((row) => `${row.queue}\n${row.key}`));
  const plain: TaskInsertRow[] = [];
  const keyed: TaskInsertRow[] = [];
  for (const row of rows) (row.key !== null && upserted.has(`${row.queue}\n${row.key}`) ? keyed : plain).push(row);
  return { plain, keyed };
}

/** Rounds of insert, meet and release before giving up: each round loses only to another create's commit. */
const MAX_ROUNDS = 4;

const UNFINISHED = UNFINISHED_STATES.map((state) => `'${state}'`).join(',');

export function createKeyWrites(queries: DriverQueries, placeholder: (n: number) => string) {
  const params = () => new SqlParams(placeholder);

  /**
   * The holder a create met. A finished holder whose retention has run out is released (it leaves
   * the unique index) and null answers "insert again", as does a holder that finished or was
   * released between the insert and this read.
   */
  async function meetHolder(tx: SqlSession, row: TaskInsertRow, now: Date): Promise<TaskRecord | null> {
    const p = params();
    const [found] = await tx.query(
      `select ${TASK_COLUMNS} from dispatchr_task where queue = ${p.add(row.queue)} and dedup_key = ${p.add(row.key)} and ${KEY_HOLDER_PREDICATE}`,
      p.values,
    );
    if (!found) return null;
    const holder = toTaskRecord(found);
    if ((UNFINISHED_STATES as readonly string[]).includes(holder.state) || holder.finalizedAt === null) return holder;
    if (holder.finalizedAt.getTime() + (holder.keyRetentionMs ?? 0) > now.getTime()) return holder;
    const release = params();
    await tx.execute(
      `update dispatchr_task set key_released = true where id = ${release.add(holder.id)} and not key_released`,
      release.values,
    );
    return null;
  }

  /** One keyed row, by its mode, until it is written or answered by a holder. */
  async function writeKeyed(tx: SqlSession, row: TaskInsertRow, now: Date): Promise<KeyedResult> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (row.keyMode === 'replace' || row.keyMode === 'debounce') {
        // Read first, without a lock: ON CONFLICT DO UPDATE locks the holder even when its WHERE
        // then refuses the change, so a running or finished holder would stay locked (its settle
        // and a cancel waiting on it) until this create commits. Only a holder that looks
        // changeable meets the upsert, whose WHERE (keyEligible) still decides under the lock.
        const holder = await meetHolder(tx, row, now);
        if (holder && !mayChange(holder)) return { task: holder, deduplicated: 'kept' };
      }
      const written = await queries.upsertKeyedTask(tx, row);
      if (written) {
        if (String(written.id) === row.id) return { task: insertedRecord(row), deduplicated: false };
        return { task: toTaskRecord(written), deduplicated: row.keyMode === 'debounce' ? 'debounced' : 'replaced' };
      }
      const holder = await meetHolder(tx, row, now);
      if (holder) return { task: holder, deduplicated: 'kept' };
    }
    throw new Error(`task ${row.id} was neither written nor answered by its key's holder after ${MAX_ROUNDS} rounds`);
  }

  return {
    /**
     * The rows needing their own statement (splitByKeyMode), in (queue, key) order: two transactions then lock the
     * holders they share in the same order and never wait on each other in a cycle. The sort is
     * stable, so creates of one key in one transaction write in the order they came.
     */
    async writeAll(tx: SqlSession, rows: readonly TaskInsertRow[], now: Date): Promise<Map<string, KeyedResult>> {
      const keyed = [...rows];
      keyed.sort((a, b) => (a.queue === b.queue ? compare(a.key!, b.key!) : compare(a.queue, b.queue)));
      const results = new Map<string, KeyedResult>();
      for (const row of keyed) results.set(row.id, await writeKeyed(tx, row, now));
      return results;
    },

    /** A row the bulk insert skipped: its key's holder answers it (kept), or it is written after all. */
    async resolveConflict(tx: SqlSession, row: TaskInsertRow, now: Date): Promise<KeyedResult> {
      if (row.key === null) throw new Error(`task ${row.id} without a key was not inserted`);
      const holder = await meetHolder(tx, row, now);
      return holder ? { task: holder, deduplicated: 'kept' } : writeKeyed(tx, row, now);
    },

    /** The unfinished task of the queue holding the key (GET /v1/queues/{q}/keys/{key}), or null. */
    async findUnfinishedHolder(session: SqlSession, queue: string, key: string): Promise<TaskRecord | null> {
      const p = params();
      const [row] = await session.query(
        `select ${TASK_COLUMNS} from dispatchr_task where queue = ${p.add(queue)} and dedup_key = ${p.add(key)} and state in (${UNFINISHED})`,
        p.values,
      );
      return row ? toTaskRecord(row) : null;
    },
  };
}

/** What keyEligible (key-holder.sql.ts) requires that the row shows: waiting, never attempted. */
const mayChange = (holder: TaskRecord) =>
  (holder.state === 'scheduled' || holder.state === 'available') &&
  holder.attempt === 0 &&
  holder.firstAttemptAt === null;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** No unfinished task of the queue holds the key (GET and cancel by key, spec 11.2). */
export function keyNotFound(queue: string, key: string): DispatchrError {
  return new DispatchrError(
    'task_not_found',
    `no unfinished task of queue ${queue} holds the key ${JSON.stringify(key.slice(0, 64))}`,
    { status: 404 },
  );
}

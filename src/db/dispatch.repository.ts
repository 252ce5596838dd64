import { WAITING_STATES, type AttemptOutcome, type TaskRecord, type TaskState } from '../task.js';
import { finishedStates, patchOf } from '../machines/transition-table.js';
import type { Orm } from './orm.js';
import { pgBoolArray, pgNumberArray, pgTextArray } from './pg-array.js';
import { column } from '../v8-shapes.js';
import { claimColumns, SqlParams, TASK_COLUMNS, toClaimedRecord, toDate, toTaskRecord } from './task-row.js';
import { claimableStates, claimTarget, patchSets, settledState, stateList } from './transition-patch.sql.js';

export { claimableStates } from './transition-patch.sql.js';

/**
 * The scheduler's hot path in raw SQL per dialect: one statement claims a batch, one statement
 * settles a batch. Every settle is a compare-and-set on (id, state 'running', attempt, lease owner),
 * so a late writer (a scheduler whose lease was rescued) changes nothing.
 */
export interface ClaimRequest {
  queue: string;
  limit: number;
  owner: string;
  now: Date;
  leaseMs: number;
  /** Running tasks of the queue across all schedulers may not exceed this. */
  maxConcurrent: number;
}

/** One finished (or rescued, or interrupted) attempt and the task state it leads to. */
export interface Settlement {
  taskId: string;
  /** The attempt being settled: the compare-and-set expects the row still at it. */
  attempt: number;
  /** The lease owner the row must still have. */
  owner: string;
  state: TaskState;
  /**
   * The task's attempt counter afterwards: the attempt itself, since numbers never go back. An
   * interrupted attempt (record.outcome) is given back through attempts_given_back instead.
   */
  nextAttempt: number;
  runAt: Date | null;
  /** This attempt's status; null when it got none, so no older status is passed on as the previous one. */
  lastStatus: number | null;
  lastError: string | null;
  record: {
    startedAt: Date;
    finishedAt: Date;
    status: number | null;
    outcome: AttemptOutcome;
    durationMs: number | null;
    error: string | null;
    responseExcerpt: string | null;
  };
}

const SETTLED_FROM = stateList([settledState()]);

/** The states a settle finalizes (finalized_at, the final attempt kept on the row): the machine's finished ones. */
const FINISHED_AFTER: ReadonlySet<TaskState> = new Set(finishedStates());
const NO_FINAL_ATTEMPT = [null, null, null, null, null, null, null];

/**
 * Whether a settlement's attempt stays on the task row (final_* columns) rather than becoming a
 * dispatchr_attempt row: the attempt that finishes the task does (most tasks finish on their first
 * attempt, and the row is written anyway); every other attempt is a row of its own. Reopening a
 * finished task moves its final attempt into dispatchr_attempt (a trigger, migration 0005).
 */
function keepsOnRow(s: Settlement): boolean {
  return FINISHED_AFTER.has(s.state) && s.nextAttempt === s.attempt;
}

/**
 * PostgreSQL settles a batch in one statement: the compare-and-set update of the tasks (with the
 * final attempt of those it finishes), and the attempt rows of the others that won it. The batch
 * travels as one array per column through unnest(): a constant statement text (one prepared plan),
 * and no JSON for PostgreSQL to parse. Attempt times travel as epoch milliseconds (float8 is
 * cheaper to read than timestamp text).
 */
const SETTLE_PG = `with r as (
    select * from unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::int[], $9::text[],
      $10::bool[], $11::bool[], $12::float8[], $13::float8[], $14::int[], $15::text[], $16::int[], $17::text[], $18::text[])
      with ordinality as r(id, attempt, owner, state, next_attempt, run_at, last_status, last_error, finalized, keep, started_ms,
        finished_ms, status, outcome, duration_ms, error, excerpt, n)
  ), u as (
    update dispatchr_task t set state = r.state, attempt = r.next_attempt, run_at = coalesce(r.run_at, t.run_at),
      attempts_given_back = t.attempts_given_back + case when r.outcome = 'interrupted' then 1 else 0 end,
      lease_owner = null, lease_expires_at = null, last_status = r.last_status, last_error = r.last_error, updated_at = $1, finalized_at = case when r.finalized then $1::timestamptz else null end,
      final_started_at = case when r.keep then to_timestamp(r.started_ms / 1000) end,
      final_finished_at = case when r.keep then to_timestamp(r.finished_ms / 1000) end,
      final_status = case when r.keep then r.status end, final_outcome = case when r.keep then r.outcome end,
      final_duration_ms = case when r.keep then r.duration_ms end, final_error = case when r.keep then r.error end,
      final_excerpt = case when r.keep then r.excerpt end
    from r where t.id = r.id and t.state = ${SETTLED_FROM} and t.attempt = r.attempt and t.lease_owner = r.owner
    returning t.id
  ), a as (
    insert into dispatchr_attempt (task_id, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt)
    select r.id, r.attempt, to_timestamp(r.started_ms / 1000), to_timestamp(r.finished_ms / 1000), r.status, r.outcome,
      r.duration_ms, r.error, r.excerpt
    from r join u on u.id = r.id
    where not r.keep
  )
  -- The positions (1-based) of the settlements whose compare-and-set lost, not the ids that won:
  -- almost always none, so no row to send and parse per settled task.
  select r.n::int as n from r where not exists (select 1 from u where u.id = r.id)`;

/**
 * SETTLE_PG's parameters: `now`, then one array literal per column, written by pg-array.ts (pg's
 * own array serializer was the main thread's largest cost in pg). Exported for its bench.
 */
export function settleColumns(settlements: readonly Settlement[], now: Date): unknown[] {
  const n = settlements.length;
  const taskId = column<string>(n),
    owner = column<string>(n),
    state = column<string>(n),
    outcome = column<string>(n);
  const runAt = column<string | null>(n),
    lastError = column<string | null>(n),
    error = column<string | null>(n),
    excerpt = column<string | null>(n);
  const attempt = column<number>(n),
    nextAttempt = column<number>(n),
    startedMs = column<number>(n),
    finishedMs = column<number>(n);
  const lastStatus = column<number | null>(n),
    status = column<number | null>(n),
    durationMs = column<number | null>(n);
  const finalized = column<boolean>(n),
    keep = column<boolean>(n);
  for (let i = 0; i < n; i++) {
    const s = settlements[i];
    const record = s.record;
    taskId[i] = s.taskId;
    attempt[i] = s.attempt;
    owner[i] = s.owner;
    state[i] = s.state;
    nextAttempt[i] = s.nextAttempt;
    runAt[i] = s.runAt === null ? null : s.runAt.toISOString();
    lastStatus[i] = s.lastStatus;
    lastError[i] = s.lastError;
    finalized[i] = FINISHED_AFTER.has(s.state);
    keep[i] = keepsOnRow(s);
    startedMs[i] = record.startedAt.getTime();
    finishedMs[i] = record.finishedAt.getTime();
    status[i] = record.status;
    outcome[i] = record.outcome;
    durationMs[i] = record.durationMs;
    error[i] = record.error;
    excerpt[i] = record.responseExcerpt;
  }
  return [
    now,
    pgTextArray(taskId),
    pgNumberArray(attempt),
    pgTextArray(owner),
    pgTextArray(state),
    pgNumberArray(nextAttempt),
    pgTextArray(runAt),
    pgNumberArray(lastStatus),
    pgTextArray(lastError),
    pgBoolArray(finalized),
    pgBoolArray(keep),
    pgNumberArray(startedMs),
    pgNumberArray(finishedMs),
    pgNumberArray(status),
    pgTextArray(outcome),
    pgNumberArray(durationMs),
    pgTextArray(error),
    pgTextArray(excerpt),
  ];
}

/**
 * The claim on PostgreSQL: `dispatchr_claim()` (migration 0009) returns the claimed rows whole;
 * this reads back what claimColumns names, times as epoch milliseconds.
 */
const CLAIM_PG = `select ${claimColumns('postgresql')} from dispatchr_claim($1, $2, $3, $4, $5, $6)`;

export type DispatchRepository = ReturnType<typeof createDispatchRepository>;

export function createDispatchRepository(db: Orm) {
  const { sql } = db;
  const dialect = db.target.dialect;
  const CLAIMABLE = claimableStates();
  const CLAIMED = claimTarget();
  const WAITING = WAITING_STATES.map((state) => `'${state}'`).join(',');
  const CLAIM_RETURNING_SQLITE = claimColumns('sqlite');

  return {
    /**
     * Takes up to `limit` due tasks, never more than the queue's free concurrency across all
     * schedulers. PostgreSQL: one call of `dispatchr_claim()` (migration 0009), which takes a
     * transaction-scoped advisory lock per queue, so the running count its UPDATE reads is exact,
     * and whose SKIP LOCKED steps over rows others hold: one statement, one round trip. SQLite runs
     * the same UPDATE in one immediate transaction (one writer at a time). Neither takes a task of
     * a paused queue: both read the pause flag in the claim itself (migration 0010 on PostgreSQL,
     * under the lock a pause also takes), never a flag a scheduler holds in memory.
     */
    async claim(request: ClaimRequest): Promise<TaskRecord[]> {
      const { queue, limit, owner, now, leaseMs, maxConcurrent } = request;
      if (limit <= 0) return [];
      const leaseExpiresAt = new Date(now.getTime() + leaseMs);
      const stamp = { owner, now, leaseExpiresAt };
      if (dialect === 'postgresql') {
        const rows = await sql.query(CLAIM_PG, [queue, owner, leaseExpiresAt, now, limit, maxConcurrent]);
        return rows.map((row) => toClaimedRecord(row, stamp));
      }
      return sql.transaction(async (tx) => {
        const p = new SqlParams(dialect);
        // Placeholders are added in text order and never reused: SQLite's `?` is positional.
        const rows = await tx.query(
          `update dispatchr_task set ${patchSets(CLAIMED, patchOf({ type: 'claim' }), { now, lease: { owner, expiresAt: leaseExpiresAt } }, p).join(', ')}
           where id in (
             select id from dispatchr_task
             where queue = ${p.add(queue)} and state in (${CLAIMABLE}) and run_at <= ${p.add(now)}
               -- a paused queue is not claimed: read in this write transaction, after any pause
               -- that has committed (SQLite has one writer at a time)
               and not exists (select 1 from dispatchr_queue_state where name = ${p.add(queue)} and paused = 1)
             order by run_at, id
             -- the free concurrency of the queue caps the batch
             limit max(0, min(${p.add(limit)}, ${p.add(maxConcurrent)} - (select count(*) from dispatchr_task where queue = ${p.add(queue)} and state = 'running'))))
           returning ${CLAIM_RETURNING_SQLITE}`,
          p.values,
        );
        return rows.map((row) => toClaimedRecord(row, stamp));
      });
    },

    /** Applies a batch of outcomes; answers the ids whose compare-and-set won. */
    async settle(settlements: readonly Settlement[], now: Date): Promise<Set<string>> {
      if (settlements.length === 0) return new Set();
      if (dialect === 'postgresql') {
        const lost = await sql.query<{ n: number }>(SETTLE_PG, settleColumns(settlements, now));
        // By position, so the ids are taken out however the caller spelled them.
        const won = new Set(settlements.map((s) => s.taskId));
        for (const row of lost) won.delete(settlements[Number(row.n) - 1].taskId);
        return won;
      }
      return sql.transaction(async (tx) => {
        const won = new Set<string>();
        for (const s of settlements) {
          const { record } = s;
          const keep = keepsOnRow(s);
          const attempt = [
            record.startedAt,
            record.finishedAt,
            record.status,
            record.outcome,
            record.durationMs,
            record.error,
            record.responseExcerpt,
          ];
          const changed = await tx.execute(
            `update dispatchr_task set state = ?, attempt = ?, run_at = coalesce(?, run_at), attempts_given_back = attempts_given_back + ?,
               lease_owner = null, lease_expires_at = null, last_status = ?, last_error = ?, updated_at = ?, finalized_at = ?,
               final_started_at = ?, final_finished_at = ?, final_status = ?, final_outcome = ?, final_duration_ms = ?, final_error = ?, final_excerpt = ?
             where id = ? and state = ${SETTLED_FROM} and attempt = ? and lease_owner = ?`,
            [
              s.state,
              s.nextAttempt,
              s.runAt,
              record.outcome === 'interrupted' ? 1 : 0,
              s.lastStatus,
              s.lastError,
              now,
              FINISHED_AFTER.has(s.state) ? now : null,
              ...(keep ? attempt : NO_FINAL_ATTEMPT),
              s.taskId,
              s.attempt,
              s.owner,
            ],
          );
          if (changed === 0) continue;
          won.add(s.taskId);
          if (keep) continue;
          await tx.execute(
            `insert into dispatchr_attempt (task_id, number, started_at, finished_at, status, outcome, duration_ms, error, response_excerpt)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [s.taskId, s.attempt, ...attempt],
          );
        }
        return won;
      });
    },

    /**
     * Running tasks whose lease ran out, or whose owner is not a live scheduler (no heartbeat since
     * `liveSince`): those are rescued early, in seconds rather than at the lease horizon.
     */
    async findRescuable(now: Date, liveSince: Date, limit = 500): Promise<TaskRecord[]> {
      const p = new SqlParams(dialect);
      const rows = await sql.query(
        `select ${TASK_COLUMNS} from dispatchr_task
         where state = 'running' and (lease_expires_at <= ${p.add(now)}
           or lease_owner not in (select id from dispatchr_scheduler where heartbeat_at >= ${p.add(liveSince)}))
         order by lease_expires_at limit ${p.add(limit)}`,
        p.values,
      );
      return rows.map(toTaskRecord);
    },

    /**
     * The earliest run_at of the queue's waiting tasks (null: none): how long an idle producer may
     * sleep. The first entry of the due-order index, the claim's own order: one index entry read.
     * `min(run_at) … group by queue` read every waiting row of the queue (PostgreSQL does not turn
     * min() into an index lookup under GROUP BY), and an idle loop asks after every empty claim.
     */
    async nextDueAt(queue: string): Promise<Date | null> {
      const p = new SqlParams(dialect);
      const rows = await sql.query<{ run_at: unknown }>(
        `select run_at from dispatchr_task where queue = ${p.add(queue)} and state in (${WAITING}) order by run_at, id limit 1`,
        p.values,
      );
      return rows.length === 0 ? null : toDate(rows[0].run_at);
    },

    /** Retention: deletes up to `limit` tasks of `states` finished before `before`. */
    async pruneFinished(states: readonly TaskState[], before: Date, limit = 1000): Promise<number> {
      const p = new SqlParams(dialect);
      return sql.execute(
        `delete from dispatchr_task where id in (select id from dispatchr_task where state in (${states.map((s) => p.add(s)).join(', ')}) and finalized_at < ${p.add(before)} limit ${p.add(limit)})`,
        p.values,
      );
    },
  };
}

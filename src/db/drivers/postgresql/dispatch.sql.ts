import { column } from '../../../v8-shapes.js';
import { FINISHED_AFTER, keepsOnRow, SETTLED_FROM, type ClaimRequest, type Settlement } from '../../dispatch.types.js';
import type { Row, SqlPool, SqlSession } from '../../sql-session.js';
import { CLAIM_COLUMNS, TIME_COLUMNS } from '../../task-row.js';
import { pgBoolArray, pgNumberArray, pgTextArray } from './pg-array.js';

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
const CLAIM_PG = `select ${claimColumnsAsEpoch()} from dispatchr_claim($1, $2, $3, $4, $5, $6)`;

/**
 * CLAIM_COLUMNS with times as epoch milliseconds: pg hands timestamps back as text or as Dates it
 * parses, and parsing them per claimed row was the claim's largest cost in the scheduler's profile;
 * a number becomes a Date for free. date_part(), not extract(): extract() computes in numeric since
 * PostgreSQL 14, date_part() in float8, and round() because float8 seconds times 1000 can land a
 * hair below a whole millisecond (new Date truncates).
 */
export function claimColumnsAsEpoch(): string {
  return CLAIM_COLUMNS.split(', ')
    .map((column) => (TIME_COLUMNS.has(column) ? `round(date_part('epoch', ${column}) * 1000) as ${column}` : column))
    .join(', ');
}

/**
 * One call of `dispatchr_claim()` (migrations 0009, 0010), which takes a transaction-scoped
 * advisory lock per queue, so the running count its UPDATE reads is exact, and whose SKIP LOCKED
 * steps over rows others hold: one statement, one round trip. It reads the pause flag under the
 * lock a pause also takes, never a flag a scheduler holds in memory.
 */
export async function claimPostgres(pool: SqlPool, request: ClaimRequest, leaseExpiresAt: Date): Promise<Row[]> {
  const { queue, limit, owner, now, maxConcurrent } = request;
  return pool.query(CLAIM_PG, [queue, owner, leaseExpiresAt, now, limit, maxConcurrent]);
}

/** SETTLE_PG on a batch: answers the ids whose compare-and-set won. */
export async function settlePostgres(
  pool: SqlSession,
  settlements: readonly Settlement[],
  now: Date,
): Promise<Set<string>> {
  const lost = await pool.query<{ n: number }>(SETTLE_PG, settleColumns(settlements, now));
  // By position, so the ids are taken out however the caller spelled them.
  const won = new Set(settlements.map((s) => s.taskId));
  for (const row of lost) won.delete(settlements[Number(row.n) - 1].taskId);
  return won;
}

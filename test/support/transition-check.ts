import { expect } from 'vitest';
import type { TransitionPatch } from '../../src/machines/transition-patch.js';
import type { Orm } from '../../src/db/orm.js';
import { SqlParams } from '../../src/db/sql-session.js';
import { toDate } from '../../src/db/task-row.js';
import type { TaskState } from '../../src/task.js';

/**
 * A task row as a transition leaves it, read straight from dispatchr_task (the final attempt's
 * outcome included, and how many dispatchr_attempt rows the task has), so a drift test can compare
 * what a writer did with what the machine's patch (machines/transition-patch.ts) declares.
 */
export interface RowSnapshot {
  state: TaskState;
  attempt: number;
  attemptsGivenBack: number;
  runAt: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  attemptedAt: number | null;
  firstAttemptAt: number | null;
  finalizedAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  finalOutcome: string | null;
  attemptRows: number;
  updatedAt: number;
}

const ms = (value: unknown): number | null => (value === null || value === undefined ? null : toDate(value).getTime());

export async function snapshot(db: Orm, id: string): Promise<RowSnapshot> {
  const p = new SqlParams(db.driver.placeholder);
  const [row] = await db.sql.query(
    `select state, attempt, attempts_given_back, run_at, lease_owner, lease_expires_at, attempted_at, first_attempt_at,
       finalized_at, last_status, last_error, final_outcome, updated_at,
       (select count(*) from dispatchr_attempt a where a.task_id = t.id) as attempt_rows
     from dispatchr_task t where id = ${p.add(id)}`,
    p.values,
  );
  if (!row) throw new Error(`no task ${id}`);
  return {
    state: row.state as TaskState,
    attempt: Number(row.attempt),
    attemptsGivenBack: Number(row.attempts_given_back),
    runAt: ms(row.run_at)!,
    leaseOwner: (row.lease_owner as string | null) ?? null,
    leaseExpiresAt: ms(row.lease_expires_at),
    attemptedAt: ms(row.attempted_at),
    firstAttemptAt: ms(row.first_attempt_at),
    finalizedAt: ms(row.finalized_at),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
    finalOutcome: (row.final_outcome as string | null) ?? null,
    attemptRows: Number(row.attempt_rows),
    updatedAt: ms(row.updated_at)!,
  };
}

/** The values a writer was given: `now` is the write's time; the others serve the patch's `given`. */
export interface GivenValues {
  now: Date;
  runAt?: Date | null;
  lease?: { owner: string; expiresAt: Date };
  lastStatus?: number | null;
  lastError?: string | null;
  /** The settled attempt's outcome, for `finalAttempt: 'set'`. */
  outcome?: string;
}

/** The row `patch` declares after `before`, given these values: each field derived from the patch alone. */
export function expectedRow(
  before: RowSnapshot,
  to: TaskState,
  patch: Readonly<TransitionPatch>,
  given: GivenValues,
): RowSnapshot {
  const now = given.now.getTime();
  const counter = (rule: 'increment' | 'reset' | 'keep', value: number) =>
    rule === 'increment' ? value + 1 : rule === 'reset' ? 0 : value;
  const need = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the patch needs ${name}, which the test did not give`);
    return value;
  };
  // A settle's runAt: null means "not due again", and the row keeps its run_at (coalesce).
  const givenRunAt = patch.runAt === 'given' ? need(given.runAt, 'runAt') : null;
  // `given` means the writer is handed a value: a patch that says so while the writer gets none has drifted.
  if (patch.runAt === 'given') expect(givenRunAt, 'a given runAt').not.toBeNull();
  if (patch.lastError === 'given') expect(given.lastError ?? null, 'a given lastError').not.toBeNull();
  const finalOutcome = {
    set: () => need(given.outcome, 'outcome'),
    clear: () => null,
    keep: () => before.finalOutcome,
    history: () => null,
  };
  return {
    state: to,
    attempt: counter(patch.attempt, before.attempt),
    attemptsGivenBack: counter(patch.attemptsGivenBack, before.attemptsGivenBack),
    runAt: patch.runAt === 'now' ? now : givenRunAt !== null ? givenRunAt.getTime() : before.runAt,
    leaseOwner:
      patch.lease === 'set' ? need(given.lease, 'lease').owner : patch.lease === 'keep' ? before.leaseOwner : null,
    leaseExpiresAt:
      patch.lease === 'set'
        ? need(given.lease, 'lease').expiresAt.getTime()
        : patch.lease === 'keep'
          ? before.leaseExpiresAt
          : null,
    attemptedAt: patch.attemptedAt === 'now' ? now : before.attemptedAt,
    firstAttemptAt: { 'coalesce-now': before.firstAttemptAt ?? now, clear: null, keep: before.firstAttemptAt }[
      patch.firstAttemptAt
    ],
    finalizedAt: { set: now, clear: null, keep: before.finalizedAt }[patch.finalized],
    lastStatus: patch.lastStatus === 'given' ? need(given.lastStatus, 'lastStatus') : before.lastStatus,
    lastError: { given: () => need(given.lastError, 'lastError'), clear: () => null, keep: () => before.lastError }[
      patch.lastError
    ](),
    finalOutcome: finalOutcome[patch.finalAttempt](),
    // An attempt that does not stay on the row becomes a dispatchr_attempt row; a reopened final one moves there.
    attemptRows:
      before.attemptRows +
      (patch.finalAttempt === 'clear' ? 1 : 0) +
      (patch.finalAttempt === 'history' && before.finalOutcome !== null ? 1 : 0),
    updatedAt: now,
  };
}

export function expectTransition(
  before: RowSnapshot,
  after: RowSnapshot,
  to: TaskState,
  patch: Readonly<TransitionPatch>,
  given: GivenValues,
  what: string,
): void {
  expect(after, what).toEqual(expectedRow(before, to, patch, given));
}

import { DispatchrError } from '../errors.js';
import { targetOf } from '../machines/transition-table.js';
import type { TaskRecord } from '../task.js';
import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';
import { acknowledgeCancelUpdate } from './task-cancel.sql.js';
import { toTaskRecord } from './task-row.js';

/**
 * Cancelling a running task (spec 11.6), both sides of it. The recorder's cancel is a
 * compare-and-set that keeps the holder's lease; the holder finds out (NOTIFY, or polling the ids
 * it has in flight), cuts its request, and once its settle loses to the cancel it acknowledges,
 * giving the lease up. Until then a retry is refused, so one task never has two requests in flight.
 */
export type CancelRunningRepository = ReturnType<typeof createCancelRunningRepository>;

/** Ids per statement of the poll. */
const POLL_SLICE = 500;
/** Where a cancel of a running task leads (the machine's). */
const CANCELLED = targetOf('running', { type: 'cancel.running' })!;

export function createCancelRunningRepository(db: Orm) {
  const { sql, driver } = db;
  const params = () => new SqlParams(driver.placeholder);

  return {
    /** The task cancelled, or null when its attempt settled first (the caller re-reads the winner). */
    async cancel(task: TaskRecord, now: Date): Promise<TaskRecord | null> {
      if (task.leaseOwner === null) return null;
      const rows = await driver.queries.cancelRunning(sql, {
        id: task.id,
        attempt: task.attempt,
        owner: task.leaseOwner,
        startedAt: task.attemptedAt ?? now,
        now,
      });
      return rows[0] ? toTaskRecord(rows[0]) : null;
    },

    /** The holder gives up its leases of these tasks where a cancel won; answers how many it gave up. */
    async acknowledge(ids: readonly string[], owner: string, now: Date): Promise<number> {
      if (ids.length === 0) return 0;
      const p = params();
      return sql.execute(acknowledgeCancelUpdate(ids, owner, now, p), p.values);
    },

    /** Of these tasks (a scheduler's requests in flight), those cancelled meanwhile: the poll where no NOTIFY exists. */
    async cancelledAmong(ids: readonly string[]): Promise<string[]> {
      const found: string[] = [];
      // In slices: a scheduler may have thousands in flight, and databases cap a statement's parameters.
      for (let start = 0; start < ids.length; start += POLL_SLICE) {
        const p = params();
        const list = ids
          .slice(start, start + POLL_SLICE)
          .map((id) => p.add(id))
          .join(', ');
        const rows = await sql.query<{ id: unknown }>(
          `select id from dispatchr_task where id in (${list}) and state = ${p.add(CANCELLED)}`,
          p.values,
        );
        for (const row of rows) found.push(String(row.id));
      }
      return found;
    },
  };
}

/**
 * A retry of a cancelled task whose holder still has its request in flight is refused until the
 * holder acknowledges or the lease expires: a second delivery must not start meanwhile (spec 8.2).
 */
export function refuseHeldLease(task: TaskRecord, now: Date): void {
  if (task.leaseOwner === null || task.leaseExpiresAt === null || task.leaseExpiresAt <= now) return;
  throw new DispatchrError(
    'lease_held',
    `task ${task.id} was cancelled while running and its scheduler has not yet let go of it; retry after ${task.leaseExpiresAt.toISOString()} at the latest`,
    {
      status: 409,
      details: [{ path: 'leaseExpiresAt', message: `held by a scheduler until ${task.leaseExpiresAt.toISOString()}` }],
    },
  );
}

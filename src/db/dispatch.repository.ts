import { PRIORITY_LEVELS } from '../rules/task-priority.js';
import { WAITING_STATES, type TaskRecord, type TaskState } from '../task.js';
import type { ClaimRequest, Settlement } from './dispatch.types.js';
import { signalDue } from './due-signal.js';
import type { Orm } from './orm.js';
import { SqlParams } from './sql-session.js';
import { TASK_COLUMNS, toClaimedRecord, toDate, toTaskRecord } from './task-row.js';

export type { ClaimRequest, Settlement } from './dispatch.types.js';
export { claimableStates } from './transition-patch.sql.js';

/**
 * The scheduler's reads and writes: the claim and the settle, each the driver's own SQL (one
 * statement or one transaction per batch), and the rescue, wake-up and retention reads every
 * database answers alike.
 */
export type DispatchRepository = ReturnType<typeof createDispatchRepository>;

export function createDispatchRepository(db: Orm) {
  const { sql, driver } = db;
  const { queries } = driver;
  const params = () => new SqlParams(driver.placeholder);
  const WAITING = WAITING_STATES.map((state) => `'${state}'`).join(',');
  const LEVEL_ROWS = PRIORITY_LEVELS.map((level) => `(${level})`).join(', ');

  return {
    /**
     * Takes up to `limit` due tasks, never more than the queue's free concurrency across all
     * schedulers, and none of a paused queue: the driver reads the pause flag in the claim itself,
     * never a flag a scheduler holds in memory (spec §4.10).
     */
    async claim(request: ClaimRequest): Promise<TaskRecord[]> {
      const { limit, owner, now, leaseMs } = request;
      if (limit <= 0) return [];
      const leaseExpiresAt = new Date(now.getTime() + leaseMs);
      const stamp = { owner, now, leaseExpiresAt };
      const rows = await queries.claim(sql, request, leaseExpiresAt);
      return rows.map((row) => toClaimedRecord(row, stamp));
    },

    /** Applies a batch of outcomes; answers the ids whose compare-and-set won. */
    async settle(settlements: readonly Settlement[], now: Date): Promise<Set<string>> {
      if (settlements.length === 0) return new Set();
      const won = await queries.settle(sql, settlements, now);
      // Callback tasks written with the settle are due now: wake this process's producers for them
      // (PostgreSQL's insert trigger also NOTIFYs other processes; SQLite has only this).
      const callbackQueues = settlements.filter((s) => s.callback && won.has(s.taskId)).map((s) => s.callback!.queue);
      if (callbackQueues.length > 0) signalDue(callbackQueues);
      return won;
    },

    /**
     * Running tasks whose lease ran out, or whose owner is not a live scheduler (no heartbeat since
     * `liveSince`): those are rescued early, in seconds rather than at the lease horizon.
     */
    async findRescuable(now: Date, liveSince: Date, limit = 500): Promise<TaskRecord[]> {
      const p = params();
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
     * sleep. The due-order index is (queue, priority, run_at, id), so the earliest of each priority
     * level is the first entry of its range: ten index entries read, the least of them kept.
     * `min(run_at) … group by queue` read every waiting row of the queue (PostgreSQL does not turn
     * min() into an index lookup under GROUP BY), and an idle loop asks after every empty claim.
     */
    async nextDueAt(queue: string): Promise<Date | null> {
      const p = params();
      const rows = await sql.query<{ run_at: unknown }>(
        `with levels(level) as (values ${LEVEL_ROWS})
         select min((select d.run_at from dispatchr_task d where d.queue = ${p.add(queue)} and d.priority = levels.level
           and d.state in (${WAITING}) order by d.run_at, d.id limit 1)) as run_at from levels`,
        p.values,
      );
      return rows.length === 0 || rows[0].run_at === null ? null : toDate(rows[0].run_at);
    },

    /** Retention: releases up to `limit` keys whose finished holder's keyRetention has passed (spec 11.2). */
    async releaseExpiredKeys(now: Date, limit = 1000): Promise<number> {
      return queries.releaseExpiredKeys(sql, now, limit);
    },

    /** Retention: deletes up to `limit` tasks of `states` finished before `before`. */
    async pruneFinished(states: readonly TaskState[], before: Date, limit = 1000): Promise<number> {
      const p = params();
      return sql.execute(
        `delete from dispatchr_task where id in (select id from dispatchr_task where state in (${states.map((s) => p.add(s)).join(', ')}) and finalized_at < ${p.add(before)} limit ${p.add(limit)})`,
        p.values,
      );
    },
  };
}

import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { DUE_CHANNEL, signalDue } from './due-signal.js';
import type { Orm } from './orm.js';
import { SqlParams } from './task-row.js';

/**
 * Pause flags, one row per queue that was ever paused. The claim reads the flag itself (spec
 * §4.10), so a pause is in force for every scheduler the moment `setPaused` returns.
 */
export type QueueStateRepository = ReturnType<typeof createQueueStateRepository>;

const UPSERT = (p: SqlParams, name: string, paused: boolean, at: Date) =>
  `insert into dispatchr_queue_state (name, paused, updated_at) values (${p.add(name)}, ${p.add(paused)}, ${p.add(at)})
   on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at`;

export function createQueueStateRepository(db: Orm, clock: Clock = systemClock) {
  const dialect = db.target.dialect;
  return {
    /**
     * PostgreSQL: written under the queue's claim lock (the one `dispatchr_claim()` takes), so a
     * claim in flight commits before the pause does, and every later claim reads the flag. A resume
     * NOTIFYs the due channel at commit: the schedulers claim at once instead of at their next
     * poll. SQLite has one writer at a time: a committed flag is read by every later claim. A resume
     * wakes the schedulers of this process through the due-signal; one in another process reads
     * the flags within its poll interval.
     */
    async setPaused(name: string, paused: boolean): Promise<void> {
      const p = new SqlParams(dialect);
      const upsert = UPSERT(p, name, paused, clock.now());
      if (dialect === 'postgresql') {
        await db.sql.transaction(async (tx) => {
          await tx.query(`select pg_advisory_xact_lock(hashtext('dispatchr.claim.' || $1))`, [name]);
          await tx.execute(upsert, p.values);
          if (!paused) await tx.query(`select pg_notify('${DUE_CHANNEL}', $1)`, [name]);
        });
      } else {
        await db.sql.execute(upsert, p.values);
      }
      if (!paused) signalDue([name]);
    },

    async pausedQueues(): Promise<Set<string>> {
      const p = new SqlParams(dialect);
      const rows = await db.sql.query<{ name: string }>(
        `select name from dispatchr_queue_state where paused = ${p.add(true)}`,
        p.values,
      );
      return new Set(rows.map((row) => String(row.name)));
    },
  };
}

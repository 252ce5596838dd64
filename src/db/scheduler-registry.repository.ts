import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { SchedulerEntity } from './entities/scheduler.entity.js';
import type { Orm } from './orm.js';

/**
 * Schedulers register themselves and heartbeat; one whose heartbeat is older than the staleness
 * horizon is dead, and its leases are rescued early. Read through the ORM; the heartbeat itself is
 * one raw upsert (see `heartbeat`).
 */
export interface SchedulerInfo {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  startedAt: Date;
  heartbeatAt: Date;
  /**
   * Per queue it serves: the dispatches per second its own limiter enforces as of its last
   * heartbeat (its share of the queue's rate, lowered while the target pushes back); null:
   * unlimited. Empty until its first heartbeat that carries rates.
   */
  rates: SchedulerRates;
}

/** queue → dispatches per second; null means unlimited. */
export type SchedulerRates = Record<string, number | null>;

/**
 * A scheduler fences itself after FENCE_INTERVALS heartbeat intervals without a successful write;
 * others treat it as dead after DEAD_AFTER_INTERVALS, so it has stopped before they rescue.
 */
export const FENCE_INTERVALS = 3;
export const DEAD_AFTER_INTERVALS = FENCE_INTERVALS + 2;

/** Schedulers whose last heartbeat is recent enough to count as alive. */
export function isAlive(
  scheduler: Pick<SchedulerInfo, 'heartbeatAt'>,
  now: Date,
  heartbeatIntervalMs: number,
): boolean {
  return scheduler.heartbeatAt.getTime() >= now.getTime() - DEAD_AFTER_INTERVALS * heartbeatIntervalMs;
}

export interface SchedulerStatus extends SchedulerInfo {
  alive: boolean;
  /** Time since the last heartbeat, by the reader's clock. */
  silentMs: number;
}

/**
 * Alive or dead, judged as the rescuers judge it (`isAlive`), by the heartbeat interval the reader
 * is configured with: `dispatchr schedulers` and `GET /v1/schedulers` say alive or dead with it.
 */
export function schedulerStatus(info: SchedulerInfo, now: Date, heartbeatIntervalMs: number): SchedulerStatus {
  return {
    ...info,
    alive: isAlive(info, now, heartbeatIntervalMs),
    silentMs: Math.max(0, now.getTime() - info.heartbeatAt.getTime()),
  };
}

export type SchedulerRegistry = ReturnType<typeof createSchedulerRegistry>;

export function createSchedulerRegistry(db: Orm, clock: Clock = systemClock) {
  return {
    /**
     * Records `at` (default now) as the scheduler's last heartbeat. Raw SQL, so the time only moves
     * forward: a write that was stuck on a bad connection and lands after a newer one must not make
     * a live scheduler look dead to the others.
     */
    async heartbeat(info: {
      id: string;
      queues: string[];
      startedAt: Date;
      at?: Date;
      rates?: SchedulerRates;
    }): Promise<void> {
      const pg = db.target.dialect === 'postgresql';
      const greatest = pg ? 'greatest' : 'max';
      const p = pg ? ['$1', '$2', '$3', '$4::jsonb', '$5', '$6', '$7::jsonb'] : ['?', '?', '?', '?', '?', '?', '?'];
      // The rates go with the newest heartbeat only: a stuck write landing late keeps the newer rates.
      await db.sql.execute(
        `insert into dispatchr_scheduler (id, host, pid, queues, started_at, heartbeat_at, rates) values (${p.join(', ')})
         on conflict (id) do update set host = excluded.host, pid = excluded.pid, queues = excluded.queues,
           started_at = excluded.started_at, heartbeat_at = ${greatest}(dispatchr_scheduler.heartbeat_at, excluded.heartbeat_at),
           rates = case when excluded.heartbeat_at >= dispatchr_scheduler.heartbeat_at then excluded.rates else dispatchr_scheduler.rates end`,
        [
          info.id,
          hostname(),
          process.pid,
          JSON.stringify(info.queues),
          info.startedAt,
          info.at ?? clock.now(),
          JSON.stringify(info.rates ?? {}),
        ],
      );
    },

    async deregister(id: string): Promise<void> {
      await db.orm.em.fork().nativeDelete(SchedulerEntity, { id });
    },

    async list(): Promise<SchedulerInfo[]> {
      const rows = await db.orm.em.fork().find(SchedulerEntity, {}, { orderBy: { startedAt: 'asc' } });
      return rows.map((row) => ({
        id: row.id,
        host: row.host,
        pid: row.pid,
        queues: row.queues,
        startedAt: new Date(row.startedAt),
        heartbeatAt: new Date(row.heartbeatAt),
        rates: row.rates ?? {},
      }));
    },

    /** Every registered scheduler with its status, alive ones first, then by start time. */
    async listStatus(heartbeatIntervalMs: number): Promise<SchedulerStatus[]> {
      const now = clock.now();
      const all = (await this.list()).map((info) => schedulerStatus(info, now, heartbeatIntervalMs));
      return [...all.filter((s) => s.alive), ...all.filter((s) => !s.alive)];
    },

    /**
     * Forgets schedulers silent for much longer than any lease; they hold nothing any more (their
     * leases are rescued whether or not the row is still there).
     */
    async pruneSilent(olderThan: Date): Promise<number> {
      return db.orm.em.fork().nativeDelete(SchedulerEntity, { heartbeatAt: { $lt: olderThan } });
    },
  };
}

import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { SchedulerEntity } from './entities/scheduler.entity.js';
import type { Orm } from './orm.js';

/**
 * Schedulers register themselves and heartbeat; one whose heartbeat is older than the staleness
 * horizon is dead, and its leases are rescued early. Written a few times a second at most, so it
 * goes through the ORM.
 */
export interface SchedulerInfo {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  startedAt: Date;
  heartbeatAt: Date;
}

/**
 * A scheduler fences itself after FENCE_INTERVALS heartbeat intervals without a successful write;
 * others treat it as dead after DEAD_AFTER_INTERVALS, so it has stopped before they rescue.
 */
export const FENCE_INTERVALS = 3;
export const DEAD_AFTER_INTERVALS = FENCE_INTERVALS + 2;

/** Schedulers whose last heartbeat is recent enough to count as alive. */
export function isAlive(scheduler: Pick<SchedulerInfo, 'heartbeatAt'>, now: Date, heartbeatIntervalMs: number): boolean {
  return scheduler.heartbeatAt.getTime() >= now.getTime() - DEAD_AFTER_INTERVALS * heartbeatIntervalMs;
}

export type SchedulerRegistry = ReturnType<typeof createSchedulerRegistry>;

export function createSchedulerRegistry(db: Orm, clock: Clock = systemClock) {
  return {
    async heartbeat(info: { id: string; queues: string[]; startedAt: Date }): Promise<void> {
      const em = db.orm.em.fork();
      await em.upsert(SchedulerEntity, {
        id: info.id,
        host: hostname(),
        pid: process.pid,
        queues: info.queues,
        startedAt: info.startedAt,
        heartbeatAt: clock.now(),
      });
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
      }));
    },

    /** Forgets schedulers silent for much longer than any lease; they hold nothing any more. */
    async pruneSilent(olderThan: Date): Promise<number> {
      return db.orm.em.fork().nativeDelete(SchedulerEntity, { heartbeatAt: { $lt: olderThan } });
    },
  };
}

import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Orm } from './orm.js';
import { SqlParams, type Row } from './sql-session.js';
import { toDate } from './task-row.js';

/**
 * Schedulers register themselves and heartbeat; one whose heartbeat is older than the staleness
 * horizon is dead, and its leases are rescued early. The heartbeat is the driver's upsert (its time
 * only moves forward); the rest is SQL every database answers alike.
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
  /** Per queue: the running tasks whose lease it holds (queues with none are left out). */
  leases: Record<string, number>;
}

/**
 * Alive or dead, judged as the rescuers judge it (`isAlive`), by the heartbeat interval the reader
 * is configured with: `dispatchr schedulers` and `GET /v1/schedulers` say alive or dead with it.
 */
export function schedulerStatus(
  info: SchedulerInfo,
  now: Date,
  heartbeatIntervalMs: number,
  leases: Record<string, number> = {},
): SchedulerStatus {
  return {
    ...info,
    alive: isAlive(info, now, heartbeatIntervalMs),
    silentMs: Math.max(0, now.getTime() - info.heartbeatAt.getTime()),
    leases,
  };
}

export type SchedulerRegistry = ReturnType<typeof createSchedulerRegistry>;

/** A dispatchr_scheduler row: JSON columns arrive parsed or as text, times as Dates or milliseconds. */
function toSchedulerInfo(row: Row): SchedulerInfo {
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return {
    id: String(row.id),
    host: String(row.host),
    pid: Number(row.pid),
    queues: json(row.queues) as string[],
    startedAt: toDate(row.started_at),
    heartbeatAt: toDate(row.heartbeat_at),
    rates: (json(row.rates) ?? {}) as SchedulerRates,
  };
}

export function createSchedulerRegistry(db: Orm, clock: Clock = systemClock) {
  const params = () => new SqlParams(db.driver.placeholder);
  return {
    /**
     * Records `at` (default now) as the scheduler's last heartbeat. The time only moves forward: a
     * write that was stuck on a bad connection and lands after a newer one must not make a live
     * scheduler look dead to the others.
     */
    async heartbeat(info: {
      id: string;
      queues: string[];
      startedAt: Date;
      at?: Date;
      rates?: SchedulerRates;
    }): Promise<void> {
      await db.driver.queries.heartbeat(db.sql, {
        id: info.id,
        host: hostname(),
        pid: process.pid,
        queues: info.queues,
        startedAt: info.startedAt,
        at: info.at ?? clock.now(),
        rates: info.rates ?? {},
      });
    },

    async deregister(id: string): Promise<void> {
      const p = params();
      await db.sql.execute(`delete from dispatchr_scheduler where id = ${p.add(id)}`, p.values);
    },

    async list(): Promise<SchedulerInfo[]> {
      const rows = await db.sql.query(
        'select id, host, pid, queues, started_at, heartbeat_at, rates from dispatchr_scheduler order by started_at',
      );
      return rows.map(toSchedulerInfo);
    },

    /** Every registered scheduler with its status and leases, alive ones first, then by start time. */
    async listStatus(heartbeatIntervalMs: number): Promise<SchedulerStatus[]> {
      const now = clock.now();
      const [infos, leases] = await Promise.all([this.list(), this.leasesHeld()]);
      const all = infos.map((info) => schedulerStatus(info, now, heartbeatIntervalMs, leases.get(info.id)));
      return [...all.filter((s) => s.alive), ...all.filter((s) => !s.alive)];
    },

    /**
     * Running tasks per lease owner and queue: read from dispatchr_task_running_idx (queue,
     * lease_owner) where state = 'running' (the term repeated, for SQLite's planner), whose rows
     * are at most the queues' concurrency.
     */
    async leasesHeld(): Promise<Map<string, Record<string, number>>> {
      const rows = await db.sql.query<{ lease_owner: string | null; queue: string; n: number | string }>(
        `select lease_owner, queue, count(*) as n from dispatchr_task where state = 'running' group by lease_owner, queue`,
      );
      const held = new Map<string, Record<string, number>>();
      for (const row of rows) {
        if (row.lease_owner === null) continue;
        const owner = String(row.lease_owner);
        const queues = held.get(owner) ?? {};
        queues[String(row.queue)] = Number(row.n);
        held.set(owner, queues);
      }
      return held;
    },

    /**
     * Forgets schedulers silent for much longer than any lease; they hold nothing any more (their
     * leases are rescued whether or not the row is still there).
     */
    async pruneSilent(olderThan: Date): Promise<number> {
      const p = params();
      return db.sql.execute(`delete from dispatchr_scheduler where heartbeat_at < ${p.add(olderThan)}`, p.values);
    },
  };
}

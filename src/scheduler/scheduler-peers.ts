import type { Clock } from '../clock.js';
import type { QueueConfig } from '../config/schema.js';
import { isAlive, type SchedulerRegistry } from '../db/scheduler-registry.repository.js';
import { DispatchrError } from '../errors.js';
import type { AdaptiveRate } from './adaptive-rate.js';
import type { QueueLimiter } from './limiters.js';

/**
 * The other schedulers, as the registry shows them: how many live ones serve each queue (a
 * queue-wide rate is split among them), and the SQLite rule of one scheduler per database.
 */
export interface QueueLimits {
  name: string;
  queue: QueueConfig;
  limiter: QueueLimiter;
  rate: AdaptiveRate;
}

export interface SchedulerPeersDeps {
  registry: SchedulerRegistry;
  /** This scheduler's id. */
  id: string;
  heartbeatIntervalMs: number;
  clock: Clock;
  /** The served queues' limiters, given their new share when the count of peers changes. */
  limits: readonly QueueLimits[];
}

export interface SchedulerPeers {
  /** A queue's rate shared among the live schedulers that serve it (null: unlimited). */
  shareOf(name: string, perSecond: number | null): number | null;
  /** Counts the live schedulers per queue again; a change re-applies every limiter's share. */
  refresh(): Promise<void>;
  /**
   * For a database that takes one scheduler (StorageDriver.oneScheduler: SQLite has one writer and
   * no SKIP LOCKED): a live heartbeat of another scheduler (in this process or another) refuses the
   * start. `database` names it in the message.
   */
  refuseSecondScheduler(database: string): Promise<void>;
}

export function createSchedulerPeers(deps: SchedulerPeersDeps): SchedulerPeers {
  const { registry, clock, heartbeatIntervalMs } = deps;
  let liveSchedulers = new Map<string, number>(); // queue → live schedulers serving it

  const shareOf = (name: string, perSecond: number | null) =>
    perSecond === null ? null : perSecond / Math.max(1, liveSchedulers.get(name) ?? 1);

  return {
    shareOf,
    async refresh() {
      const now = clock.now();
      const live = (await registry.list()).filter((s) => isAlive(s, now, heartbeatIntervalMs));
      const counts = new Map<string, number>();
      for (const scheduler of live)
        for (const queue of scheduler.queues) counts.set(queue, (counts.get(queue) ?? 0) + 1);
      const changed = deps.limits.some(({ name }) => (counts.get(name) ?? 1) !== (liveSchedulers.get(name) ?? 1));
      liveSchedulers = counts;
      if (!changed) return;
      for (const { name, queue, limiter, rate } of deps.limits) {
        limiter.update(shareOf(name, rate.perSecond), queue.maxConcurrent, queue.rateLimit?.burst);
      }
    },
    async refuseSecondScheduler(database) {
      const now = clock.now();
      const other = (await registry.list()).find((s) => s.id !== deps.id && isAlive(s, now, heartbeatIntervalMs));
      if (other) {
        throw new DispatchrError(
          'sqlite_single_scheduler',
          `another scheduler (${other.id}, pid ${other.pid} on ${other.host}) already serves this ${database} database; ${database} supports one scheduler, use PostgreSQL to run several`,
          { status: 1 },
        );
      }
    },
  };
}

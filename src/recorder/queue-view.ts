import type { ResolvedConfig } from '../config/load.js';
import type { QueueStateRepository } from '../db/queue-state.repository.js';
import type { SchedulerRegistry, SchedulerStatus } from '../db/scheduler-registry.repository.js';
import type { TaskRepository } from '../db/task.repository.js';
import { renderQueueConfig } from './queue-config-view.js';
import type { QueueResource } from './schemas/resource.schema.js';

/**
 * A queue as the API and the operator CLI show it: counts per state and the oldest due age (one
 * grouped query), the paused flag, the configured limits, the rate in force as the live
 * schedulers last wrote it with their heartbeats (spec 4.10), and the configuration with its
 * secrets hidden (queue-config-view.ts). Shared by `GET /v1/queues` and the
 * CLI's database mode so both print the same thing; outside routes/ so the operator needs no route.
 */
export interface QueueViewStores {
  tasks: Pick<TaskRepository, 'queueSummaries'>;
  queueStates: Pick<QueueStateRepository, 'pausedQueues'>;
  schedulers: Pick<SchedulerRegistry, 'listStatus'>;
}

export async function describeQueues(
  stores: QueueViewStores,
  config: ResolvedConfig,
  names: string[],
  now: Date,
): Promise<QueueResource[]> {
  const [summaries, paused, schedulers] = await Promise.all([
    stores.tasks.queueSummaries(names),
    stores.queueStates.pausedQueues(),
    stores.schedulers.listStatus(config.scheduler.heartbeatInterval),
  ]);
  return names.map((name) => {
    const summary = summaries.get(name)!;
    const queue = config.queues[name];
    const rate = rateInForce(schedulers, name);
    return {
      name,
      paused: paused.has(name),
      counts: summary.counts,
      oldestDueAgeSeconds:
        summary.oldestDueAt === null
          ? 0
          : Math.max(0, Math.floor((now.getTime() - summary.oldestDueAt.getTime()) / 1000)),
      maxConcurrent: queue.maxConcurrent,
      rateLimit: queue.rateLimit
        ? { perSecond: queue.rateLimit.perSecond, burst: queue.rateLimit.burst ?? null }
        : null,
      currentRate: rate === undefined ? null : { perSecond: rate },
      config: renderQueueConfig(queue),
    };
  });
}

/**
 * The queue's rate in force: the sum of the rates its live schedulers enforce, since each enforces
 * its share of the queue's rate (the configured rate split among them, lowered while the target
 * pushes back). `null` (unlimited) when any of them is unlimited; `undefined` (unknown) when no
 * live scheduler has written a rate for it. Dead schedulers (judged by this reader's heartbeat
 * interval, as `GET /v1/schedulers` judges them) dispatch nothing and are left out.
 */
export function rateInForce(
  schedulers: readonly Pick<SchedulerStatus, 'alive' | 'rates'>[],
  queue: string,
): number | null | undefined {
  let sum: number | null | undefined;
  for (const scheduler of schedulers) {
    if (!scheduler.alive || !Object.hasOwn(scheduler.rates, queue)) continue;
    const rate = scheduler.rates[queue];
    if (rate === null) return null;
    sum = (sum ?? 0) + rate;
  }
  return sum;
}

import type { ResolvedConfig } from '../../config/load.js';
import type { QueueStateRepository } from '../../db/queue-state.repository.js';
import type { TaskRepository } from '../../db/task.repository.js';
import { readSchedulerRates } from '../../metrics/scheduler-rates.js';
import type { QueueResource } from '../schemas/resource.schema.js';

/**
 * A queue as the API and the operator CLI show it: counts per state and the oldest due age (one
 * grouped query), the paused flag, the configured limits, and the adaptive rate in force when a
 * scheduler's metrics endpoint tells it (else `currentRate: null`, "unknown"). Shared by
 * `GET /v1/queues` and the CLI's database mode so both print the same thing.
 */
export interface QueueViewStores {
  tasks: Pick<TaskRepository, 'queueSummaries'>;
  queueStates: Pick<QueueStateRepository, 'pausedQueues'>;
}

export async function describeQueues(stores: QueueViewStores, config: ResolvedConfig, names: string[], now: Date): Promise<QueueResource[]> {
  const [summaries, paused, rates] = await Promise.all([
    stores.tasks.queueSummaries(names),
    stores.queueStates.pausedQueues(),
    readSchedulerRates(config.scheduler.metrics),
  ]);
  return names.map((name) => {
    const summary = summaries.get(name)!;
    const queue = config.queues[name];
    const rate = rates?.get(name);
    return {
      name,
      paused: paused.has(name),
      counts: summary.counts,
      oldestDueAgeSeconds: summary.oldestDueAt === null ? 0 : Math.max(0, Math.floor((now.getTime() - summary.oldestDueAt.getTime()) / 1000)),
      maxConcurrent: queue.maxConcurrent,
      rateLimit: queue.rateLimit ? { perSecond: queue.rateLimit.perSecond, burst: queue.rateLimit.burst ?? null } : null,
      currentRate: rate === undefined ? null : { perSecond: rate },
    };
  });
}

import type { Clock } from '../clock.js';
import type { ResolvedConfig } from '../config/load.js';
import type { DispatchRepository, Settlement } from '../db/dispatch.repository.js';
import type { Logger } from '../logger.js';
import type { RetryPolicy } from '../strategies/load-plugins.js';
import type { TaskRecord } from '../task.js';
import { failpoint } from './failpoints.js';
import { retryPlan } from './outcome.js';
import { buildSettlement } from './settlement.js';
import { withResultAndCallback } from './callbacks.js';

/**
 * Returns `running` tasks whose lease expired, or whose owner stopped heartbeating, to `retryable`
 * (the attempt recorded as lease-expired) or `failed` when the budget is used up. Each write is a
 * compare-and-set on (id, running, attempt, owner): a task that finished meanwhile is never touched.
 */
export interface RescuerDeps {
  config: ResolvedConfig;
  policies: Map<string, RetryPolicy>;
  repository: DispatchRepository;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Owners without a heartbeat since this long ago are dead. */
  deadAfterMs: number;
  onRescued?(tasks: TaskRecord[], settlements: Settlement[]): void;
}

export interface RescueResult {
  found: number;
  rescued: number;
  failed: number;
}

export function createRescuer(deps: RescuerDeps) {
  return {
    async runOnce(): Promise<RescueResult> {
      const now = deps.clock.now();
      const candidates = await deps.repository.findRescuable(now, new Date(now.getTime() - deps.deadAfterMs));
      const settlements: Settlement[] = [];
      const tasks: TaskRecord[] = [];
      for (const task of candidates) {
        const queue = deps.config.queues[task.queue];
        const policy = deps.policies.get(task.queue);
        if (!queue || !policy || !task.leaseOwner) continue; // a queue no longer configured: left as it is
        const why =
          task.leaseExpiresAt && task.leaseExpiresAt <= now
            ? 'lease expired'
            : `scheduler ${task.leaseOwner} stopped heartbeating`;
        const plan = retryPlan(
          task,
          { queue, policy, owner: task.leaseOwner, now, random: deps.random },
          { status: null, retryAfterMs: null, error: why },
        );
        const settlement = buildSettlement({
          task,
          owner: task.leaseOwner,
          event: { type: 'rescue', exhausted: plan.exhausted },
          // The attempt's fields in the order decideOutcome writes them: one object shape for the settle.
          record: {
            startedAt: task.attemptedAt ?? now,
            finishedAt: now,
            status: null,
            durationMs: task.attemptedAt ? now.getTime() - task.attemptedAt.getTime() : null,
            error: why,
            responseExcerpt: null,
            outcome: 'lease-expired',
          },
          runAt: plan.runAt, // the strategy's backoff, as for any failed attempt
          lastError: plan.note ? `${why} (${plan.note})` : why,
        });
        if (!settlement) continue;
        tasks.push(task);
        // A rescue that fails the task fires its onFailure callback, in the same transaction (11.5).
        settlements.push(withResultAndCallback(settlement, task, queue, null, now));
      }
      failpoint('before-rescue-settle');
      const won = await deps.repository.settle(settlements, now);
      const applied = settlements.filter((s) => won.has(s.taskId));
      for (const s of applied) {
        deps.logger.warn(
          { taskId: s.taskId, attempt: s.attempt, state: s.state, owner: s.owner },
          'rescued a task from a lost lease',
        );
      }
      if (applied.length)
        deps.onRescued?.(
          tasks.filter((t) => won.has(t.id)),
          applied,
        );
      return {
        found: candidates.length,
        rescued: applied.length,
        failed: applied.filter((s) => s.state === 'failed').length,
      };
    },
  };
}

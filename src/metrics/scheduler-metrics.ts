import type { SchedulerEvents } from '../scheduler/transition-log.js';
import type { Metrics } from './metrics.js';
import { statusClass } from './metrics.js';

/** Feeds the scheduler's observations into the metrics: attempts, durations, delays, results. */
export function schedulerMetricEvents(metrics: Metrics): SchedulerEvents {
  return {
    onDecisions(queue, decisions, tasks) {
      for (let i = 0; i < decisions.length; i++) {
        const { settlement } = decisions[i];
        const { record } = settlement;
        metrics.attempts.inc({ queue, outcome: record.outcome, status_class: statusClass(record.status) });
        if (record.durationMs !== null) metrics.duration.observe({ queue }, record.durationMs / 1000);
        const task = tasks[i];
        if (task) metrics.delay.observe({ queue }, Math.max(0, (record.startedAt.getTime() - task.runAt.getTime()) / 1000));
        if (settlement.state === 'completed' || settlement.state === 'failed') metrics.finished.inc({ queue, result: settlement.state });
      }
    },
    onRescued(tasks, settlements) {
      for (let i = 0; i < settlements.length; i++) {
        const queue = tasks[i].queue;
        metrics.attempts.inc({ queue, outcome: 'lease-expired', status_class: 'none' });
        if (settlements[i].state === 'failed') metrics.finished.inc({ queue, result: 'failed' });
      }
    },
  };
}

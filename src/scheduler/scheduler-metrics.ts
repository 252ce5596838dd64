import type { Metrics } from '../metrics/metrics.js';
import { statusClass } from '../metrics/metrics.js';
import type { SchedulerEvents } from './transition-log.js';

/** Feeds the scheduler's observations into the metrics: attempts, durations, delays, results. */
export function schedulerMetricEvents(metrics: Metrics): SchedulerEvents {
  return {
    onDecisions(queue, decisions, tasks) {
      // Per batch, not per task: a labelled inc/observe hashes its labels on every call, so the
      // histograms are bound to the queue once and the counters are summed before one inc each.
      const duration = metrics.duration.labels({ queue });
      const delay = metrics.delay.labels({ queue });
      const attempts = new Map<string, { outcome: string; statusClass: string; count: number }>();
      let completed = 0;
      let failed = 0;
      for (let i = 0; i < decisions.length; i++) {
        const { settlement } = decisions[i];
        const { record } = settlement;
        const statusClassOf = statusClass(record.status);
        const key = `${record.outcome}|${statusClassOf}`;
        const entry = attempts.get(key);
        if (entry) entry.count += 1;
        else attempts.set(key, { outcome: record.outcome, statusClass: statusClassOf, count: 1 });
        if (record.durationMs !== null) duration.observe(record.durationMs / 1000);
        const task = tasks[i];
        if (task) delay.observe(Math.max(0, (record.startedAt.getTime() - task.runAt.getTime()) / 1000));
        if (settlement.state === 'completed') completed += 1;
        else if (settlement.state === 'failed') failed += 1;
      }
      for (const { outcome, statusClass: status_class, count } of attempts.values())
        metrics.attempts.inc({ queue, outcome, status_class }, count);
      if (completed > 0) metrics.finished.inc({ queue, result: 'completed' }, completed);
      if (failed > 0) metrics.finished.inc({ queue, result: 'failed' }, failed);
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

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueSummary } from '../db/task.repository.js';
import { TASK_STATES } from '../task.js';
import { QueueHistogram } from './queue-histogram.js';

/**
 * Dispatchr's Prometheus metrics. Labels are bounded: queue names come from config, states and
 * outcomes from fixed lists, status as a class ("2xx"); never task ids or URLs. Gauges of task
 * counts come from one grouped query, cached for a few seconds, at scrape time.
 */
export interface MetricsOptions {
  /** Counts per queue and state plus the oldest due time: one grouped query. */
  summaries?: () => Promise<Map<string, QueueSummary>>;
  /** The adaptive rate in force per queue (null: unlimited). */
  rates?: () => Record<string, number | null>;
  cacheMs?: number;
  /** Process metrics (CPU, memory, event loop); on by default. */
  processMetrics?: boolean;
  now?: () => number;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'dispatchr_' });
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 5_000;
  let cached: { at: number; value: Promise<Map<string, QueueSummary>> } | null = null;
  const summaries = () => {
    if (!options.summaries) return Promise.resolve(new Map<string, QueueSummary>());
    if (!cached || now() - cached.at > cacheMs) {
      const value = options.summaries();
      cached = { at: now(), value };
      value.catch(() => {
        cached = null; // a failed query is not cached
      });
    }
    return cached.value;
  };

  new Gauge({
    name: 'dispatchr_tasks',
    help: 'Tasks per queue and state.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const [queue, summary] of await summaries()) {
        for (const state of TASK_STATES) this.set({ queue, state }, summary.counts[state]);
      }
    },
  });
  new Gauge({
    name: 'dispatchr_queue_oldest_due_age_seconds',
    help: 'Age of the oldest task that is due and waiting, per queue (0 when none).',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const [queue, summary] of await summaries()) {
        this.set({ queue }, summary.oldestDueAt ? Math.max(0, (now() - summary.oldestDueAt.getTime()) / 1000) : 0);
      }
    },
  });
  new Gauge({
    name: 'dispatchr_queue_rate_per_second',
    help: 'The dispatch rate in force per queue after adaptive backpressure (+Inf: unlimited).',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      for (const [queue, rate] of Object.entries(options.rates?.() ?? {}))
        this.set({ queue }, rate ?? Number.POSITIVE_INFINITY);
    },
  });

  return {
    registry,
    attempts: new Counter({
      name: 'dispatchr_dispatch_attempts_total',
      help: 'Dispatch attempts by outcome and status class.',
      labelNames: ['queue', 'outcome', 'status_class'],
      registers: [registry],
    }),
    // Observed once per task each: QueueHistogram, not prom-client's Histogram (see its file).
    duration: new QueueHistogram(
      'dispatchr_dispatch_duration_seconds',
      'Time from sending a dispatch to its outcome.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registry,
    ),
    delay: new QueueHistogram(
      'dispatchr_dispatch_delay_seconds',
      'Dispatch time minus due time: how late tasks start.',
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registry,
    ),
    enqueued: new Counter({
      name: 'dispatchr_tasks_enqueued_total',
      help: 'Tasks created (de-duplicated creates not counted).',
      labelNames: ['queue'],
      registers: [registry],
    }),
    finished: new Counter({
      name: 'dispatchr_tasks_finished_total',
      help: 'Tasks that reached a finished state, by result.',
      labelNames: ['queue', 'result'],
      registers: [registry],
    }),
    // Config entries by name (a bounded set, from config); entries made through the API together
    // under entry="" and source="api", since their names are unbounded.
    cronFires: new Counter({
      name: 'dispatchr_cron_fires_total',
      help: 'Cron fire times by result: fired (on time or late), caught_up (missed, fired by catchUp), missed (not fired), skipped (overlap).',
      labelNames: ['source', 'entry', 'result'],
      registers: [registry],
    }),
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`;
}

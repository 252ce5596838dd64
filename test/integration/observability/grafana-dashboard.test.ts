import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { ROOT } from '../../support/cli.js';

/**
 * config/grafana-dashboard.json is built on the metric names Dispatchr exports: a renamed metric
 * (or a typo in a panel) fails here instead of drawing an empty panel in production.
 */
describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(`${ROOT}config/grafana-dashboard.json`, 'utf8'));
  const panels = dashboard.panels.filter((panel: { type: string }) => panel.type !== 'row');
  const expressions: string[] = panels.flatMap((panel: { targets: { expr: string }[] }) =>
    panel.targets.map((target) => target.expr),
  );

  it('uses only metrics that Dispatchr exports', async () => {
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name));
    const used = new Set(
      expressions
        .flatMap((expr) => expr.match(/\bdispatchr_[a-z_]+/g) ?? [])
        .map((name) => name.replace(/_(bucket|count|sum)$/, '')),
    );
    expect(used.size).toBeGreaterThanOrEqual(9);
    for (const name of used) expect(exported.has(name), name).toBe(true);
    for (const name of [
      'dispatchr_tasks',
      'dispatchr_queue_oldest_due_age_seconds',
      'dispatchr_dispatch_attempts_total',
      'dispatchr_dispatch_duration_seconds',
      'dispatchr_dispatch_delay_seconds',
      'dispatchr_tasks_enqueued_total',
      'dispatchr_tasks_finished_total',
      'dispatchr_queue_rate_per_second',
    ]) {
      expect(used.has(name), name).toBe(true);
    }
  });

  it('has a queue variable that every queue-labelled panel filters on', () => {
    const queue = dashboard.templating.list.find((variable: { name: string }) => variable.name === 'queue');
    expect(queue).toMatchObject({
      type: 'query',
      multi: true,
      includeAll: true,
      definition: 'label_values(dispatchr_tasks, queue)',
    });
    for (const expr of expressions.filter((e) => !e.includes('process_')))
      expect(expr, expr).toContain('queue=~"$queue"');
    expect(expressions.filter((e) => e.includes('histogram_quantile(0.99'))).toHaveLength(2); // duration and delay p99
    const ids = panels.map((panel: { id: number }) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { QueueHistogram } from '../../../src/metrics/queue-histogram.js';

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** prom-client's own Histogram and ours, in registries of their own, fed the same observations. */
function pair(contentType: string = Registry.PROMETHEUS_CONTENT_TYPE) {
  const theirs = new Registry();
  const ours = new Registry();
  // prom-client types a registry by its content type; the tests switch one to OpenMetrics.
  for (const registry of [theirs, ours])
    (registry as unknown as { setContentType(type: string): void }).setContentType(contentType);
  const reference = new Histogram({
    name: 'h_seconds',
    help: 'A histogram.',
    labelNames: ['queue'],
    buckets: BOUNDS,
    registers: [theirs],
  });
  const histogram = new QueueHistogram('h_seconds', 'A histogram.', BOUNDS, ours);
  const observe = (queue: string, value: number) => {
    reference.labels({ queue }).observe(value);
    histogram.labels({ queue }).observe(value);
  };
  return { theirs, ours, observe, histogram };
}

describe('QueueHistogram', () => {
  it.each([Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE])(
    "exposes exactly what prom-client's Histogram exposes for the same observations (%s), text and JSON",
    async (contentType) => {
      const { theirs, ours, observe } = pair(contentType);
      // On a bound, between bounds, below the first, above the last, zero; two queues, one with a
      // name the exposition must escape.
      const values = [0, 0.005, 0.0051, 0.01, 0.3, 0.75, 1, 1.5, 42, 0.049];
      values.forEach((value, i) => observe(i % 3 === 0 ? 'mail "bulk"\\x' : 'hooks', value));
      const text = await ours.metrics();
      expect(text).toBe(await theirs.metrics());
      expect(text.endsWith('# EOF\n')).toBe(contentType === Registry.OPENMETRICS_CONTENT_TYPE);
      expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    },
  );

  it('counts each observation in its bucket, cumulatively, with its sum', async () => {
    const { ours, observe } = pair();
    for (const value of [0.001, 0.02, 0.02, 2]) observe('q', value);
    const text = await ours.metrics();
    expect(text).toContain('h_seconds_bucket{le="0.005",queue="q"} 1');
    expect(text).toContain('h_seconds_bucket{le="0.025",queue="q"} 3');
    expect(text).toContain('h_seconds_bucket{le="1",queue="q"} 3');
    expect(text).toContain('h_seconds_bucket{le="+Inf",queue="q"} 4');
    expect(text).toContain('h_seconds_sum{queue="q"} 2.041');
    expect(text).toContain('h_seconds_count{queue="q"} 4');
  });

  it('refuses a value that is not a finite number, as prom-client does, and forgets everything on reset', async () => {
    const { ours, histogram } = pair();
    expect(() => histogram.labels({ queue: 'q' }).observe(Number.NaN)).toThrow(TypeError);
    histogram.labels({ queue: 'q' }).observe(1);
    ours.resetMetrics();
    expect(await ours.metrics()).not.toContain('queue="q"');
  });
});

import type { Metric, Registry } from 'prom-client';

/**
 * A Prometheus histogram labelled by queue alone, for the two the scheduler feeds once per task:
 * dispatch duration and delay. prom-client's Histogram checks and hashes its labels on every
 * observation, even through a child from `labels()` (0.35 µs each, twice per task on the
 * scheduler's main thread); here a queue's series is looked up once per batch, and an observation
 * is a bucket search and three additions (0.02 µs). The registry formats it like any prom-client metric: `get()`
 * and `getForPromString()` answer the shapes prom-client's Histogram answers, so the exposition is
 * the same text (queue-histogram.test.ts compares the two).
 */
export class QueueHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, QueueSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The queue's series, made on first use: look it up once per batch, observe per task. */
  labels({ queue }: { queue: string }): QueueSeries {
    let series = this.series.get(queue);
    if (!series) this.series.set(queue, (series = new QueueSeries(queue, this.upperBounds)));
    return series;
  }

  async getForPromString() {
    const bucket = `${this.name}_bucket`;
    const values = [];
    for (const series of this.series.values()) {
      const sharedLabels = { queue: series.queue };
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += series.counts[i];
        values.push({
          labels: { le: this.upperBounds[i] as number | string },
          sharedLabels,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: series.count, metricName: bucket, exemplar: null },
        { labels: {}, sharedLabels, value: series.sum, metricName: `${this.name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels, value: series.count, metricName: `${this.name}_count`, exemplar: undefined },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** JSON form (registry.getMetricsAsJSON): the queue label folded into each value's labels. */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...value }) => ({
        ...value,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }

  reset(): void {
    this.series.clear();
  }
}

export class QueueSeries {
  /** Observations per bucket (not cumulative); those above the last bound count in `count` only. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly queue: string,
    private readonly upperBounds: readonly number[],
  ) {
    this.counts = new Float64Array(upperBounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    if (i < bounds.length) this.counts[i] += 1;
    this.sum += value;
    this.count += 1;
  }
}

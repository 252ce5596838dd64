import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Activity } from '../api/types';
import { formatNumber } from '../format';

/**
 * Completed, failed and retried per minute over the last `minutes`, from `GET /v1/activity`
 * (counted by the database, so every recorder draws the same chart). Minutes the API leaves out
 * had nothing: they are drawn as zero. The chart is created once and given new data on each poll;
 * it follows its container's width. `compact` draws a sparkline for a queue card: no axes, legend
 * or cursor, and no test id (the page's big chart keeps `activity-chart`).
 */
const SERIES = [
  { key: 'completed', label: 'completed', stroke: '#1a7f37' },
  { key: 'failed', label: 'failed', stroke: '#cf222e' },
  { key: 'retried', label: 'retried', stroke: '#9a6700' },
] as const;

const SIZES = {
  full: { height: 180, minWidth: 200 },
  compact: { height: 48, minWidth: 80 },
};

/**
 * The chart's data: one point per minute from the server's `since` (the first minute counted, a
 * whole minute), so the browser's clock, right or not, neither shifts nor drops a minute. Until the
 * first answer there is nothing to place.
 */
export function perMinute(activity: Activity | undefined, minutes: number, queue?: string) {
  const start = activity ? Math.floor(Date.parse(activity.since) / 60_000) * 60 : NaN; // seconds
  const length = Number.isFinite(start) ? minutes : 0;
  const xs = Array.from({ length }, (_, i) => start + i * 60);
  const ys = SERIES.map(() => new Array<number>(length).fill(0));
  for (const row of activity?.minutes ?? []) {
    if (queue !== undefined && row.queue !== queue) continue;
    const at = (Math.floor(Date.parse(row.minute) / 60_000) * 60 - start) / 60;
    if (!Number.isInteger(at) || at < 0 || at >= length) continue;
    SERIES.forEach((series, i) => (ys[i][at] += row[series.key]));
  }
  return { data: [xs, ...ys] as uPlot.AlignedData, totals: ys.map((y) => y.reduce((a, b) => a + b, 0)) };
}

function optionsFor(compact: boolean, width: number): uPlot.Options {
  const size = compact ? SIZES.compact : SIZES.full;
  const series: uPlot.Series[] = [
    {},
    ...SERIES.map((one) => ({
      label: one.label,
      stroke: one.stroke,
      width: compact ? 1.5 : 2,
      points: { show: false },
    })),
  ];
  const yRange: uPlot.Scale.Range = (_u, _min, max) => [0, Math.max(max, 1)];
  if (compact) {
    return {
      width,
      height: size.height,
      scales: { x: { time: true }, y: { range: yRange } },
      series,
      axes: [{ show: false }, { show: false }],
      legend: { show: false },
      cursor: { show: false },
      padding: [4, 2, 4, 2],
    };
  }
  return {
    width,
    height: size.height,
    scales: { x: { time: true }, y: { range: yRange } },
    series,
    axes: [{}, { size: 44 }],
    cursor: { drag: { x: false, y: false } },
  };
}

export function ActivityChart({
  activity,
  minutes = 60,
  queue,
  compact = false,
}: {
  activity: Activity | undefined;
  minutes?: number;
  /** Only this queue's rows (the answer may cover every queue). */
  queue?: string;
  compact?: boolean;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { data, totals } = useMemo(() => perMinute(activity, minutes, queue), [activity, minutes, queue]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const size = compact ? SIZES.compact : SIZES.full;
    const width = () => Math.max(element.clientWidth, size.minWidth);
    plot.current = new uPlot(optionsFor(compact, width()), data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: size.height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [compact]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const summary = SERIES.map((series, i) => `${formatNumber(totals[i])} ${series.label}`).join(', ');
  const label = `Per minute, last ${minutes} minutes${queue ? ` in ${queue}` : ''}: ${summary}`;
  return (
    <figure class={compact ? 'chart compact' : 'chart'}>
      <div ref={container} data-testid={compact ? undefined : 'activity-chart'} role="img" aria-label={label} />
      <figcaption class="muted small">
        {compact
          ? `Last ${minutes} min: ${summary}.`
          : `Last ${minutes} minutes${queue ? ` in ${queue}` : ', every queue'}: ${summary}.`}
      </figcaption>
    </figure>
  );
}

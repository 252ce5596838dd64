import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Activity } from '../api/types';
import { formatNumber } from '../format';

/**
 * Completed, failed and retried per minute over the last `minutes`, from `GET /v1/activity`
 * (counted by the database, so every recorder draws the same chart). Minutes the API leaves out
 * had nothing: they are drawn as zero. The chart is created once and given new data on each poll;
 * it follows its container's width.
 */
const SERIES = [
  { key: 'completed', label: 'completed', stroke: '#1a7f37' },
  { key: 'failed', label: 'failed', stroke: '#cf222e' },
  { key: 'retried', label: 'retried', stroke: '#9a6700' },
] as const;

const HEIGHT = 180;

export function perMinute(activity: Activity | undefined, minutes: number, queue?: string, now = Date.now()) {
  const end = Math.floor(now / 60_000) * 60; // this minute, in seconds
  const xs = Array.from({ length: minutes }, (_, i) => end - (minutes - 1 - i) * 60);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = SERIES.map(() => new Array<number>(minutes).fill(0));
  for (const row of activity?.minutes ?? []) {
    if (queue !== undefined && row.queue !== queue) continue;
    const at = index.get(Math.floor(Date.parse(row.minute) / 60_000) * 60);
    if (at === undefined) continue;
    SERIES.forEach((series, i) => (ys[i][at] += row[series.key]));
  }
  return { data: [xs, ...ys] as uPlot.AlignedData, totals: ys.map((y) => y.reduce((a, b) => a + b, 0)) };
}

export function ActivityChart({
  activity,
  minutes = 60,
  queue,
}: {
  activity: Activity | undefined;
  minutes?: number;
  queue?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { data, totals } = useMemo(() => perMinute(activity, minutes, queue), [activity, minutes, queue]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: HEIGHT,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 1)] } },
      series: [
        {},
        ...SERIES.map((series) => ({ label: series.label, stroke: series.stroke, width: 2, points: { show: false } })),
      ],
      axes: [{}, { size: 44 }],
      cursor: { drag: { x: false, y: false } },
    };
    plot.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(element.clientWidth, 200), height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const summary = SERIES.map((series, i) => `${formatNumber(totals[i])} ${series.label}`).join(', ');
  return (
    <figure class="chart">
      <div
        ref={container}
        data-testid="activity-chart"
        role="img"
        aria-label={`Per minute, last ${minutes} minutes: ${summary}`}
      />
      <figcaption class="muted small">
        Last {minutes} minutes{queue ? ` in ${queue}` : ', every queue'}: {summary}.
      </figcaption>
    </figure>
  );
}

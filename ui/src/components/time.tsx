import { formatAbsolute, formatRelative } from '../format';

/**
 * Every time on the dashboard: relative and absolute in the viewer's zone, the UTC ISO text on
 * hover and in `datetime`. Re-rendered with each poll, so "5 s ago" moves on.
 */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">never</span>;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span>{iso}</span>;
  const utc = date.toISOString();
  return (
    <time dateTime={utc} title={utc}>
      {formatRelative(date)} ({formatAbsolute(date)})
    </time>
  );
}

import { offsetAt, wallTimeAt } from '../cron/zone-time.js';
import { formatDuration } from '../duration.js';
import type { CronEntryResource } from '../recorder/schemas/cron.schema.js';
import type { CronEntryDetail } from './backend.js';
import { shortTime } from './format-task.js';
import { renderFields, renderTable, type Column } from './table.js';

/**
 * How cron entries read in a terminal (`--json` prints the API's resources instead). A fire time
 * is shown in UTC and, where the entry's zone is not UTC, as the wall time in that zone, which is
 * what the schedule is written in.
 */

/** `2026-03-29T03:30:00+02:00`: the wall time in `zone` at the instant, with the zone's offset then. */
export function formatInZone(at: Date | string, zone: string): string {
  const instant = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const wall = new Date(wallTimeAt(zone, instant)).toISOString().slice(0, 19);
  const offsetMinutes = Math.round(offsetAt(zone, instant) / 60_000);
  if (offsetMinutes === 0) return `${wall}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A fire time in UTC, followed by the entry's local time when its zone is not UTC. */
export function fireTimeLine(at: string, zone: string): string {
  const utc = shortTime(at) ?? at;
  const local = formatInZone(at, zone);
  return local === utc ? utc : `${utc}  (${local} ${zone})`;
}

const CRON_COLUMNS: Column<CronEntryResource>[] = [
  { header: 'NAME', value: (e) => e.name },
  { header: 'SOURCE', value: (e) => e.source },
  { header: 'STATUS', value: (e) => e.status },
  { header: 'SCHEDULE', value: (e) => e.schedule, maxWidth: 30 },
  { header: 'TIMEZONE', value: (e) => e.timezone },
  { header: 'QUEUE', value: (e) => e.queue },
  { header: 'NEXT FIRE', value: (e) => shortTime(e.nextFireTimes[0] ?? null) },
  { header: 'LAST FIRE', value: (e) => shortTime(e.lastFireAt) },
  { header: 'LAST TASK STATE', value: (e) => e.lastTaskState },
];

export function formatCronEntries(entries: readonly CronEntryResource[]): string {
  if (entries.length === 0) return 'no cron entries';
  return renderTable(CRON_COLUMNS, entries);
}

function bodyText(entry: CronEntryResource): string | null {
  if (entry.body === null || entry.body === undefined) return null;
  const text = JSON.stringify(entry.body);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export function formatCronDetail({ entry, runs }: CronEntryDetail): string {
  const headers = Object.entries(entry.headers).map(([name, value]) => `${name}: ${value}`);
  const fields: [string, string | number | null][] = [
    ['name', entry.name],
    ['source', entry.source],
    ['status', entry.status],
    ['schedule', entry.schedule],
    ['timezone', entry.timezone],
    ['queue', entry.queue],
    ['request', `${entry.method} ${entry.path || '/'}`],
    ['headers', headers.length ? headers.join(', ') : null],
    ['body', bodyText(entry)],
    ['max attempts', entry.maxAttempts],
    ['timeout', entry.timeoutMs === null ? null : formatDuration(entry.timeoutMs)],
    ['catch up', entry.catchUp],
    ['overlap', entry.overlap],
    ['last fire', entry.lastFireAt === null ? null : fireTimeLine(entry.lastFireAt, entry.timezone)],
    ['last task', entry.lastTaskId === null ? null : `${entry.lastTaskId} (${entry.lastTaskState ?? 'pruned'})`],
    ['created', shortTime(entry.createdAt)],
    ['updated', shortTime(entry.updatedAt)],
  ];
  const next =
    entry.nextFireTimes.length === 0
      ? `none (${entry.status})`
      : entry.nextFireTimes.map((at) => fireTimeLine(at, entry.timezone)).join('\n');
  const table =
    runs.length === 0
      ? 'no runs yet'
      : renderTable(
          [
            { header: 'FIRE TIME', value: (r) => shortTime(r.fireAt) },
            { header: 'KIND', value: (r) => r.kind },
            { header: 'OUTCOME', value: (r) => r.outcome },
            { header: 'TASK', value: (r) => r.taskId },
            { header: 'STATE', value: (r) => r.taskState },
            { header: 'FINISHED', value: (r) => shortTime(r.finalizedAt) },
          ],
          runs,
        );
  return `${renderFields(fields)}\n\nnext fire times\n${next}\n\nrecent runs\n${table}`;
}

import { formatRelative } from '../format';

/**
 * A cron time in two zones: the viewer's (where they read it) and the entry's (where its schedule
 * is read: "02:30 in Europe/London" is what the definition says). Times the API gives are UTC.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

/** The viewer's zone, as the browser names it. */
export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';

/** "12 Jan 2026, 02:30:00 GMT" in the zone; the viewer's when the zone is unknown to this browser. */
export function formatInZone(date: Date, zone: string): string {
  let format = formats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long', timeZone: zone });
    } catch {
      format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
    }
    formats.set(zone, format);
  }
  return format.format(date);
}

/** What hovering a cron time shows: both zones and the UTC instant. */
export function zonesTitle(date: Date, zone: string): string {
  const mine = browserZone();
  return [
    `Your time (${mine}): ${formatInZone(date, mine)}`,
    `Entry's zone (${zone}): ${formatInZone(date, zone)}`,
    `UTC: ${date.toISOString()}`,
  ].join('\n');
}

/**
 * Relative text ("in 5 hr"), both zones on hover; `full` also writes both out (the entry page's
 * next fire times, where there is room and a phone cannot hover).
 */
export function CronTime({ iso, zone, full = false }: { iso: string | null; zone: string; full?: boolean }) {
  if (!iso) return <span class="muted">never</span>;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span>{iso}</span>;
  const mine = browserZone();
  return (
    <time dateTime={date.toISOString()} title={zonesTitle(date, zone)}>
      {formatRelative(date)}
      {full ? (
        <span class="zones">
          <span>{formatInZone(date, mine)}</span>
          {zone !== mine ? (
            <span class="muted">
              {formatInZone(date, zone)} in {zone}
            </span>
          ) : null}
        </span>
      ) : null}
    </time>
  );
}

/**
 * Instants and local wall-clock time in an IANA time zone, with Intl as the only source of zone
 * data. A wall time is written as a "naive" millisecond number: the UTC milliseconds of the same
 * calendar fields (wall 2026-03-29 02:30 is Date.UTC(2026, 2, 29, 2, 30)), so wall = instant + offset.
 *
 * Cron matching needs to know where the offset changes (gaps and folds). Intl answers only "what is
 * the wall time at this instant", so the changes of each zone are found once per calendar year by
 * probing and kept: after that, every question is arithmetic on a short sorted list.
 */

const SECOND = 1_000;
const HOUR = 3_600_000;
/**
 * How far apart the offset probes are. Two changes closer than this that cancel each other out
 * would go unseen; real zones change offset weeks or months apart, and a finer step only costs
 * time on the first use of each zone and year (1,460 probes a year at 6 hours).
 */
const PROBE_STEP = 6 * HOUR;

/** One change of a zone's UTC offset: from `at` (an instant, whole seconds) the offset is `after`. */
export interface OffsetTransition {
  readonly at: number;
  /** Offsets in milliseconds, wall time minus instant (+01:00 is 3 600 000). */
  readonly before: number;
  readonly after: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

const canonicalNames = new Map<string, string>();

/**
 * The zone's canonical name as Intl resolves it ("europe/london" → "Europe/London", "US/Eastern"
 * → "America/New_York"), or null when Intl does not know it. UTC offsets such as "+02:00" are not
 * zone names: newer Node versions accept them, Node 20 does not, so they are refused everywhere.
 */
export function canonicalTimeZone(name: string): string | null {
  const known = canonicalNames.get(name);
  if (known) return known;
  if (!/^[A-Za-z]/.test(name)) return null;
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Building a DateTimeFormat costs tens of µs; valid spellings are few, and the bound keeps a
    // caller inventing upper/lower-case variants from growing the cache without end.
    if (canonicalNames.size < 1_000) canonicalNames.set(name, canonical);
    return canonical;
  } catch {
    return null;
  }
}

// "3/29/2026, 02:30:00" from the en-US formatter above: parsing the string is about three times
// faster than formatToParts, and the probing below makes many calls.
const FORMATTED = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

/** The wall time (naive ms, whole seconds) at an instant; milliseconds of the instant are dropped. */
export function wallTimeAt(zone: string, instant: number): number {
  if (zone === 'UTC') return Math.floor(instant / SECOND) * SECOND;
  const text = formatterFor(zone).format(instant);
  const match = FORMATTED.exec(text);
  if (match) {
    const [, month, day, year, hour, minute, second] = match.map(Number);
    return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  return wallTimeFromParts(zone, instant);
}

/** The slow, locale-proof path, should an ICU version format the string differently. */
function wallTimeFromParts(zone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) fields[part.type] = Number(part.value);
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
}

/** The offset Intl gives at an instant: wall time minus instant, in milliseconds. */
function intlOffset(zone: string, instant: number): number {
  return wallTimeAt(zone, instant) - Math.floor(instant / SECOND) * SECOND;
}

/** One UTC calendar year of a zone: its offset as the year starts, and its changes in order. */
interface ZoneYear {
  readonly startOffset: number;
  /** The changes with `at` in (1 Jan `year` 00:00Z, 1 Jan `year + 1` 00:00Z]. */
  readonly transitions: readonly OffsetTransition[];
}

const zoneYears = new Map<string, Map<number, ZoneYear>>();

function zoneYear(zone: string, year: number): ZoneYear {
  let years = zoneYears.get(zone);
  if (!years) zoneYears.set(zone, (years = new Map()));
  let known = years.get(year);
  if (!known) years.set(year, (known = probeYear(zone, year)));
  return known;
}

function probeYear(zone: string, year: number): ZoneYear {
  const transitions: OffsetTransition[] = [];
  const end = Date.UTC(year + 1, 0, 1);
  let previous = Date.UTC(year, 0, 1);
  let previousOffset = intlOffset(zone, previous);
  const startOffset = previousOffset;
  while (previous < end) {
    const probe = Math.min(previous + PROBE_STEP, end);
    const offset = intlOffset(zone, probe);
    if (offset !== previousOffset) transitions.push(locateTransition(zone, previous, previousOffset, probe));
    previous = probe;
    previousOffset = offset;
  }
  return { startOffset, transitions };
}

/** Bisects to the second: `low` has offset `before`, `high` does not. */
function locateTransition(zone: string, low: number, before: number, high: number): OffsetTransition {
  while (high - low > SECOND) {
    const middle = low + Math.floor((high - low) / (2 * SECOND)) * SECOND;
    if (intlOffset(zone, middle) === before) low = middle;
    else high = middle;
  }
  return { at: high, before, after: intlOffset(zone, high) };
}

const utcYear = (instant: number) => new Date(instant).getUTCFullYear();

/** The zone's UTC offset in milliseconds at an instant (wall time minus instant), from the year's table. */
export function offsetAt(zone: string, instant: number): number {
  if (zone === 'UTC') return 0;
  const year = zoneYear(zone, utcYear(instant));
  let offset = year.startOffset;
  for (const transition of year.transitions) {
    if (transition.at > instant) break;
    offset = transition.after;
  }
  return offset;
}

/** The zone's offset changes with `at` in (from, to], in order. */
export function transitionsBetween(zone: string, from: number, to: number): OffsetTransition[] {
  if (zone === 'UTC' || to <= from) return [];
  const result: OffsetTransition[] = [];
  for (let year = utcYear(from), last = utcYear(to); year <= last; year++) {
    for (const transition of zoneYear(zone, year).transitions) {
      if (transition.at > from && transition.at <= to) result.push(transition);
    }
  }
  return result;
}

/** The first offset change with `at` in (from, to], or null: stops at the first year that has one. */
export function firstTransitionBetween(zone: string, from: number, to: number): OffsetTransition | null {
  if (zone === 'UTC' || to <= from) return null;
  for (let year = utcYear(from), last = utcYear(to); year <= last; year++) {
    for (const transition of zoneYear(zone, year).transitions) {
      if (transition.at > to) return null;
      if (transition.at > from) return transition;
    }
  }
  return null;
}

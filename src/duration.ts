/**
 * Human durations: "500ms", "30s", "10m", "1h", "2d", or a bare number.
 * What a bare number means differs by surface: milliseconds in config, seconds in the HTTP API
 * (and the client SDK, which speaks it), so callers say which unit a bare number carries. Both
 * surfaces take the same strings, which mean the same everywhere: the documented advice is to
 * always write a unit.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/** Returns milliseconds, or undefined when the input is not a duration. */
export function parseDuration(value: unknown, bareUnit: DurationUnit = 'ms'): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * UNIT_MS[bareUnit]) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * UNIT_MS[bareUnit]);
  const match = PATTERN.exec(value);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as DurationUnit]);
}

/** The shortest exact rendering, for messages and redacted config output: 120000 → "2m". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * For a duration the API refused as too long: when it was a bare number, say it was read as
 * seconds, since a caller who thinks in milliseconds (config, setTimeout) wrote 1000 times too much.
 */
export function bareSecondsHint(value: unknown): string {
  const bare = typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(value));
  return bare ? ` (a bare number is seconds; write "${String(value).trim()}ms" if you meant milliseconds)` : '';
}

/**
 * The configuration's guard against the API's unit: a bare number there is milliseconds, so `30`
 * is 30 ms, almost always written by someone who meant 30 seconds (the API reads bare numbers as
 * seconds). A bare number from 1 to 999 is refused with both spellings offered; 0 and numbers of
 * 1,000 and more keep their meaning, and every duration with a unit is taken as written.
 */
export function bareMillisecondsProblem(value: unknown): string | null {
  const bare =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(value)
        ? Number(value)
        : null;
  if (bare === null || bare === 0 || bare >= 1000) return null;
  return `expected a duration with its unit (a bare number is milliseconds in configuration, so ${bare} would be ${bare} ms): write "${bare}s" for seconds, or "${bare}ms" if you meant milliseconds`;
}

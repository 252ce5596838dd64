/**
 * Human durations: "500ms", "30s", "10m", "1h", "2d", or a bare number.
 * What a bare number means differs by surface: milliseconds in config, seconds in the HTTP API,
 * so callers say which unit a bare number carries.
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

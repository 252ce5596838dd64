/**
 * Human durations: "500ms", "30s", "10m", "1h", "2d", or a bare number.
 * What a bare number means differs by surface: milliseconds in config, seconds in the HTTP API
 * (and the client SDK, which speaks it), so callers say which unit a bare number carries. Both
 * surfaces take the same strings, which mean the same everywhere: the documented advice is to
 * always write a unit.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

// Spaces and tabs only around the parts (spec 12.2): JavaScript's \s would also take U+00A0 and U+FEFF,
// which other languages' parsers would not.
const PATTERN = /^[ \t]*(\d+(?:\.\d+)?)[ \t]*(ms|s|m|h|d)[ \t]*$/;
const BARE = /^[ \t]*(\d+(?:\.\d+)?)[ \t]*$/;

/**
 * Returns milliseconds, or undefined when the input is not a duration (or its milliseconds are
 * beyond 2^53 - 1, where integers stop being exact in JSON readers). The result is the exact
 * decimal value times the unit, rounded half up (spec/vectors/durations.json): multiplying doubles
 * would read "0.5005s" as 500.49999999999994 ms and round it down.
 */
export function parseDuration(value: unknown, bareUnit: DurationUnit = 'ms'): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? exactMs(plainDecimal(value), UNIT_MS[bareUnit]) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const bare = BARE.exec(value);
  if (bare) return exactMs(bare[1], UNIT_MS[bareUnit]);
  const match = PATTERN.exec(value);
  if (!match) return undefined;
  return exactMs(match[1], UNIT_MS[match[2] as DurationUnit]);
}

/** `digits[.digits]` times unitMs, rounded half up, in integers: no double ever holds a fraction. */
function exactMs(decimal: string, unitMs: number): number | undefined {
  const [whole, fraction = ''] = decimal.split('.');
  // The common case, "30s" or "1500": a whole number well inside the exact range of a double.
  if (fraction === '' && whole.length <= 7) return Number(whole) * unitMs; // < 2^53 even in days
  const scaled = BigInt(whole + fraction) * BigInt(unitMs);
  const divisor = 10n ** BigInt(fraction.length);
  const ms = (2n * scaled + divisor) / (2n * divisor); // floor(scaled / divisor + 1/2)
  return ms <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ms) : undefined;
}

/** A number as the decimal its shortest round-trip text spells (1e-7 → "0.0000001"), never an exponent. */
function plainDecimal(value: number): string {
  const [mantissa, exponent = '0'] = String(value).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
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
  const bare = typeof value === 'number' || (typeof value === 'string' && BARE.test(value));
  return bare ? ` (a bare number is seconds; write "${String(value).trim()}ms" if you meant milliseconds)` : '';
}

/**
 * The configuration's guard against the API's unit: a bare number there is milliseconds, so `30`
 * is 30 ms, almost always written by someone who meant 30 seconds (the API reads bare numbers as
 * seconds). A bare number from 1 to 999 is refused with both spellings offered; 0 and numbers of
 * 1,000 and more keep their meaning, and every duration with a unit is taken as written.
 */
export function bareMillisecondsProblem(value: unknown): string | null {
  const bare = typeof value === 'number' ? value : typeof value === 'string' && BARE.test(value) ? Number(value) : null;
  if (bare === null || bare === 0 || bare >= 1000) return null;
  return `expected a duration with its unit (a bare number is milliseconds in configuration, so ${bare} would be ${bare} ms): write "${bare}s" for seconds, or "${bare}ms" if you meant milliseconds`;
}

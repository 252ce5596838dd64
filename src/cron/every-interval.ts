/**
 * The `@every <duration>` schedule: fixed elapsed time, no calendar and no time zone. Fire times
 * are the whole multiples of the interval since 1970-01-01T00:00:00Z, so any scheduler (or a
 * restarted one) computes the same times from the interval alone, with no state.
 *
 * The duration is one or more `<integer><unit>` groups, units `d h m s` in that order and each at
 * most once ("1h30m", "90s", "1d12h"), totalling 1 s to 366 d. src/duration.ts is not reused: it
 * reads one group with decimals and milliseconds, where this grammar must stay whole seconds.
 */

const SECOND = 1_000;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: SECOND } as const;
export const EVERY_MIN_MS = SECOND;
export const EVERY_MAX_MS = 366 * UNIT_MS.d;

const EVERY = /^@every\s+(.+)$/i;
// Lower-case units only: an "M" would read as months to some people.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export const EVERY_RULE = 'expected @every with a duration of 1s to 366d in whole seconds, like "@every 10m"';

/** True for text that means to be an @every schedule, right or wrong. */
export function isEveryExpression(expression: string): boolean {
  return /^@every(\s|$)/i.test(expression);
}

/** The interval in milliseconds, or null when the text is not a valid @every schedule. */
export function parseEveryInterval(expression: string): number | null {
  const duration = EVERY.exec(expression)?.[1];
  const groups = duration === undefined ? null : DURATION.exec(duration);
  if (!groups || groups.slice(1).every((group) => group === undefined)) return null;
  const [, days, hours, minutes, seconds] = groups.map((group) => Number(group ?? 0));
  const total = days * UNIT_MS.d + hours * UNIT_MS.h + minutes * UNIT_MS.m + seconds * UNIT_MS.s;
  return total >= EVERY_MIN_MS && total <= EVERY_MAX_MS ? total : null;
}

/** The first multiple of the interval strictly after `after` (which may carry milliseconds). */
export function nextEveryInstant(intervalMs: number, after: number): number {
  return (Math.floor(after / intervalMs) + 1) * intervalMs;
}

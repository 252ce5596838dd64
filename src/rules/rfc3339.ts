/**
 * RFC 3339 date-times (`2025-01-31T12:00:00Z`, `2025-01-31T13:00:00.5+01:00`): the pattern, plus a
 * calendar check, because Date.parse quietly turns February 30 into March 1.
 */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch, or undefined when the text is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // A leap second (:60) is valid RFC 3339; JavaScript time has none, so it is read as the next second.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  if (match[9] !== undefined && (Number(match[9]) > 23 || Number(match[10]) > 59)) return undefined;
  const ms = Date.parse(text.replace(/:60(?=[.Zz+-])/, ':59'));
  const time = second === 60 ? ms + 1000 : ms;
  // An offset or a leap second can carry year 0000 or 9999 across the edge of what
  // formatRfc3339 can write back as RFC 3339 (toISOString gives "-000001-..." or "+010000-...").
  return Number.isNaN(time) || time < FIRST_MS || time > LAST_MS ? undefined : time;
}

const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** By the Gregorian rule; Date.UTC would read years 0-99 as 1900-1999 (1900 has no February 29, 0 has). */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

// Batches share their times (a batch's tasks are created, claimed and started at one instant):
// the last one formatted is kept, so a batch of 1,000 formats each distinct time once.
let lastTime = NaN;
let lastText = '';

/** `date.toISOString()` (RFC 3339, UTC, milliseconds), remembering the last time formatted. */
export function formatRfc3339(date: Date): string {
  const time = date.getTime();
  if (time !== lastTime) {
    lastText = date.toISOString(); // throws RangeError on an invalid date, as toISOString does
    lastTime = time;
  }
  return lastText;
}

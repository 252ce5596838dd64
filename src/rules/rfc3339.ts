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
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  // A leap second (:60) is valid RFC 3339; JavaScript time has none, so it is read as the next second.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  if (match[9] !== undefined && (Number(match[9]) > 23 || Number(match[10]) > 59)) return undefined;
  const ms = Date.parse(text.replace(/:60(?=[.Zz+-])/, ':59'));
  if (Number.isNaN(ms)) return undefined;
  return second === 60 ? ms + 1000 : ms;
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

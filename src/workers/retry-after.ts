/**
 * Parses a Retry-After header (RFC 9110 §10.2.3) into a delay in ms from `nowMs`.
 * Accepts delta-seconds and the three HTTP-date forms recipients must accept. Returns null when
 * the header is absent or unparseable (`9e12` is not delta-seconds); a negative delay or a date in
 * the past gives 0; delta-seconds too large to count in milliseconds give MAX_RETRY_AFTER_MS. The
 * caller caps every value at its strategy's maximum delay, so none becomes an invalid Date.
 */
export const MAX_RETRY_AFTER_MS = Number.MAX_SAFE_INTEGER;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// Sun, 06 Nov 1994 08:49:37 GMT (IMF-fixdate, the only form senders may generate)
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
// Sunday, 06-Nov-94 08:49:37 GMT (obsolete RFC 850)
const RFC_850 = /^[a-z]+, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
// Sun Nov  6 08:49:37 1994 (obsolete asctime; always UTC, unlike Date.parse's reading of it)
const ASCTIME = /^[a-z]{3} ([a-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

export function parseRetryAfter(
  value: string | string[] | null | undefined,
  nowMs: number = Date.now(),
): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw == null) return null;
  const text = raw.trim();
  if (text === '') return null;

  // RFC grammar is 1*DIGIT; a leading minus is tolerated and clamped rather than rejected.
  if (/^-?\d+$/.test(text)) {
    const seconds = Number(text);
    if (seconds <= 0) return 0;
    // "Come back much later" stays a long wait, not an ignored header that the backoff then shortens.
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : MAX_RETRY_AFTER_MS;
  }
  const dateMs = parseHttpDate(text, nowMs);
  return dateMs === null ? null : Math.max(0, dateMs - nowMs);
}

/** Strict HTTP-date parser: Date.parse would accept garbage like "foo 2" and read asctime as local time. */
export function parseHttpDate(text: string, nowMs: number = Date.now()): number | null {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2], m[1], m[4], m[5], m[6]);
  m = RFC_850.exec(text);
  if (m) {
    // Two-digit years: a year more than 50 years in the future means the previous century.
    const currentYear = new Date(nowMs).getUTCFullYear();
    let year = 2000 + Number(m[3]);
    if (year > currentYear + 50) year -= 100;
    return utc(year, m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME.exec(text);
  if (m) return utc(Number(m[6]), m[1], m[2], m[3], m[4], m[5]);
  return null;
}

function utc(year: number, month: string, day: string, h: string, min: string, s: string): number | null {
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const [d, hh, mm, ss] = [Number(day), Number(h), Number(min), Number(s)];
  if (monthIndex < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  // Date.UTC would roll February 30 over to March 2: a date that does not exist is no date.
  if (new Date(Date.UTC(year, monthIndex, d)).getUTCDate() !== d) return null;
  const ms = Date.UTC(year, monthIndex, d, hh, mm, ss);
  return Number.isFinite(ms) ? ms : null;
}

import type { ErrorDetail } from '../errors.js';
import { joinPath, NUMBER_ADVICE } from './json-safety.js';

/**
 * What the parsed value cannot show, found in the request text itself: numbers that would not
 * reach the target as written, and keys written twice in one object.
 *
 * Numbers. A JSON body is parsed into IEEE doubles and sent as `JSON.stringify` writes them back,
 * so a number survives only when the decimal it was written as equals the decimal written back:
 * `1e400` would become null, `9007199254740993` and `0.1000000000000000055511` would be rounded.
 * Such a number is refused (400, naming its path), never changed quietly. Spellings of the same
 * value pass (`1.0` is sent as `1`, `1E2` as `100`, `-0` as `0`): the value a JSON reader sees is
 * unchanged.
 *
 * Duplicate keys. `JSON.parse` keeps the last of `{"dryRun": true, "dryRun": false}`; a proxy or
 * a log reader may keep the first, so the two would disagree on what was asked. RFC 8259 leaves the
 * meaning open, so a duplicate is refused (400, naming it). Keys are compared as decoded text
 * (`"a"` and `"\u0061"` are the same key).
 *
 * JSON.parse does not keep the source text (Node 20 has no reviver `context.source`), so this scans
 * the text: one pass, strings skipped with indexOf, a key decoded only when it holds an escape, the
 * JSON path built only for what it refuses. The text must already have parsed as JSON.
 */
export function findJsonTextProblem(text: string): ErrorDetail | null {
  // Only a number with a fraction, an exponent or more than 15 digits can be inexact: every integer
  // of up to 15 digits is below 2^53. Most bodies have none, and skip the number check.
  const checkNumbers = MAYBE_INEXACT.test(text);
  // The open containers, as parallel stacks: for an array, the index of the current element; for
  // an object, where the current member's key is in the text, and the keys seen (made on the second).
  const isArray: boolean[] = [];
  const indexes: number[] = [];
  const keyStarts: number[] = [];
  const keyEnds: number[] = [];
  const seenKeys: (Set<string> | string | null)[] = [];
  let lastStringStart = -1;
  let lastStringEnd = -1;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      lastStringStart = i;
      lastStringEnd = end;
      i = end;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = numberEnd(text, i);
      if (checkNumbers && !isExact(text, i, end)) {
        const token = text.slice(i, end);
        const shown = token.length > 40 ? `${token.slice(0, 37)}...` : token;
        return {
          path: pathAt(text, isArray, indexes, keyStarts, keyEnds),
          message: `the number ${shown} cannot be sent exactly (it would become ${written(token)}): ${NUMBER_ADVICE}`,
        };
      }
      i = end;
    } else {
      if (c === OPEN_BRACKET || c === OPEN_BRACE) {
        isArray.push(c === OPEN_BRACKET);
        indexes.push(0);
        keyStarts.push(-1);
        keyEnds.push(-1);
        seenKeys.push(null);
      } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
        isArray.pop();
        indexes.pop();
        keyStarts.pop();
        keyEnds.pop();
        seenKeys.pop();
      } else if (c === COMMA && isArray[isArray.length - 1]) {
        indexes[indexes.length - 1] += 1;
      } else if (c === COLON) {
        const top = keyStarts.length - 1;
        keyStarts[top] = lastStringStart;
        keyEnds[top] = lastStringEnd;
        const key = keyText(text, lastStringStart, lastStringEnd);
        const seen = seenKeys[top];
        // The first key is kept as a string; a Set is made only for an object with a second key.
        if (seen === null) seenKeys[top] = key;
        else if (typeof seen === 'string' ? seen === key : seen.has(key)) {
          return {
            path: pathAt(text, isArray, indexes, keyStarts, keyEnds),
            message: 'this key is given twice in one object: send each key once',
          };
        } else if (typeof seen === 'string') seenKeys[top] = new Set([seen, key]);
        else seen.add(key);
      }
      i += 1;
    }
  }
  return null;
}

/** A key's decoded text: its characters between the quotes, decoded only when it has an escape. */
function keyText(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  return inner.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : inner;
}

const MAYBE_INEXACT = /\d[.eE]|\d{16}/;
const [QUOTE, BACKSLASH, MINUS, ZERO, NINE, DOT] = ['"', '\\', '-', '0', '9', '.'].map((s) => s.charCodeAt(0));
const [OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE, COMMA, COLON] = ['[', ']', '{', '}', ',', ':'].map((s) =>
  s.charCodeAt(0),
);
/** Significant decimal digits every double keeps (DBL_DIG). */
const MAX_EXACT_DIGITS = 15;

/** The index just past the string token that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}

/** The index just past the number token that starts at `start`: `-? digits (. digits)? ([eE] [+-]? digits)?`. */
function numberEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (
      (c >= ZERO && c <= NINE) ||
      c === MINUS ||
      c === DOT ||
      c === 0x2b /* + */ ||
      c === 0x65 /* e */ ||
      c === 0x45 /* E */
    )
      i += 1;
    else break;
  }
  return i;
}

/**
 * Whether the number token at [start, end) survives parsing and writing back. A decimal of at most
 * 15 significant digits inside the normal range always does (15 digits is what a double keeps), and
 * is answered from the characters alone; any other is parsed and compared with what is written back.
 */
function isExact(text: string, start: number, end: number): boolean {
  let i = text.charCodeAt(start) === MINUS ? start + 1 : start;
  let firstSignificant = -1; // the digits' indexes in the token, the point skipped
  let lastSignificant = -1;
  let pointAt = -1; // how many digits come before the point
  let digits = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) pointAt = digits;
    else if (c >= ZERO && c <= NINE) {
      if (c !== ZERO) {
        if (firstSignificant === -1) firstSignificant = digits;
        lastSignificant = digits;
      }
      digits += 1;
    } else break; // the exponent
  }
  if (firstSignificant === -1) return true; // zero, however written
  let exponent = 0;
  if (i < end) {
    let j = i + 1;
    const negative = text.charCodeAt(j) === MINUS;
    if (negative || text.charCodeAt(j) === 0x2b /* + */) j += 1;
    for (; j < end && exponent < 1_000_000; j++) exponent = exponent * 10 + (text.charCodeAt(j) - ZERO);
    if (negative) exponent = -exponent;
  }
  // The power of ten of the first significant digit.
  const order = (pointAt === -1 ? digits : pointAt) - firstSignificant - 1 + exponent;
  if (lastSignificant - firstSignificant + 1 <= MAX_EXACT_DIGITS && order > -300 && order < 300) return true;
  const token = text.slice(start, end);
  const value = Number(token);
  return Number.isFinite(value) && sameDecimal(decimalOf(token), decimalOf(String(value)));
}

/** What `JSON.stringify` would send for the token. */
function written(token: string): string {
  return JSON.stringify(Number(token));
}

interface Decimal {
  negative: boolean;
  /** Significant digits, no leading or trailing zeros; "" for zero. */
  digits: string;
  /** The value is digits × 10^exponent. */
  exponent: number;
}

/** A JSON number or a JavaScript number's String() → its exact decimal value, normalised. */
function decimalOf(text: string): Decimal {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const fraction = match[3] ?? '';
  let digits = match[2] + fraction;
  let exponent = Number(match[4] ?? '0') - fraction.length;
  const first = digits.search(/[1-9]/);
  if (first === -1) return { negative: false, digits: '', exponent: 0 };
  digits = digits.slice(first);
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  return { negative: match[1] === '-', digits: trimmed, exponent };
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
  return a.digits === b.digits && (a.digits === '' || (a.negative === b.negative && a.exponent === b.exponent));
}

/** The JSON path of the value being scanned: array indexes and decoded object keys. */
function pathAt(text: string, isArray: boolean[], indexes: number[], keyStarts: number[], keyEnds: number[]): string {
  const path: (string | number)[] = [];
  for (let level = 0; level < isArray.length; level++) {
    path.push(isArray[level] ? indexes[level] : (JSON.parse(text.slice(keyStarts[level], keyEnds[level])) as string));
  }
  return joinPath(path);
}

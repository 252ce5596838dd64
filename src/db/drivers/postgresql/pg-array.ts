/**
 * PostgreSQL array literals (`{"a","b",NULL}`) for the settle's one-array-per-column parameters,
 * written here instead of by pg. pg's serializer sends every element, numbers and uuids included,
 * through two regular-expression replaces and a quoting concatenation; a settled batch is 17
 * arrays of one element per task, and that serializing was the scheduler main thread's largest
 * single cost in pg. Here a column is written with native joins: one scan tells whether any
 * element needs escaping (ids, states and outcomes never do), and only then is each element
 * written on its own. Elements are written the way PostgreSQL's array input reads them back
 * unchanged (PostgreSQL docs, "Array Value Input"). Bench: `node --import tsx bench/pg-array.ts`.
 */

const NEEDS_ESCAPE = /["\\]/;

/**
 * Text elements: each double-quoted (so NULL, empty, spaces, commas and braces read back as text),
 * `\` and `"` backslash-escaped; null is NULL.
 */
export function pgTextArray(values: readonly (string | null)[]): string {
  if (values.length === 0) return '{}';
  if (!hasNull(values) && !NEEDS_ESCAPE.test(values.join(','))) return `{"${values.join('","')}"}`;
  return `{${values.map(textElement).join(',')}}`;
}

/** null or undefined: pg wrote both as NULL, and a join would write either as an empty element. */
function hasNull(values: readonly unknown[]): boolean {
  return values.includes(null) || values.includes(undefined);
}

function textElement(value: string | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** Number elements, unquoted; null is NULL. A non-finite number is a bug upstream: no column here holds one. */
export function pgNumberArray(values: readonly (number | null)[]): string {
  let nulls = false;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) nulls = true;
    else if (!Number.isFinite(value)) throw new TypeError(`not a finite number: ${value}`);
  }
  if (!nulls) return `{${values.join(',')}}`;
  return `{${values.map((value) => (value === null || value === undefined ? 'NULL' : String(value))).join(',')}}`;
}

/** Bool elements, PostgreSQL's own spelling. */
export function pgBoolArray(values: readonly boolean[]): string {
  return `{${values.map((value) => (value ? 't' : 'f')).join(',')}}`;
}

/**
 * The dispatched bytes of a `body` (docs/spec.md 5.2): the JSON Canonicalization Scheme, RFC 8785.
 * Members of every object sorted by their names' UTF-16 code units, no whitespace, numbers as
 * ECMAScript writes them (the shortest text that parses back to the same double), strings with
 * only the escapes JSON requires. Why JCS: any language gets the same bytes from the same value
 * with its own JSON parser and a sort, so a body written through SQL (`dispatchr_enqueue()`), by
 * the recorder or by `enqueueWithin` is sent, and signed, as the same bytes.
 *
 * For the values the recorder accepts (no NUL, no unpaired surrogate, numbers that round-trip:
 * src/rules/json-safety.ts, json-text.ts), `JSON.stringify` already writes JCS strings and numbers;
 * only member order differs. Dependency-free: the client (`enqueueWithin`) imports it.
 */
export function canonicalJsonText(value: unknown): string {
  // Most bodies already list their members in order: then JSON.stringify is the whole job.
  // `as string`: like JSON.stringify, undefined for a value with no JSON form (callers check first).
  return (hasUnsortedObject(value, 0) ? writeSorted(value) : JSON.stringify(value)) as string;
}

function hasUnsortedObject(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Past any depth the writers accept (64), and for values JSON.stringify replaces (a Date's
  // toJSON), take the writer that sorts rather than guess.
  if (depth > 200 || typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (hasUnsortedObject(item, depth + 1)) return true;
    return false;
  }
  let previous: string | undefined;
  for (const key in value) {
    // `<` on strings compares UTF-16 code units, the order RFC 8785 section 3.2.3 prescribes.
    if (previous !== undefined && !(previous < key)) return true;
    previous = key;
    if (hasUnsortedObject((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * The slow path: JSON.stringify's rules (toJSON first; undefined, functions and symbols left out
 * of objects and written as null in arrays), with every object's members in sorted order.
 */
function writeSorted(input: unknown): string | undefined {
  const value =
    input !== null && typeof input === 'object' && typeof (input as { toJSON?: unknown }).toJSON === 'function'
      ? (input as { toJSON(): unknown }).toJSON()
      : input;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => writeSorted(item) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const text = writeSorted(record[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

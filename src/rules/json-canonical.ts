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
  return hasUnsortedObject(value, 0) ? writeSorted(value) : JSON.stringify(value);
}

function hasUnsortedObject(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null || depth > 200) return false;
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

/** The slow path: every object's members written in sorted order (integer-like names included). */
function writeSorted(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : writeSorted(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    members.push(`${JSON.stringify(key)}:${writeSorted(record[key])}`);
  }
  return `{${members.join(',')}}`;
}

import { describe, expect, it } from 'vitest';
import { canonicalJsonText } from '../../../src/rules/json-canonical.js';
import { findJsonProblem } from '../../../src/rules/json-safety.js';
import { findJsonTextProblem } from '../../../src/rules/json-text.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/json-canonical.json: the bytes a JSON `body` is dispatched as (RFC 8785), or null
 * when the recorder refuses the body (duplicate key, NUL, unpaired surrogate, a number that would
 * not be sent as written, depth over 64, `__proto__`).
 */
interface CanonicalCase {
  name: string;
  input: string;
  canonical: string | null;
}

const { cases } = loadVectors<CanonicalCase>('json-canonical.json', 25);

function canonical(input: string): string | null {
  const value: unknown = JSON.parse(input);
  if (findJsonTextProblem(input) !== null || findJsonProblem(value) !== null) return null;
  return canonicalJsonText(value);
}

describe('spec/vectors/json-canonical.json', () => {
  it.each(cases)('$name', (c) => {
    expect(canonical(c.input)).toBe(c.canonical);
    // Canonical text is a fixed point: canonicalizing it again changes nothing.
    if (c.canonical !== null) expect(canonical(c.canonical)).toBe(c.canonical);
  });
});

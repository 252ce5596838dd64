import { describe, expect, it } from 'vitest';
import { formatRfc3339, parseRfc3339 } from '../../../src/rules/rfc3339.js';
import { loadVectors } from './load-vectors.js';

/** spec/vectors/rfc3339.json: what parseRfc3339 accepts, written back as the API writes times. */
interface Rfc3339Case {
  name: string;
  input: string;
  expect: string | null;
}

const { cases } = loadVectors<Rfc3339Case>('rfc3339.json', 25);

describe('spec/vectors/rfc3339.json', () => {
  it.each(cases)('$name', (c) => {
    const ms = parseRfc3339(c.input);
    expect(ms === undefined ? null : formatRfc3339(new Date(ms))).toBe(c.expect);
  });
});

import { describe, expect, it } from 'vitest';
import { bareMillisecondsProblem, parseDuration } from '../../../src/duration.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/durations.json through the real parser: `api` reads a bare number as seconds;
 * `config` reads it as milliseconds and refuses a bare 1 to 999 (bareMillisecondsProblem).
 */
interface DurationCase {
  name: string;
  input: string | number;
  surface: 'api' | 'config';
  ms: number | null;
}

const { cases } = loadVectors<DurationCase>('durations.json', 25);

function run(c: DurationCase): number | null {
  if (c.surface === 'config') {
    if (bareMillisecondsProblem(c.input) !== null) return null;
    return parseDuration(c.input, 'ms') ?? null;
  }
  return parseDuration(c.input, 's') ?? null;
}

describe('spec/vectors/durations.json', () => {
  it.each(cases)('$name', (c) => {
    expect(['api', 'config']).toContain(c.surface);
    expect(run(c)).toBe(c.ms);
  });
});

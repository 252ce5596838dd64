import { describe, expect, it } from 'vitest';
import { headerProblem } from '../../../src/rules/task-headers.js';
import { taskHeadersSchema } from '../../../src/rules/task-headers.schema.js';
import { loadVectors } from './load-vectors.js';

/**
 * spec/vectors/headers.json: one header a task sets, stored under its lowercase name or refused;
 * and whole header objects (valid or not), for the rules that look at all the names at once.
 */
interface OneHeaderCase {
  name: string;
  header: string;
  value: string;
  stored: string | null;
}
interface HeaderObjectCase {
  name: string;
  headers: Record<string, string>;
  valid: boolean;
}

const { cases } = loadVectors<OneHeaderCase | HeaderObjectCase>('headers.json', 25);
const single = cases.filter((c): c is OneHeaderCase => 'header' in c);
const whole = cases.filter((c): c is HeaderObjectCase => 'headers' in c);

describe('spec/vectors/headers.json', () => {
  it('has only the two kinds of case', () => {
    expect(single.length + whole.length).toBe(cases.length);
  });

  it.each(single)('$name', (c) => {
    expect(headerProblem(c.header, c.value) === null ? c.header.toLowerCase() : null).toBe(c.stored);
    // A header refused alone makes any object holding it invalid too.
    expect(taskHeadersSchema().safeParse({ [c.header]: c.value }).success).toBe(c.stored !== null);
  });

  it.each(whole)('$name', (c) => {
    expect(taskHeadersSchema().safeParse(c.headers).success).toBe(c.valid);
  });
});

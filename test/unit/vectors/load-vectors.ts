import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Reads one file of spec/vectors (the language-neutral test vectors of issue 22) and checks the
 * shape every file shares, so a malformed or shrunken file fails the test that reads it rather
 * than quietly running fewer cases. Other implementations read the same files (spec/vectors/README.md).
 */
export interface VectorFile<Case> {
  category: string;
  spec: string;
  description: string;
  cases: Case[];
}

export function loadVectors<Case extends { name: string }>(
  file: string,
  minimumCases: number,
): VectorFile<Case> & Record<string, unknown> {
  const url = new URL(`../../../spec/vectors/${file}`, import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as VectorFile<Case> & Record<string, unknown>;
  expect(typeof parsed.category, `${file}: category`).toBe('string');
  expect(typeof parsed.spec, `${file}: spec`).toBe('string');
  expect(typeof parsed.description, `${file}: description`).toBe('string');
  expect(Array.isArray(parsed.cases), `${file}: cases`).toBe(true);
  expect(parsed.cases.length, `${file}: number of cases`).toBeGreaterThanOrEqual(minimumCases);
  expectUniqueNames(file, parsed.cases);
  return parsed;
}

/** Every case is named, and no two cases of a list share a name (reports point at a case by it). */
export function expectUniqueNames(file: string, cases: readonly { name: string }[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    expect(typeof c.name === 'string' && c.name.trim() !== '', `${file}: a case without a name`).toBe(true);
    expect(seen.has(c.name), `${file}: two cases named "${c.name}"`).toBe(false);
    seen.add(c.name);
  }
}

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The JSON safety check costs memory linear in the body, not in body × depth. The body: 62 levels
 * of arrays around one array of 500,000 numbers, 1 MB of JSON. A walk that copied the path for
 * every node held 500,000 paths of 62 entries at once (about 480 MB) and took seconds.
 *
 * Measured in a child process started with --expose-gc: after a full collection, the heap is read
 * before and after the checks, with no collection between them forced, so the difference counts
 * everything they kept alive and everything they allocated that was not yet collected.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const SCRIPT = `
const { findJsonProblem } = await import(${JSON.stringify(`${ROOT}src/rules/json-safety.ts`)});
const { findJsonTextProblem } = await import(${JSON.stringify(`${ROOT}src/rules/json-text.ts`)});
const results = {};
for (const [name, element] of [['integers', '0'], ['fractions', '0.5']]) {
  const text = '{"body":' + '['.repeat(62) + Array(Math.floor(1_000_000 / (element.length + 1))).fill(element).join(',') + ']'.repeat(62) + '}';
  const value = JSON.parse(text);
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const problem = findJsonProblem(value) ?? findJsonTextProblem(text);
  const after = process.memoryUsage().heapUsed;
  results[name] = { bytes: text.length, problem, heapGrowth: after - before };
}
process.stdout.write(JSON.stringify(results));
`;

describe('the JSON safety check on a 1 MB body of nested arrays', () => {
  it('raises the heap by less than 20 MB', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    const results = JSON.parse(child.stdout) as Record<string, { bytes: number; problem: unknown; heapGrowth: number }>;
    for (const [name, result] of Object.entries(results)) {
      expect(result.bytes, name).toBeGreaterThan(900_000);
      expect(result.problem, name).toBeNull(); // walked to the end: 63 levels, all numbers exact
      expect(result.heapGrowth, name).toBeLessThan(20 * 1024 * 1024);
    }
  });
});

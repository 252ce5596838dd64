import { describe, expect, it } from 'vitest';
import { findJsonProblem, MAX_JSON_DEPTH } from '../../../src/rules/json-safety.js';

/** findJsonProblem(value): depth, __proto__ and NUL, found without recursion. */
describe('findJsonProblem(value)', () => {
  const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    expect(findJsonProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(findJsonProblem(nested(MAX_JSON_DEPTH + 1))).toEqual({ path: '0.0.0', message: expect.stringContaining('64 levels') });
  });

  it('walks 500,000 levels (what fits in 1 MB) without overflowing the stack', () => {
    expect(findJsonProblem(nested(500_000))?.message).toContain('levels');
  });

  it('refuses "__proto__" keys anywhere, naming where', () => {
    expect(findJsonProblem(JSON.parse('{"a": [{"__proto__": 1}]}'))).toEqual({ path: 'a.0.__proto__', message: expect.any(String) });
    expect(findJsonProblem(JSON.parse('{"constructor": {"prototype": 1}}'))).toBeNull(); // plain own keys, harmless
  });

  it('refuses NUL in strings and keys', () => {
    expect(findJsonProblem({ a: { b: 'x\u0000' } })).toEqual({ path: 'a.b', message: expect.stringContaining('NUL') });
    expect(findJsonProblem({ 'k\u0000': 1 })?.message).toContain('keys');
    expect(findJsonProblem('\u0000')?.path).toBe('(root)');
    expect(findJsonProblem({ a: 'fine', b: [1, true, null, 'ok'] })).toBeNull();
  });
});

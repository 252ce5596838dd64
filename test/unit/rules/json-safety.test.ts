import { describe, expect, it } from 'vitest';
import { findJsonProblem, MAX_JSON_DEPTH } from '../../../src/rules/json-safety.js';

/** findJsonProblem(value): depth, __proto__ and NUL, found without recursion. */
describe('findJsonProblem(value)', () => {
  const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    expect(findJsonProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(findJsonProblem(nested(MAX_JSON_DEPTH + 1))).toEqual({
      path: '0.0.0',
      message: expect.stringContaining('64 levels'),
    });
  });

  it('walks 500,000 levels (what fits in 1 MB) without overflowing the stack', () => {
    expect(findJsonProblem(nested(500_000))?.message).toContain('levels');
  });

  it('refuses "__proto__" keys anywhere, naming where', () => {
    expect(findJsonProblem(JSON.parse('{"a": [{"__proto__": 1}]}'))).toEqual({
      path: 'a.0.__proto__',
      message: expect.any(String),
    });
    expect(findJsonProblem(JSON.parse('{"constructor": {"prototype": 1}}'))).toBeNull(); // plain own keys, harmless
  });

  it('refuses NUL in strings and keys', () => {
    expect(findJsonProblem({ a: { b: 'x\u0000' } })).toEqual({ path: 'a.b', message: expect.stringContaining('NUL') });
    expect(findJsonProblem({ 'k\u0000': 1 })?.message).toContain('keys');
    expect(findJsonProblem('\u0000')?.path).toBe('(root)');
    expect(findJsonProblem({ a: 'fine', b: [1, true, null, 'ok'] })).toBeNull();
  });
});

describe('findJsonProblem(value): text and numbers that cannot be stored or sent as they are', () => {
  it('refuses unpaired UTF-16 surrogates in strings and keys, naming where', () => {
    expect(findJsonProblem(JSON.parse('{"body": {"x": "\\ud800"}}'))).toEqual({
      path: 'body.x',
      message: expect.stringContaining('surrogates'),
    });
    expect(findJsonProblem(JSON.parse('["ok", "a\\udc00b"]'))?.path).toBe('1');
    expect(findJsonProblem(JSON.parse('{"a": {"k\\udbff": 1}}'))).toEqual({
      path: 'a',
      message: expect.stringContaining('in keys'),
    });
    expect(findJsonProblem(JSON.parse('{"emoji": "\\ud83d\\ude00", "\\ud83d\\ude00": "pair"}'))).toBeNull(); // a pair is a character
  });

  it('refuses numbers that are not finite (they would be sent as null)', () => {
    expect(findJsonProblem(JSON.parse('{"n": 1e400}'))).toEqual({
      path: 'n',
      message: expect.stringContaining('bodyBase64'),
    });
    expect(findJsonProblem({ a: [Number.NaN] })?.path).toBe('a.0');
    expect(findJsonProblem(-Infinity)?.path).toBe('(root)');
    expect(findJsonProblem({ a: 1.5, b: -0, c: Number.MAX_SAFE_INTEGER })).toBeNull();
  });

  it('reports the first problem in document order, with the path of its own branch', () => {
    const value = JSON.parse('{"a": [1, {"b": "fine"}], "c": {"d": [0, "x\\u0000"]}, "e": "\\u0000"}');
    expect(findJsonProblem(value)).toEqual({ path: 'c.d.1', message: 'NUL characters are not allowed' });
  });
});

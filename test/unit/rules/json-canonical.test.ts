import { describe, expect, it } from 'vitest';
import { canonicalJsonText } from '../../../src/rules/json-canonical.js';

/**
 * The JavaScript values a client may pass as a body, beyond what JSON text can say (the vectors in
 * spec/vectors/json-canonical.json cover JSON text): the canonical writer follows JSON.stringify's
 * rules for them, on its slow path (members out of order) as on its fast one.
 */
describe('canonicalJsonText on JavaScript values', () => {
  const at = new Date('2026-12-07T12:00:00.000Z');

  it('writes a Date as its toJSON text, inside sorted and unsorted objects alike', () => {
    expect(canonicalJsonText({ a: 1, at })).toBe('{"a":1,"at":"2026-12-07T12:00:00.000Z"}');
    expect(canonicalJsonText({ z: 1, at })).toBe('{"at":"2026-12-07T12:00:00.000Z","z":1}');
    expect(canonicalJsonText({ b: [{ y: at, x: 1 }], a: 0 })).toBe(
      '{"a":0,"b":[{"x":1,"y":"2026-12-07T12:00:00.000Z"}]}',
    );
  });

  it('leaves out undefined and functions in objects and writes them as null in arrays, as JSON.stringify does', () => {
    const value = { z: undefined, y: () => 1, x: [undefined, () => 1, 2] };
    expect(canonicalJsonText(value)).toBe('{"x":[null,null,2]}');
    expect(JSON.parse(canonicalJsonText(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('sorts integer-like member names as strings (JavaScript lists them first, numerically)', () => {
    expect(canonicalJsonText({ b: 1, 10: 'ten', 2: 'two' })).toBe('{"10":"ten","2":"two","b":1}');
  });
});

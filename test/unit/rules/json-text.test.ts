import { describe, expect, it } from 'vitest';
import { findJsonTextProblem } from '../../../src/rules/json-text.js';

/**
 * findJsonTextProblem(text): a JSON number is refused when the decimal written back by JSON.stringify
 * (what the target receives) differs from the decimal the caller wrote.
 */
describe('findJsonTextProblem(text)', () => {
  it.each([
    ['1e400', 'null'],
    ['-1e400', 'null'],
    ['1e-400', '0'],
    ['9007199254740993', '9007199254740992'],
    ['123456789012345678', '123456789012345680'],
    ['0.1000000000000000055511151231257827', '0.1'],
    ['2.5e-324', '5e-324'],
    ['12345678901234567890e-5', '123456789012345.67'],
  ])('refuses %s (it would be sent as %s)', (text, written) => {
    expect(findJsonTextProblem(text)).toEqual({
      path: '(root)',
      message: expect.stringContaining(`it would become ${written}`),
    });
    expect(findJsonTextProblem(text)?.message).toContain('bodyBase64');
  });

  it.each([
    '0',
    '-0',
    '0.000',
    '0e99999',
    '1.0',
    '1E2',
    '0.1',
    '-2.5',
    '9007199254740991',
    '9007199254740992',
    '1e21',
    '1.7976931348623157e308',
    '5e-324',
    '123456789012345',
  ])('accepts %s: the value a JSON reader sees is unchanged', (text) => expect(findJsonTextProblem(text)).toBeNull());

  it('names the path of the number, through arrays and escaped keys, and ignores numbers inside strings', () => {
    expect(findJsonTextProblem('{"a": [1, {"b \\"c\\"": 1e999}]}')?.path).toBe('a.1.b "c"');
    expect(findJsonTextProblem('{"tasks": [{}, {"body": {"n": [0.5, 9007199254740993]}}]}')?.path).toBe(
      'tasks.1.body.n.1',
    );
    expect(findJsonTextProblem('{"x": "1e400 and 9007199254740993", "y\\\\": [0.5, 2]}')).toBeNull();
    expect(findJsonTextProblem('{"after": {"nested": [1, 2]}, "n": 1e400}')?.path).toBe('n');
  });

  it('agrees with the definition (the decimal written back equals the one written) on random numbers', () => {
    // The characters-only shortcut (15 significant digits or fewer) must never accept what the
    // definition refuses, nor refuse what it accepts.
    const decimal = (text: string) => {
      const [, sign, int, frac = '', exp = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text)!;
      const digits = (int + frac).replace(/^0+/, '');
      const trimmed = digits.replace(/0+$/, '');
      return trimmed === '' ? '0' : `${sign}${trimmed}e${Number(exp) - frac.length + digits.length - trimmed.length}`;
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const digitsOf = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
    for (let i = 0; i < 5000; i++) {
      const int = digitsOf(1 + Math.floor(random() * 20)).replace(/^0+(?=\d)/, '');
      const frac = random() < 0.6 ? `.${digitsOf(1 + Math.floor(random() * 20))}` : '';
      const exp = random() < 0.4 ? `e${Math.floor(random() * 700) - 350}` : '';
      const text = `${random() < 0.3 ? '-' : ''}${int}${frac}${exp}`;
      const value = Number(text);
      const exact = Number.isFinite(value) && decimal(text) === decimal(String(value));
      expect(findJsonTextProblem(`[${text}]`) === null, text).toBe(exact);
    }
  });
});

describe('findJsonTextProblem(text): duplicate keys', () => {
  it('refuses a key given twice in one object, naming it, also when one spelling is escaped', () => {
    expect(findJsonTextProblem('{"path": "/a", "path": "/b"}')).toEqual({
      path: 'path',
      message: expect.stringContaining('twice'),
    });
    expect(findJsonTextProblem('{"state": "cancelled", "dryRun": true, "dryRun": false}')?.path).toBe('dryRun');
    expect(findJsonTextProblem('{"body": {"amount": 1, "x": [{"a": 1, "\\u0061": 2}]}}')?.path).toBe('body.x.0.a');
    expect(findJsonTextProblem('{"tasks": [{}], "n": 1, "tasks": []}')?.path).toBe('tasks');
  });

  it('accepts the same key in different objects, and key-like text inside strings', () => {
    expect(findJsonTextProblem('{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}], "c": "\\"a\\": 1, \\"a\\": 2"}')).toBeNull();
    expect(findJsonTextProblem('{"": 1, "a": 2}')).toBeNull();
    expect(findJsonTextProblem('[{"k": 1}, {"k": 1}]')).toBeNull();
  });
});

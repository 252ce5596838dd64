import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { renderFields, renderTable } from '../../../src/operator/table.js';
import { terminalSafe, terminalSafeJson, terminalSafeLines } from '../../../src/terminal-safe.js';

/**
 * The one escaping function every terminal output goes through (tables, `tasks show`, --json, the
 * pretty log): no C0, C1, DEL or bidirectional control reaches the terminal raw, and each is shown
 * as a visible escape.
 */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const RAW_CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const OSC52 = '\u001b]52;c;aGk=\u0007';

/** Strings drawn mostly from the dangerous ranges, mixed with ordinary text. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0x7f, max: 0x9f }).map((code) => String.fromCharCode(code)),
    fc.constantFrom('\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\\', 'a', 'é', '€', '😀'),
    fc.string({ maxLength: 3 }),
  ),
});

describe('terminalSafe', () => {
  it('shows C0, DEL and C1 as \\xHH and bidirectional controls as \\uHHHH; other text is unchanged', () => {
    expect(terminalSafe(`a${OSC52}b`)).toBe('a\\x1b]52;c;aGk=\\x07b');
    expect(terminalSafe('\u009b2J\u007f\u0000')).toBe('\\x9b2J\\x7f\\x00');
    expect(terminalSafe('line\nnext\ttab\r')).toBe('line\\x0anext\\x09tab\\x0d');
    expect(terminalSafe('rtl\u202eevil\u2066')).toBe('rtl\\u202eevil\\u2066');
    expect(terminalSafe('C:\\tasks\\é €')).toBe('C:\\tasks\\é €');
  });

  it('leaves no raw control character in any string (property)', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(terminalSafe(text)).not.toMatch(RAW_CONTROL);
        expect(terminalSafeLines(text)).not.toMatch(RAW_CONTROL_BUT_NEWLINE);
        expect(terminalSafeLines(text).split('\n')).toHaveLength(text.split('\n').length);
      }),
      { numRuns: 500 },
    );
  });

  it('terminalSafeJson parses back to the same value and carries no raw control character (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(hostile, fc.oneof(hostile, fc.integer(), fc.array(hostile, { maxLength: 3 }))),
        (value) => {
          const text = terminalSafeJson(value);
          expect(text).not.toMatch(RAW_CONTROL_BUT_NEWLINE);
          expect(JSON.parse(text)).toEqual(value);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('tables and fields', () => {
  it('escape every cell, so a value can neither drive the terminal nor forge a row', () => {
    const table = renderTable(
      [{ header: 'KEY', value: (row: { key: string }) => row.key }],
      [{ key: `k${OSC52}\nforged` }, { key: 'plain' }],
    );
    expect(table.split('\n')).toEqual(['KEY', 'k\\x1b]52;c;aGk=\\x07\\x0aforged', 'plain']);
    expect(renderFields([['error', `boom\u009b31m\r\nx`]])).toBe('error  boom\\x9b31m\\x0d\\x0ax');
  });
});

describe('the pretty log', () => {
  function prettyLines(log: (logger: ReturnType<typeof createLogger>) => void): string {
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    log(createLogger({ pretty: true, destination, level: 'info' }));
    return out;
  }

  it('escapes the message, field names and field values', () => {
    const out = prettyLines((logger) =>
      logger.warn(
        { path: `/p${OSC52}`, [`k\u009b`]: 'v', nested: { error: 'x\u001b[2J' } },
        `task failed ${OSC52}\nforged line`,
      ),
    );
    expect(out).not.toMatch(RAW_CONTROL_BUT_NEWLINE);
    expect(out.trimEnd().split('\n')).toHaveLength(1);
    expect(out).toContain('WARN  task failed \\x1b]52;c;aGk=\\x07\\x0aforged line');
    expect(out).toContain('path=/p\\x1b]52;c;aGk=\\x07');
    expect(out).toContain('k\\x9b=v');
    // JSON.stringify already writes ESC as \u001b inside a nested value: nothing raw either way.
    expect(out).toContain('nested={"error":"x\\u001b[2J"}');
  });
});

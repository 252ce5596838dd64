import { describe, expect, it } from 'vitest';
import { validTraceparent } from '../../../src/recorder/new-task.js';
import { parseRfc3339 } from '../../../src/rules/rfc3339.js';

/** parseRfc3339(text) and validTraceparent(header): strict readers of two wire formats. */
describe('parseRfc3339(text)', () => {
  it('reads UTC and offset times, with fractions', () => {
    expect(parseRfc3339('2025-01-31T12:00:00Z')).toBe(Date.UTC(2025, 0, 31, 12));
    expect(parseRfc3339('2025-01-31T13:00:00+01:00')).toBe(Date.UTC(2025, 0, 31, 12));
    expect(parseRfc3339('2025-01-31t12:00:00.250z')).toBe(Date.UTC(2025, 0, 31, 12, 0, 0, 250));
    expect(parseRfc3339('2016-12-31T23:59:60Z')).toBe(Date.UTC(2017, 0, 1)); // a leap second
  });

  it('refuses impossible dates and other formats', () => {
    for (const text of [
      '2030-02-30T00:00:00Z',
      '2030-13-01T00:00:00Z',
      '2030-01-01T24:00:00Z',
      '2030-01-01 00:00:00Z',
      '2030-01-01T00:00Z',
      '2030-01-01',
      '2030-01-01T00:00:00',
      '1700000000',
      'tomorrow',
      '2030-01-01T00:00:00+25:00',
    ]) {
      expect(parseRfc3339(text), text).toBeUndefined();
    }
  });
});

describe('validTraceparent(header)', () => {
  it('keeps a valid W3C traceparent', () => {
    expect(validTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
  });

  it('ignores malformed, all-zero and version ff values', () => {
    for (const header of [
      '',
      'garbage',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    ]) {
      expect(validTraceparent(header), header).toBeNull();
    }
  });
});

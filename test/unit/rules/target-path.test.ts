import { describe, expect, it } from 'vitest';
import { joinTargetUrl, normalizeTaskPath } from '../../../src/rules/target-path.js';

/** normalizeTaskPath(target, path) and joinTargetUrl(target, path): one slash, query kept, nothing escapes the base. */
describe('normalizeTaskPath(target, path)', () => {
  const target = 'https://app.example/tasks';
  const ok = (path: string | undefined) => {
    const result = normalizeTaskPath(target, path);
    if (!result.ok) throw new Error(`refused ${path}: ${result.message}`);
    return result.path;
  };
  const refused = (path: string) => normalizeTaskPath(target, path).ok === false;

  it('stores "" for the target itself and a leading "/" otherwise, query kept', () => {
    expect(ok(undefined)).toBe('');
    expect(ok('')).toBe('');
    expect(ok('email')).toBe('/email');
    expect(ok('/email?to=a&x=%2F')).toBe('/email?to=a&x=%2F');
    expect(ok('?only=query')).toBe('?only=query');
    expect(ok('/a%20b/c.d/..e')).toBe('/a%20b/c.d/..e'); // dots inside a name are not segments
  });

  it('refuses dot segments, also percent-encoded or behind backslashes', () => {
    for (const path of ['..', '.', '/a/..', '/a/./b', '/%2e%2e/x', '/%2E/x', '/.%2e/x', '/a/..%2F..%2Fetc', '/a\\..\\b', '/a/%5c..%5cb']) {
      expect(refused(path), path).toBe(true);
    }
  });

  it('refuses fragments, control characters, bad percent-encoding and protocol-relative URLs', () => {
    for (const path of ['/a#b', '/a b', '/a\tb', '/a%zz', '/%E0%A4%A', '//evil.example/x', `/${'a'.repeat(2048)}`]) expect(refused(path), path).toBe(true);
  });

  it('accepts absolute URLs only inside the target', () => {
    expect(ok('https://app.example/tasks/email?x=1')).toBe('/email?x=1');
    expect(ok('https://app.example/tasks')).toBe('');
    for (const url of ['https://evil.example/tasks/x', 'http://app.example/tasks/x', 'https://app.example/taskss', 'https://app.example/other', 'https://u:p@app.example/tasks/x', 'https://app.example/tasks/../admin', 'https://app.example/tasks/%2e%2e/admin', 'javascript:alert(1)']) {
      expect(refused(url), url).toBe(true);
    }
  });
});

describe('joinTargetUrl(target, path)', () => {
  it('puts exactly one "/" between the base and the path', () => {
    expect(joinTargetUrl('http://h/tasks', '/email')).toBe('http://h/tasks/email');
    expect(joinTargetUrl('http://h/tasks/', '/email')).toBe('http://h/tasks/email');
    expect(joinTargetUrl('http://h', '/email?x=1')).toBe('http://h/email?x=1');
    expect(joinTargetUrl('http://h/tasks', '')).toBe('http://h/tasks');
  });

  it('keeps the base query string', () => {
    expect(joinTargetUrl('http://h/tasks?k=1', '/email')).toBe('http://h/tasks/email?k=1');
    expect(joinTargetUrl('http://h/tasks?k=1', '?x=2')).toBe('http://h/tasks?k=1&x=2');
  });
});

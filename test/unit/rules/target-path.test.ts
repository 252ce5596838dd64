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
    expect(ok('/')).toBe(''); // spec §4.5: "/" is the target itself, not the target plus a slash
    expect(ok('/?only=query')).toBe('?only=query');
    expect(ok('/a%20b/c.d/..e')).toBe('/a%20b/c.d/..e'); // dots inside a name are not segments
  });

  it('refuses dot segments, also percent-encoded or behind backslashes', () => {
    for (const path of [
      '..',
      '.',
      '/a/..',
      '/a/./b',
      '/%2e%2e/x',
      '/%2E/x',
      '/.%2e/x',
      '/a/..%2F..%2Fetc',
      '/a\\..\\b',
      '/a/%5c..%5cb',
    ]) {
      expect(refused(path), path).toBe(true);
    }
  });

  it('refuses fragments, control characters, bad percent-encoding and protocol-relative URLs', () => {
    for (const path of ['/a#b', '/a b', '/a\tb', '/a%zz', '/%E0%A4%A', '//evil.example/x', `/${'a'.repeat(2048)}`])
      expect(refused(path), path).toBe(true);
  });

  it('accepts absolute URLs only inside the target', () => {
    expect(ok('https://app.example/tasks/email?x=1')).toBe('/email?x=1');
    expect(ok('https://app.example/tasks')).toBe('');
    expect(ok('https://app.example/tasks/')).toBe('');
    expect(ok('https://app.example/tasks/?x=1')).toBe('?x=1');
    for (const url of [
      'https://evil.example/tasks/x',
      'http://app.example/tasks/x',
      'https://app.example/taskss',
      'https://app.example/other',
      'https://u:p@app.example/tasks/x',
      'https://app.example/tasks/../admin',
      'https://app.example/tasks/%2e%2e/admin',
      'javascript:alert(1)',
    ]) {
      expect(refused(url), url).toBe(true);
    }
  });

  it('never names the target in a refusal (a caller may not know where its tasks go)', () => {
    const secretTarget = 'https://internal-billing.corp.example:8443/hooks?tenant=7';
    for (const url of [
      'https://evil.example/x',
      'not a url:',
      'https://internal-billing.corp.example:8443/other',
      'https://internal-billing.corp.example:8443/hooks/x?tenant=8',
    ]) {
      const result = normalizeTaskPath(secretTarget, url);
      expect(result.ok, url).toBe(false);
      if (!result.ok)
        for (const part of ['internal-billing', '8443', '/hooks', 'tenant'])
          expect(result.message, url).not.toContain(part);
    }
  });

  describe('absolute URLs when the target has a query string (spec §4.5)', () => {
    const withQuery = 'https://app.example/tasks?k=1';
    const accept = (url: string) => {
      const result = normalizeTaskPath(withQuery, url);
      if (!result.ok) throw new Error(`refused ${url}: ${result.message}`);
      return result.path;
    };

    it('accepts a URL whose query starts with the target query, storing only the rest, so joining gives it back', () => {
      for (const [url, path] of [
        ['https://app.example/tasks/e?k=1&x=2', '/e?x=2'],
        ['https://app.example/tasks/e?k=1', '/e'],
        ['https://app.example/tasks?k=1', ''],
        ['https://app.example/tasks?k=1&x=2', '?x=2'],
      ]) {
        expect(accept(url), url).toBe(path);
        expect(joinTargetUrl(withQuery, path), url).toBe(url);
      }
    });

    it('refuses a URL that drops, changes or reorders the target query', () => {
      for (const url of [
        'https://app.example/tasks/e',
        'https://app.example/tasks/e?x=2',
        'https://app.example/tasks/e?k=12',
        'https://app.example/tasks/e?x=2&k=1',
        'https://app.example/tasks/e?k=2',
      ]) {
        expect(normalizeTaskPath(withQuery, url), url).toEqual({
          ok: false,
          message: "expected an absolute URL whose query string starts with the queue target's",
        });
      }
    });
  });
});

describe('joinTargetUrl(target, path)', () => {
  it('puts exactly one "/" between the base and the path', () => {
    expect(joinTargetUrl('http://h/tasks', '/email')).toBe('http://h/tasks/email');
    expect(joinTargetUrl('http://h/tasks/', '/email')).toBe('http://h/tasks/email');
    expect(joinTargetUrl('http://h', '/email?x=1')).toBe('http://h/email?x=1');
    expect(joinTargetUrl('http://h/tasks', '')).toBe('http://h/tasks');
  });

  it('reads "/" (as rows stored before it was normalized hold it) as the target itself', () => {
    expect(joinTargetUrl('http://h/tasks', '/')).toBe('http://h/tasks');
    expect(joinTargetUrl('http://h/tasks/', '/')).toBe('http://h/tasks/');
    expect(joinTargetUrl('http://h/tasks?k=1', '/?x=2')).toBe('http://h/tasks?k=1&x=2');
    expect(joinTargetUrl('http://h/tasks/', '?x=2')).toBe('http://h/tasks/?x=2');
  });

  it('keeps the base query string', () => {
    expect(joinTargetUrl('http://h/tasks?k=1', '/email')).toBe('http://h/tasks/email?k=1');
    expect(joinTargetUrl('http://h/tasks?k=1', '?x=2')).toBe('http://h/tasks?k=1&x=2');
  });
});

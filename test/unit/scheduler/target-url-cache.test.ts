import { describe, expect, it } from 'vitest';
import { TARGET_URL_CACHE_SIZE, targetUrlCacheSize, targetUrlOf } from '../../../src/scheduler/target-url-cache.js';

describe('targetUrlOf (the remembered path check and join)', () => {
  it('keys what it remembers by the target as well as the path', () => {
    expect(targetUrlOf('http://127.0.0.1:9000/hooks', '/send?x=1')).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9000/hooks/send?x=1',
    });
    // The same path under another queue's target is joined to that target, not read back.
    expect(targetUrlOf('http://127.0.0.1:9001/', '/send?x=1')).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9001/send?x=1',
    });
    expect(targetUrlOf('http://127.0.0.1:9000/hooks', '/send?x=1')).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9000/hooks/send?x=1',
    });
    // And another path under the same target is not that path's URL either.
    expect(targetUrlOf('http://127.0.0.1:9000/hooks', '/other')).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9000/hooks/other',
    });
  });

  it('refuses a path that climbs out of the base every time it is asked, with the reason', () => {
    for (let i = 0; i < 2; i++) {
      expect(targetUrlOf('http://127.0.0.1:9010/hooks', '/a/%2e%2e/%2e%2e/admin')).toEqual({
        ok: false,
        reason: 'target refused: expected a path without "." or ".." segments',
      });
    }
  });

  it(`remembers at most ${TARGET_URL_CACHE_SIZE} URLs, and answers right after starting over`, () => {
    for (let i = 0; i < TARGET_URL_CACHE_SIZE * 2 + 5; i++) {
      expect(targetUrlOf(`http://127.0.0.1:${9100 + (i % 3)}/`, `/users/${i}`)).toEqual({
        ok: true,
        url: `http://127.0.0.1:${9100 + (i % 3)}/users/${i}`,
      });
      expect(targetUrlCacheSize()).toBeLessThanOrEqual(TARGET_URL_CACHE_SIZE);
    }
    expect(targetUrlCacheSize()).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { isDispatchrError } from '../../../src/errors.js';

/**
 * A cron entry's config errors name the field and never print another field's value: an entry's
 * headers may carry a credential, and a check on the whole map (or the whole entry) must not echo it.
 */
const SECRET = 'Bearer s3cr3t-token-value-0123456789';

function problems(cron: Record<string, unknown>): string[] {
  try {
    parseConfig({ queues: { q: { target: 'http://127.0.0.1:9/', allowPrivateNetwork: true } }, cron });
  } catch (error) {
    if (isDispatchrError(error, 'config_invalid')) return error.details.map((d) => `${d.path}: ${d.message}`);
    throw error;
  }
  return [];
}

describe('cron entries in the config', () => {
  it.each([
    ['a reserved header beside a secret one', { headers: { Authorization: SECRET, 'Dispatchr-Cron': 'x' } }],
    ['an overlong header beside a secret one', { headers: { Authorization: SECRET, 'X-Big': 'x'.repeat(9000) } }],
    ['a control character beside a secret one', { headers: { Authorization: SECRET, 'X-Bad': 'a\u0001b' } }],
    ['a body on a GET', { method: 'GET', body: { a: 1 }, headers: { Authorization: SECRET } }],
    ['a bad schedule', { schedule: '61 * * * *', headers: { Authorization: SECRET } }],
  ])('%s: names the field, never prints the secret', (_, fields) => {
    const found = problems({ c: { queue: 'q', schedule: '@daily', ...fields } });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((line) => line.startsWith('cron.c.'))).toBe(true);
    expect(found.join('\n')).not.toContain('s3cr3t');
  });

  it('refuses an unknown queue, a path outside the target and a never-firing schedule, each by its field', () => {
    expect(problems({ a: { queue: 'nope', schedule: '@daily' } })).toEqual([
      'cron.a.queue: unknown queue "nope" (configured: q)',
    ]);
    expect(problems({ b: { queue: 'q', schedule: '@daily', path: '../up' } })[0]).toMatch(/^cron\.b\.path: /);
    expect(problems({ c: { queue: 'q', schedule: '0 0 30 2 *' } })[0]).toMatch(/^cron\.c\.schedule: .*never fires/);
    expect(problems({ 'bad name!': { queue: 'q', schedule: '@daily' } })[0]).toMatch(/cron entry name/);
  });
});

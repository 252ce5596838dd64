import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/recorder/auth.js';

/** createAuthenticator(tokens): which principal a bearer header stands for. */
describe('createAuthenticator(tokens)', () => {
  const plain = 'plain-token-0123456789';
  const hashed = 'hashed-token-0123456789';

  it('lets everyone in as anonymous when no tokens are configured', () => {
    const auth = createAuthenticator([]);
    expect(auth.required).toBe(false);
    expect(auth.authenticate(undefined)).toMatchObject({ id: 'anonymous', queues: null, readOnly: false });
  });

  it('matches plain and sha256 tokens, each with its own scope and a non-secret id', () => {
    const auth = createAuthenticator([
      plain,
      { token: `sha256:${createHash('sha256').update(hashed).digest('hex')}`, queues: ['a'], readOnly: true, name: 'ci' },
    ]);
    const first = auth.authenticate(`Bearer ${plain}`);
    const second = auth.authenticate(`Bearer ${hashed}`);
    expect(first).toMatchObject({ queues: null, readOnly: false, name: null });
    expect(second).toMatchObject({ queues: new Set(['a']), readOnly: true, name: 'ci' });
    expect(first!.id).not.toBe(second!.id);
    expect(first!.id).not.toContain(plain);
  });

  it('refuses missing, malformed and wrong credentials', () => {
    const auth = createAuthenticator([plain]);
    for (const header of [undefined, '', plain, `Basic ${plain}`, `Bearer`, `Bearer ${plain}x`, `Bearer ${plain} extra`, `Bearer ${plain.slice(0, -1)}`]) {
      expect(auth.authenticate(header), String(header)).toBeNull();
    }
  });

  it('refuses a malformed sha256 token at start-up, naming the entry', () => {
    expect(() => createAuthenticator([plain, 'sha256:not-hex-at-all-0000'])).toThrow(/recorder\.tokens\.1/);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import {
  ANONYMOUS,
  createAuthenticator,
  requirePermission,
  type Permission,
  type Principal,
} from '../../../src/recorder/auth.js';

/** createAuthenticator(tokens): which principal a bearer header stands for; requirePermission: what its role may call. */
describe('createAuthenticator(tokens)', () => {
  const plain = 'plain-token-0123456789';
  const hashed = 'hashed-token-0123456789';

  it('lets everyone in as an anonymous admin when no tokens are configured', () => {
    const auth = createAuthenticator([]);
    expect(auth.required).toBe(false);
    expect(auth.authenticate(undefined)).toMatchObject({ id: 'anonymous', queues: null, role: 'admin' });
  });

  it('matches plain and sha256 tokens, each with its own scope and a non-secret id', () => {
    const auth = createAuthenticator([
      plain,
      {
        token: `sha256:${createHash('sha256').update(hashed).digest('hex')}`,
        queues: ['a'],
        readOnly: true,
        name: 'ci',
      },
    ]);
    const first = auth.authenticate(`Bearer ${plain}`);
    const second = auth.authenticate(`Bearer ${hashed}`);
    expect(first).toMatchObject({ queues: null, role: 'admin', name: null });
    expect(second).toMatchObject({ queues: new Set(['a']), role: 'read', name: 'ci' });
    expect(first!.id).not.toBe(second!.id);
    expect(first!.id).not.toContain(plain);
  });

  it('reads the role: a bare string is admin, readOnly: true is read, role wins when both agree', () => {
    const tokens = ['admin', 'enqueue', 'read', 'legacy', 'object', 'both'].map((name) => `${name}-token-0123456789`);
    const auth = createAuthenticator([
      tokens[0],
      { token: tokens[1], role: 'enqueue' },
      { token: tokens[2], role: 'read' },
      { token: tokens[3], readOnly: true },
      { token: tokens[4], readOnly: false },
      { token: tokens[5], role: 'read', readOnly: true },
    ]);
    expect(tokens.map((token) => auth.authenticate(`Bearer ${token}`)?.role)).toEqual([
      'admin',
      'enqueue',
      'read',
      'read',
      'admin',
      'read',
    ]);
  });

  it('refuses missing, malformed and wrong credentials', () => {
    const auth = createAuthenticator([plain]);
    for (const header of [
      undefined,
      '',
      plain,
      `Basic ${plain}`,
      `Bearer`,
      `Bearer ${plain}x`,
      `Bearer ${plain} extra`,
      `Bearer ${plain.slice(0, -1)}`,
    ]) {
      expect(auth.authenticate(header), String(header)).toBeNull();
    }
  });

  it('refuses a malformed sha256 token at start-up, naming the entry', () => {
    expect(() => createAuthenticator([plain, 'sha256:not-hex-at-all-0000'])).toThrow(/recorder\.tokens\.1/);
  });

  it('refuses a config where readOnly: true and a role other than read disagree, naming the field, never the token', () => {
    const problems = (tokens: unknown[]) => {
      try {
        parseConfig({ recorder: { tokens: tokens as never } });
      } catch (error) {
        return (error as { details: { path: string; message: string }[] }).details;
      }
      return [];
    };
    const conflict = problems([{ token: plain, readOnly: true, role: 'admin' }]);
    expect(conflict).toEqual([
      { path: 'recorder.tokens.0.readOnly', message: expect.stringContaining('got role: "admin"') },
    ]);
    expect(JSON.stringify(conflict)).not.toContain(plain);
    expect(problems([{ token: plain, role: 'owner' }]).map((p) => p.path)).toEqual(['recorder.tokens.0.role']);
    expect(
      problems([
        { token: plain, role: 'read', readOnly: true },
        { token: plain, role: 'enqueue', readOnly: false },
      ]),
    ).toEqual([]);
  });
});

describe('requirePermission(principal, permission, route)', () => {
  const as = (role: Principal['role']): Principal => ({ ...ANONYMOUS, id: role, role });
  const allowed = (role: Principal['role'], permission: Permission) => {
    try {
      requirePermission(as(role), permission, 'POST /v1/x');
      return true;
    } catch (error) {
      expect(error).toMatchObject({ code: 'forbidden', status: 403 });
      return false;
    }
  };

  it('orders the roles read < enqueue < admin', () => {
    const roles = ['read', 'enqueue', 'admin'] as const;
    const table = roles.map((role) => [
      role,
      ...(['public', 'read', 'enqueue', 'admin'] as const).map((permission) => allowed(role, permission)),
    ]);
    expect(table).toEqual([
      ['read', true, true, false, false],
      ['enqueue', true, true, true, false],
      ['admin', true, true, true, true],
    ]);
  });

  it('names the role and what the route needs', () => {
    expect(() => requirePermission(as('enqueue'), 'admin', 'POST /v1/queues/:queue/purge')).toThrow(
      'this token\'s role is "enqueue": POST /v1/queues/:queue/purge needs role "admin"',
    );
  });

  it('refuses a route declared without a permission, even for admin', () => {
    expect(allowed('admin', undefined as unknown as Permission)).toBe(false);
  });
});

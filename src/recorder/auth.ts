import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { TokenConfig } from '../config/schema.js';
import { DispatchrError } from '../errors.js';
import { forbidden } from './errors.js';

/**
 * Bearer tokens. When `recorder.tokens` is set, every route except the public probes needs one:
 * auth runs before routing, so an unknown path or a wrong method answers 401 to a stranger too, and
 * a route added later is covered without anyone remembering to add it (a test walks the router).
 *
 * Tokens are compared in constant time: both sides are hashed with sha256 (equal lengths whatever
 * was sent) and compared with timingSafeEqual, against every configured token without stopping at
 * a match. A token may be configured as `sha256:<hex>` so the config never holds the secret itself.
 */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);
const READ_METHODS = new Set(['GET', 'HEAD']);

export interface Principal {
  /** Stable and non-secret (a prefix of the token's sha256): scopes Idempotency-Keys per token. */
  id: string;
  name: string | null;
  /** null: every queue. */
  queues: ReadonlySet<string> | null;
  readOnly: boolean;
}

export const ANONYMOUS: Principal = { id: 'anonymous', name: null, queues: null, readOnly: false };

interface ConfiguredToken {
  digest: Buffer;
  principal: Principal;
}

export interface Authenticator {
  readonly required: boolean;
  authenticate(authorization: string | undefined): Principal | null;
}

export function createAuthenticator(tokens: readonly TokenConfig[]): Authenticator {
  const configured = tokens.map((entry, index): ConfiguredToken => {
    const spec = typeof entry === 'string' ? { token: entry, name: undefined, queues: undefined, readOnly: false } : entry;
    const digest = tokenDigest(spec.token, index);
    return {
      digest,
      principal: {
        id: `token:${digest.toString('hex').slice(0, 32)}`,
        name: spec.name ?? null,
        queues: spec.queues ? new Set(spec.queues) : null,
        readOnly: spec.readOnly,
      },
    };
  });
  return {
    required: configured.length > 0,
    authenticate(authorization) {
      if (configured.length === 0) return ANONYMOUS;
      const match = /^Bearer +([^\s]+) *$/i.exec(authorization ?? '');
      if (!match) return null;
      const presented = createHash('sha256').update(match[1], 'utf8').digest();
      let found: Principal | null = null;
      for (const token of configured) {
        if (timingSafeEqual(presented, token.digest) && found === null) found = token.principal;
      }
      return found;
    },
  };
}

function tokenDigest(token: string, index: number): Buffer {
  if (!token.startsWith('sha256:')) return createHash('sha256').update(token, 'utf8').digest();
  const hex = token.slice('sha256:'.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new DispatchrError('config_invalid', `recorder.tokens.${index}: expected "sha256:" followed by 64 hex digits`, {
      status: 2,
      details: [{ path: `recorder.tokens.${index}`, message: 'expected "sha256:" followed by 64 hex digits' }],
    });
  }
  return Buffer.from(hex, 'hex');
}

/** Sets `ctx.state.principal`; refuses unauthenticated calls (401) and writes with a read-only token (403). */
export function authMiddleware(authenticator: Authenticator) {
  return async function authenticate(ctx: Context, next: Next): Promise<void> {
    if (PUBLIC_PATHS.has(ctx.path)) return next();
    const principal = authenticator.authenticate(ctx.get('Authorization') || undefined);
    if (principal === null) {
      const presented = ctx.get('Authorization') !== '';
      ctx.set('WWW-Authenticate', presented ? 'Bearer realm="dispatchr", error="invalid_token"' : 'Bearer realm="dispatchr"');
      throw new DispatchrError('unauthorized', presented ? 'the bearer token is not valid' : 'expected Authorization: Bearer <token>', {
        status: 401,
      });
    }
    if (principal.readOnly && !READ_METHODS.has(ctx.method)) {
      throw forbidden('this token is read-only: only GET requests are allowed');
    }
    ctx.state.principal = principal;
    return next();
  };
}

export function canAccessQueue(principal: Principal, queue: string): boolean {
  return principal.queues === null || principal.queues.has(queue);
}

export function requireQueueAccess(principal: Principal, queue: string): void {
  if (!canAccessQueue(principal, queue)) throw forbidden(`this token may not use queue ${JSON.stringify(queue)}`);
}

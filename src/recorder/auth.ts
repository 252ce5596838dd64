import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { ResolvedConfig } from '../config/load.js';
import type { TOKEN_ROLES, TokenConfig } from '../config/schema.js';
import { DispatchrError } from '../errors.js';
import type { Logger } from '../logger.js';
import { forbidden } from './errors.js';

/**
 * Bearer tokens. When `recorder.tokens` is set, every route except the public probes (and the
 * dashboard's static files, UI_PATH) needs one: auth runs before routing, so an unknown path or a
 * wrong method answers 401 to a stranger too, and a route added later is covered without anyone
 * remembering to add it (a test walks the router).
 * What a token may then do is its role against the route's `permission` (requirePermission, called
 * for every route by the router), and its queue scope.
 *
 * Tokens are compared in constant time: both sides are hashed with sha256 (equal lengths whatever
 * was sent) and compared with timingSafeEqual, against every configured token without stopping at
 * a match. A token may be configured as `sha256:<hex>` so the config never holds the secret itself.
 */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * Where the dashboard is served (ui-static.ts). Its HTML and assets are public too, when it is
 * enabled: they hold no data, and every piece of data the page shows comes from the API with the
 * token the person signed in with. When it is disabled, a UI path is an unknown path like any other.
 */
export const UI_PATH = '/ui';

export function isUiPath(path: string): boolean {
  return path === UI_PATH || path.startsWith(`${UI_PATH}/`);
}

/** admin: every route; enqueue: create tasks and read; read: the GET routes. */
export type Role = (typeof TOKEN_ROLES)[number];

/** What a route needs: a role at least this strong, or nothing at all (the probes). */
export type Permission = Role | 'public';

const STRENGTH: Record<Role, number> = { read: 0, enqueue: 1, admin: 2 };

export interface Principal {
  /** Stable and non-secret (a prefix of the token's sha256): scopes Idempotency-Keys per token. */
  id: string;
  name: string | null;
  /** null: every queue. */
  queues: ReadonlySet<string> | null;
  role: Role;
}

/** The caller of an open API (no tokens configured): everything is allowed, as before roles existed. */
export const ANONYMOUS: Principal = { id: 'anonymous', name: null, queues: null, role: 'admin' };

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
    const spec = typeof entry === 'string' ? { token: entry } : entry;
    const digest = tokenDigest(spec.token, index);
    return {
      digest,
      principal: {
        id: `token:${digest.toString('hex').slice(0, 32)}`,
        name: spec.name ?? null,
        queues: spec.queues ? new Set(spec.queues) : null,
        role: roleOf(spec),
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

/** A bare string token is admin; `readOnly: true` is the older spelling of `role: read`. */
function roleOf(spec: { role?: Role; readOnly?: boolean }): Role {
  return spec.role ?? (spec.readOnly === true ? 'read' : 'admin');
}

function tokenDigest(token: string, index: number): Buffer {
  if (!token.startsWith('sha256:')) return createHash('sha256').update(token, 'utf8').digest();
  const hex = token.slice('sha256:'.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new DispatchrError(
      'config_invalid',
      `recorder.tokens.${index}: expected "sha256:" followed by 64 hex digits`,
      {
        status: 2,
        details: [{ path: `recorder.tokens.${index}`, message: 'expected "sha256:" followed by 64 hex digits' }],
      },
    );
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Sets `ctx.state.principal`; refuses unauthenticated calls (401). A presented token that is not
 * valid adds `error="invalid_token"` to WWW-Authenticate (RFC 6750 3.1), so a client can tell a
 * rejected token from a missing one.
 */
export function authMiddleware(authenticator: Authenticator, options: { publicUi?: boolean } = {}) {
  return async function authenticate(ctx: Context, next: Next): Promise<void> {
    if (PUBLIC_PATHS.has(ctx.path) || (options.publicUi === true && isUiPath(ctx.path))) return next();
    const principal = authenticator.authenticate(ctx.get('Authorization') || undefined);
    if (principal === null) {
      // Another scheme (Basic) is no bearer token presented: RFC 6750 3.1 then sends no error code.
      const presented = /^Bearer\s/i.test(ctx.get('Authorization'));
      ctx.set(
        'WWW-Authenticate',
        presented ? 'Bearer realm="dispatchr", error="invalid_token"' : 'Bearer realm="dispatchr"',
      );
      throw new DispatchrError(
        'unauthorized',
        presented ? 'the bearer token is not valid' : 'expected Authorization: Bearer <token>',
        {
          status: 401,
        },
      );
    }
    ctx.state.principal = principal;
    return next();
  };
}

/**
 * The one role check, run by the router before every route's handler (routes/index.ts), so a
 * handler never decides it. `route` names the route as the table declares it (`POST
 * /v1/queues/:queue/pause`), never the caller's path. A permission the table does not know (a route
 * declared without one) refuses: a forgotten declaration must close the route, not open it.
 */
export function requirePermission(principal: Principal, permission: Permission, route: string): void {
  if (permission === 'public') return;
  const needed = STRENGTH[permission] as number | undefined;
  if (needed === undefined || STRENGTH[principal.role] < needed) {
    throw forbidden(
      `this token's role is ${JSON.stringify(principal.role)}: ${route} needs role ${JSON.stringify(permission ?? 'unknown')}`,
    );
  }
}

export function canAccessQueue(principal: Principal, queue: string): boolean {
  return principal.queues === null || principal.queues.has(queue);
}

export function requireQueueAccess(principal: Principal, queue: string): void {
  if (!canAccessQueue(principal, queue)) throw forbidden(`this token may not use queue ${JSON.stringify(queue)}`);
}

/**
 * The one "the API is open" warning, logged at warn by every recorder when it is created: the
 * standalone command, `schedule --with-recorder` and an app that mounts `createRecorder()`. With no
 * logger to write to (a mount that passed none), it goes to `process.emitWarning`, which Node prints
 * on stderr, so it is never silent.
 */
export function warnWhenOpen(config: ResolvedConfig, logger: Logger | undefined): void {
  if (config.recorder.tokens.length > 0) return;
  const message =
    'recorder.tokens is empty: the API is open, and any program that can reach it may read, create and delete tasks; ' +
    'only loopback Host names and recorder.allowedHosts are served';
  if (logger) logger.warn({ allowedHosts: config.recorder.allowedHosts }, message);
  else process.emitWarning(message, { code: 'DISPATCHR_OPEN_API' });
}

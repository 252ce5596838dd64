import type { Context, Next } from 'koa';
import type { ResolvedConfig } from '../config/load.js';
import { DispatchrError } from '../errors.js';
import { isLoopbackHostname, normalizeHostname } from '../host-name.js';
import { PUBLIC_PATHS } from './auth.js';
import { requireJsonContentType } from './body.js';

/**
 * What a web browser could make the recorder do for a page the user happens to visit (spec 4.1,
 * 4.2). Bearer tokens are never sent by a browser on its own, so these matter most for an open API
 * (no tokens), which is the quickstart's default:
 *
 * - A page can send a POST cross-site without asking first (no CORS preflight) only with a body
 *   type of text/plain, a form or multipart. So every POST must say `Content-Type: application/json`
 *   (bodiless ones too), which a browser sends cross-site only after a preflight this API never
 *   grants. DELETE is always preflighted; GET and HEAD change nothing, and their answers stay
 *   unreadable to another origin.
 * - DNS rebinding points the attacker's own name at 127.0.0.1, which makes the page same-origin
 *   with us; the browser still sends the attacker's name as Host. So an open API serves only
 *   loopback names and those listed in `recorder.allowedHosts`.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/** For a route: a method a browser sends cross-site without a preflight must carry JSON. */
export function requirePreflightedRequest(ctx: Context): void {
  if (!SAFE_METHODS.has(ctx.method)) requireJsonContentType(ctx.get('Content-Type'));
}

/**
 * The Host rule. Open API: loopback names and `recorder.allowedHosts`. With tokens: unchecked,
 * unless `allowedHosts` is set, which then limits the names the same way. The dashboard's files
 * (/ui) are checked like the API they call, so a rebinding page does not even get the HTML. The probes are exempt:
 * an orchestrator calls them by the pod's address, and they tell a rebinding page nothing it could
 * use. Behind a proxy (`trustProxy`), the name checked is the last X-Forwarded-Host value, the one the
 * nearest proxy wrote: such a proxy MUST set that header itself, replacing or appending to the client's.
 */
export function hostGuard(config: ResolvedConfig) {
  const allowed = new Set(config.recorder.allowedHosts);
  const open = config.recorder.tokens.length === 0;
  const checked = open || allowed.size > 0;
  return async function checkHost(ctx: Context, next: Next): Promise<void> {
    if (!checked || PUBLIC_PATHS.has(ctx.path)) return next();
    // The header as sent, not Koa's ctx.host, which drops userinfo (`evil@127.0.0.1`) that no browser sends.
    // Behind a proxy, the last X-Forwarded-Host value is the one the nearest proxy wrote; earlier
    // ones are whatever the client sent, which a rebinding page controls (spec 4.2).
    const forwarded = config.recorder.trustProxy ? (ctx.get('X-Forwarded-Host').split(',').at(-1) ?? '').trim() : '';
    const host = forwarded || ctx.get('Host');
    const hostname = normalizeHostname(host, { allowPort: true });
    if (hostname === null || !(isLoopbackHostname(hostname) || allowed.has(hostname))) {
      const expected = `a loopback name (localhost, 127.0.0.1, [::1])${allowed.size > 0 ? ' or one of recorder.allowedHosts' : ' (add others to recorder.allowedHosts)'}`;
      const got = host === '' ? 'none' : JSON.stringify(host.slice(0, 100));
      throw new DispatchrError(
        'host_not_allowed',
        `this recorder does not answer to Host ${got}: expected ${expected}`,
        {
          status: 421,
          details: [{ path: 'Host', message: `expected ${expected}, got ${got}` }],
        },
      );
    }
    return next();
  };
}

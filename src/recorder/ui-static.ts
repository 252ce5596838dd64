import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Next } from 'koa';
import { DispatchrError } from '../errors.js';
import { isUiPath, UI_PATH } from './auth.js';

/**
 * The dashboard's files (built by Vite into dist/ui, `npm run build:ui`) at `<basePath>/ui/`.
 *
 * Only names made of safe characters are looked up, segment by segment after percent-decoding, and
 * the joined path must still lie inside the UI folder: `..`, `%2e%2e`, `..%2f`, backslashes, hidden
 * files and malformed escapes all answer 404 before the file system is asked. Every UI path is
 * answered here (never passed on), so no router or later middleware sees a UI path.
 *
 * index.html is revalidated on every load (`no-cache`), so a new build is picked up at once; the
 * files under assets/ carry a content hash in their names and are cached for a year.
 *
 * Every UI answer, errors included, carries the Content-Security-Policy: scripts, styles and data
 * only from this origin, no inline script or style, no eval, no framing. Bodies, headers and
 * responses of tasks are rendered by the app as text; the policy is the second line.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The built UI of this package: dist/ui beside src/ and dist/ (this file is two levels below the root in both). */
export const DEFAULT_UI_ROOT = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface UiStaticOptions {
  /** The folder holding index.html and assets/; default: this package's dist/ui. */
  root?: string;
}

export function uiStatic(options: UiStaticOptions = {}) {
  const root = path.resolve(options.root ?? DEFAULT_UI_ROOT);
  return async function serveUi(ctx: Context, next: Next): Promise<void> {
    if (!isUiPath(ctx.path)) return next();
    ctx.set('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD, OPTIONS');
      if (ctx.method === 'OPTIONS') {
        ctx.status = 204;
        return;
      }
      throw new DispatchrError('method_not_allowed', `${ctx.method} is not allowed here; allowed: GET, HEAD`, {
        status: 405,
      });
    }
    if (ctx.path === UI_PATH) {
      // The app's relative asset URLs (./assets/...) need the trailing slash. A relative Location
      // (`ui/` against `<prefix>/ui`) is right under any basePath or mount, and never names
      // another host, whatever form the request line took.
      ctx.status = 302;
      ctx.set('Location', 'ui/');
      ctx.set('Cache-Control', 'no-cache');
      return;
    }
    if (!(await isFile(path.join(root, 'index.html')))) {
      throw new DispatchrError('ui_not_built', 'the dashboard is not built: run `npm run build:ui`', {
        status: 503,
        expose: true,
      });
    }
    const relative = ctx.path.slice(UI_PATH.length + 1) || 'index.html';
    const file = resolveInside(root, relative);
    const type = file === null ? undefined : CONTENT_TYPES[path.extname(file)];
    const info = file === null || type === undefined ? null : await statFile(file);
    if (file === null || type === undefined || info === null) {
      throw new DispatchrError('not_found', `no dashboard file ${JSON.stringify(ctx.path.slice(0, 200))}`, {
        status: 404,
      });
    }
    ctx.set('Cache-Control', relative.startsWith('assets/') ? IMMUTABLE : 'no-cache');
    ctx.status = 200;
    ctx.etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    ctx.lastModified = info.mtime;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = type;
    ctx.body = await readFile(file);
  };
}

/** The file a request names under `root`, or null when any segment is not a plain file or folder name. */
export function resolveInside(root: string, relative: string): string | null {
  const segments: string[] = [];
  for (const raw of relative.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null; // a malformed escape
    }
    if (!SAFE_SEGMENT.test(segment)) return null;
    segments.push(segment);
  }
  const full = path.resolve(root, ...segments);
  return full.startsWith(root + path.sep) ? full : null;
}

async function statFile(file: string): Promise<{ size: number; mtimeMs: number; mtime: Date } | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info : null;
  } catch {
    return null;
  }
}

async function isFile(file: string): Promise<boolean> {
  return (await statFile(file)) !== null;
}

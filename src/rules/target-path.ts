/**
 * A task's `path` joined to its queue's target base URL (architecture rule 8: targets come only
 * from the base). The stored path is normalized: `""` (the target itself) or `/` followed by the
 * rest, query string kept, so joining is `base without trailing "/"` + path: exactly one `/`
 * between them. Anything that could climb out of the base is refused rather than resolved: `.` and
 * `..` segments (also percent-encoded, also with `\`), fragments, control characters, and absolute
 * URLs outside the base.
 */
export const MAX_PATH_LENGTH = 2048;

export type PathResult = { ok: true; path: string } | { ok: false; message: string };

export function normalizeTaskPath(target: string, input: string | undefined): PathResult {
  if (input === undefined || input === '') return { ok: true, path: '' };
  if (input.length > MAX_PATH_LENGTH) return { ok: false, message: `expected at most ${MAX_PATH_LENGTH} characters` };
  if (/[\u0000-\u0020\u007f]/.test(input)) return { ok: false, message: 'spaces and control characters must be percent-encoded' };
  if (input.includes('\\')) return { ok: false, message: 'backslashes are not allowed' };
  if (input.includes('#')) return { ok: false, message: 'fragments (#) are not sent to the target and are not allowed' };
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return relativeToBase(target, input);
  if (input.startsWith('//')) return { ok: false, message: 'expected a path, got a protocol-relative URL' };
  return checkSegments(input.startsWith('/') || input.startsWith('?') ? input : `/${input}`);
}

/**
 * Joins a stored (normalized) path to the target base URL: the reference for the rule in
 * docs/spec.md. A query string on the base is kept, followed by the path's own.
 */
export function joinTargetUrl(target: string, path: string): string {
  if (path === '') return target;
  const base = new URL(target);
  const baseQuery = base.search.slice(1);
  base.search = '';
  base.hash = '';
  const root = base.toString().replace(/\/+$/, '');
  const queryAt = path.indexOf('?');
  const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
  const query = [baseQuery, queryAt === -1 ? '' : path.slice(queryAt + 1)].filter(Boolean).join('&');
  return `${root}${pathname}${query ? `?${query}` : ''}`;
}

function checkSegments(path: string): PathResult {
  const queryAt = path.indexOf('?');
  const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, message: 'expected a path with valid percent-encoding' };
  }
  // Decoded once, so `%2e%2e` is caught; a second decode would only matter to a target that decodes
  // twice, which no target should, and `%252e` stays a literal `%2e` segment name for everyone else.
  const segments = decoded.split(/[/\\]/);
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { ok: false, message: 'expected a path without "." or ".." segments' };
  }
  return { ok: true, path };
}

function relativeToBase(target: string, input: string): PathResult {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, message: 'expected a path or a URL inside the queue target' };
  }
  const base = new URL(target);
  const basePath = base.pathname.replace(/\/+$/, '');
  const rawPath = input.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '');
  const outside =
    url.origin !== base.origin ||
    url.username !== '' ||
    url.password !== '' ||
    !(url.pathname === basePath || url.pathname === `${basePath}/` || url.pathname.startsWith(`${basePath}/`)) ||
    base.search !== '';
  if (outside) return { ok: false, message: `expected a path, or a URL inside the queue target ${base.origin}${basePath}/` };
  // The URL parser has already resolved dot segments; judge what the client wrote, not the result.
  const written = checkSegments(rawPath.startsWith('/') ? rawPath : `/${rawPath}`);
  if (!written.ok) return written;
  const rest = url.pathname.slice(basePath.length);
  return checkSegments(`${rest === '/' && url.search === '' ? '' : rest}${url.search}`);
}

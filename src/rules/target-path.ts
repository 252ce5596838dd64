/**
 * A task's `path` joined to its queue's target base URL (architecture rule 8: targets come only
 * from the base; spec §4.5). The stored path is normalized: `""` (the target itself; `/` is written
 * so too) or `/` followed by the rest, or `?query` for a query on the target itself; so joining is
 * `base without trailing "/"` + path: exactly one `/` between them. Anything that could climb out
 * of the base is refused rather than resolved: `.` and `..` segments (also percent-encoded, also
 * with `\`, also with `;parameters`), fragments, control characters, and absolute URLs outside the base.
 */
export const MAX_PATH_LENGTH = 2048;

export type PathResult = { ok: true; path: string } | { ok: false; message: string };

/** Refusals of absolute URLs never name the target: a caller may create tasks without knowing where they go. */
const OUTSIDE =
  'expected a path, or an absolute URL inside the queue target (same scheme, host and port, no credentials, under its path)';

export function normalizeTaskPath(target: string, input: string | undefined): PathResult {
  if (input === undefined || input === '') return { ok: true, path: '' };
  if (input.length > MAX_PATH_LENGTH) return { ok: false, message: `expected at most ${MAX_PATH_LENGTH} characters` };
  if (/[\u0000-\u0020\u007f]/.test(input))
    return { ok: false, message: 'spaces and control characters must be percent-encoded' };
  if (input.includes('\\')) return { ok: false, message: 'backslashes are not allowed' };
  if (input.includes('#'))
    return { ok: false, message: 'fragments (#) are not sent to the target and are not allowed' };
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return relativeToBase(target, input);
  if (input.startsWith('//')) return { ok: false, message: 'expected a path, got a protocol-relative URL' };
  return stored(checkSegments(input.startsWith('/') || input.startsWith('?') ? input : `/${input}`));
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
  const queryAt = path.indexOf('?');
  const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
  const query = [baseQuery, queryAt === -1 ? '' : path.slice(queryAt + 1)].filter(Boolean).join('&');
  // "/" is the target itself, like "": rows stored before "/" was normalized to "" still hold it.
  const root = pathname === '' || pathname === '/' ? base.toString() : base.toString().replace(/\/+$/, '') + pathname;
  return `${root}${query ? `?${query}` : ''}`;
}

/** `/` and `/?q` name the target itself: stored as `""` and `?q`. */
function stored(result: PathResult): PathResult {
  if (!result.ok) return result;
  if (result.path === '/') return { ok: true, path: '' };
  if (result.path.startsWith('/?')) return { ok: true, path: result.path.slice(1) };
  return result;
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
  // A segment's `;parameters` are dropped first: Tomcat and Spring read `..;` as `..`.
  const segments = decoded.split(/[/\\]/).map((segment) => segment.replace(/;.*$/, ''));
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { ok: false, message: 'expected a path without "." or ".." segments' };
  }
  return { ok: true, path };
}

/**
 * An absolute URL is accepted when it is what joining would give: inside the target, and, when the
 * target has a query string, with a query that starts with the target's (`k=1`, then nothing or
 * `&...`). Only what follows is stored, so joining gives back the URL the caller wrote.
 */
function relativeToBase(target: string, input: string): PathResult {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, message: OUTSIDE };
  }
  const base = new URL(target);
  const basePath = base.pathname.replace(/\/+$/, '');
  const rawPath = input.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '');
  const outside =
    url.origin !== base.origin ||
    url.username !== '' ||
    url.password !== '' ||
    !(url.pathname === basePath || url.pathname === `${basePath}/` || url.pathname.startsWith(`${basePath}/`));
  if (outside) return { ok: false, message: OUTSIDE };
  const query = ownQuery(url.search.slice(1), base.search.slice(1));
  if (query === null)
    return { ok: false, message: "expected an absolute URL whose query string starts with the queue target's" };
  // The URL parser has already resolved dot segments; judge what the client wrote, not the result.
  const written = checkSegments(rawPath.startsWith('/') ? rawPath : `/${rawPath}`);
  if (!written.ok) return written;
  const rest = url.pathname.slice(basePath.length);
  return stored(checkSegments(`${rest}${query ? `?${query}` : ''}`));
}

/** The URL's query without the target's leading part; null when it does not start with it. */
function ownQuery(query: string, baseQuery: string): string | null {
  if (baseQuery === '' || query === baseQuery) return baseQuery === '' ? query : '';
  return query.startsWith(`${baseQuery}&`) ? query.slice(baseQuery.length + 1) : null;
}

/**
 * Joins a queue's target base URL and a task path: exactly one `/` between them, the path's query
 * string kept. Returns a reason instead of a URL when the path could leave the base: dot segments
 * (also percent-encoded), backslashes, absolute URLs outside the base, or control characters.
 * The recorder validates with it at create time; the scheduler joins with it at dispatch time.
 */
export type JoinResult = { ok: true; url: string } | { ok: false; reason: string };

const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

export function joinTargetUrl(base: string, path: string): JoinResult {
  const baseUrl = new URL(base);
  let relative = path;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    // An absolute URL is allowed only when it is inside the base.
    if (!URL.canParse(path)) return { ok: false, reason: 'expected a path or a URL inside the queue target' };
    const absolute = new URL(path);
    const prefix = baseUrl.href.replace(/\/?$/, '/');
    if (absolute.origin !== baseUrl.origin || !(absolute.href + '/').startsWith(prefix) && absolute.href !== baseUrl.href) {
      return { ok: false, reason: 'an absolute URL must be inside the queue target' };
    }
    relative = absolute.href.slice(baseUrl.href.replace(/\/$/, '').length);
  }
  if (/[\u0000-\u001f\u007f\\]/.test(relative)) return { ok: false, reason: 'control characters and backslashes are not allowed' };
  if (relative.includes('#')) return { ok: false, reason: 'a fragment (#) is not allowed' };
  const [pathPart, ...queryParts] = relative.split('?');
  const query = queryParts.length ? `?${queryParts.join('?')}` : '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  if (DOT_SEGMENT.test(pathPart) || DOT_SEGMENT.test(decoded) || /%2f/i.test(pathPart) && DOT_SEGMENT.test(decoded.replace(/%2f/gi, '/'))) {
    return { ok: false, reason: '"." and ".." segments are not allowed' };
  }
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const tail = pathPart.replace(/^\/+/, '');
  const joinedPath = tail === '' ? baseUrl.pathname : `${basePath}/${tail}`;
  const baseQuery = baseUrl.search;
  const joinedQuery = query ? (baseQuery ? `${baseQuery}&${query.slice(1)}` : query) : baseQuery;
  const url = `${baseUrl.origin}${joinedPath}${joinedQuery}`;
  // The WHATWG parser must agree that nothing escaped the base path.
  const check = new URL(url);
  if (check.origin !== baseUrl.origin || !check.pathname.startsWith(basePath)) {
    return { ok: false, reason: 'the path leaves the queue target' };
  }
  return { ok: true, url };
}

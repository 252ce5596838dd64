import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routing: the whole view lives after `#`, so a link reproduces it (filters included) and the
 * recorder serves one index.html with no fallback rules.
 *
 * `#/` queues · `#/queues/<name>` · `#/tasks?queue=&state=&since=&until=&pathPrefix=&search=` ·
 * `#/tasks/<id>` · `#/failed` · `#/cron` · `#/cron/<name>` · `#/schedulers` · `#/sign-in`
 */
export type RouteName =
  'overview' | 'queue' | 'tasks' | 'task' | 'failed' | 'cron' | 'cron-entry' | 'schedulers' | 'sign-in' | 'not-found';

export interface Route {
  name: RouteName;
  /** The name or id in the path, decoded. */
  param: string;
  query: URLSearchParams;
  /** The hash as it was (for links back). */
  hash: string;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  const path = at === -1 ? raw : raw.slice(0, at);
  const query = new URLSearchParams(at === -1 ? '' : raw.slice(at + 1));
  const segments = path.split('/').filter((segment) => segment !== '');
  let decoded: string[];
  try {
    decoded = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return { name: 'not-found', param: '', query, hash };
  }
  const [first, second, ...rest] = decoded;
  const route = (name: RouteName, param = ''): Route => ({ name, param, query, hash });
  if (rest.length > 0) return route('not-found');
  if (first === undefined) return route('overview');
  if (first === 'queues' && second !== undefined) return route('queue', second);
  if (first === 'queues') return route('overview');
  if (first === 'tasks') return second === undefined ? route('tasks') : route('task', second);
  if (first === 'cron') return second === undefined ? route('cron') : route('cron-entry', second);
  if (second !== undefined) return route('not-found');
  if (first === 'failed') return route('failed');
  if (first === 'schedulers') return route('schedulers');
  if (first === 'sign-in') return route('sign-in');
  return route('not-found');
}

/** `#/<segments>?<query>`: segments are encoded, empty query values left out. */
export function href(segments: string[], query: Record<string, string | undefined | null> = {}): string {
  const path = segments.map((segment) => encodeURIComponent(segment)).join('/');
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const search = params.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    update();
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

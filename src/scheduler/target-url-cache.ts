import { joinTargetUrl, normalizeTaskPath } from '../rules/target-path.js';
import { URL_CACHE_SIZE, UrlCache } from '../workers/url-cache.js';

export type TargetUrl = { ok: true; url: string } | { ok: false; reason: string };

/**
 * A task path's checked and joined URL under its queue's target, remembered per (target, path) in
 * the one URL cache (workers/url-cache.ts): both steps are pure functions of the two
 * (rules/target-path.ts), and joining parses the base URL each time.
 */
const cache = new UrlCache<TargetUrl>(checkAndJoin);
export const TARGET_URL_CACHE_SIZE = URL_CACHE_SIZE;

export function targetUrlOf(target: string, path: string): TargetUrl {
  return cache.get(target, path);
}

function checkAndJoin(target: string, path: string): TargetUrl {
  // Checked again at dispatch: the row could have been written by another writer (enqueueWithin).
  const checked = normalizeTaskPath(target, path);
  return checked.ok
    ? { ok: true, url: joinTargetUrl(target, checked.path) }
    : { ok: false, reason: `target refused: ${checked.message}` };
}

/** How many URLs are remembered (tests). */
export function targetUrlCacheSize(): number {
  return cache.size;
}

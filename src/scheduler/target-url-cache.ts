import { joinTargetUrl, normalizeTaskPath } from '../rules/target-path.js';

export type TargetUrl = { ok: true; url: string } | { ok: false; reason: string };

/**
 * A task path's checked and joined URL under its queue's target, remembered per (target, path):
 * both steps are pure functions of the two (rules/target-path.ts), a queue's tasks mostly share a
 * few paths, and joining parses the base URL each time. Keyed by target, then by path (no joined
 * key two different pairs could share). At most TARGET_URL_CACHE_SIZE entries in all; when full
 * the cache starts over, so paths that are all different (`/users/<id>`) just miss.
 */
const byTarget = new Map<string, Map<string, TargetUrl>>();
let entries = 0;
export const TARGET_URL_CACHE_SIZE = 1024;

export function targetUrlOf(target: string, path: string): TargetUrl {
  let byPath = byTarget.get(target);
  const known = byPath?.get(path);
  if (known) return known;
  // Checked again at dispatch: the row could have been written by another writer (enqueueWithin).
  const checked = normalizeTaskPath(target, path);
  const url: TargetUrl = checked.ok ? { ok: true, url: joinTargetUrl(target, checked.path) } : { ok: false, reason: `target refused: ${checked.message}` };
  if (entries >= TARGET_URL_CACHE_SIZE) {
    byTarget.clear();
    entries = 0;
    byPath = undefined;
  }
  if (!byPath) byTarget.set(target, (byPath = new Map()));
  byPath.set(path, url);
  entries += 1;
  return url;
}

/** How many URLs are remembered (tests). */
export function targetUrlCacheSize(): number {
  return entries;
}

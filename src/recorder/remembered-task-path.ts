import { normalizeTaskPath, type PathResult } from '../rules/target-path.js';

/**
 * normalizeTaskPath, remembered: a queue's creates mostly name a few paths, and checking one (a
 * decode, a split, a scan of its segments) costs about as much as the rest of the task's
 * conversion. Pure, so a remembered result is the result; bounded, so odd paths cannot grow it.
 */
const MAX_REMEMBERED = 1_000;
const remembered = new Map<string, Map<string, PathResult>>();

export function rememberedTaskPath(target: string, path: string | undefined): PathResult {
  if (path === undefined) return normalizeTaskPath(target, path);
  let paths = remembered.get(target);
  if (!paths) remembered.set(target, (paths = new Map()));
  let result = paths.get(path);
  if (!result) {
    result = normalizeTaskPath(target, path);
    if (paths.size >= MAX_REMEMBERED) paths.clear();
    paths.set(path, result);
  }
  return result;
}

import type { ErrorDetail } from '../errors.js';

/**
 * Checks a parsed JSON document before anything else looks at it: nesting depth, `__proto__` keys
 * and NUL characters. The walk uses an explicit stack, never recursion, so a 500,000-deep document
 * (what fits in 1 MB) is refused without a stack overflow. V8's JSON.parse is itself iterative.
 *
 * NUL is refused everywhere because PostgreSQL text and jsonb cannot hold it (a JSON body is also
 * stored as jsonb for search); binary payloads belong in `bodyBase64`.
 */
export const MAX_JSON_DEPTH = 64;

interface Frame {
  value: unknown;
  path: readonly (string | number)[];
  depth: number;
}

export function findJsonProblem(root: unknown, maxDepth: number = MAX_JSON_DEPTH): ErrorDetail | null {
  const stack: Frame[] = [{ value: root, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { path: joinPath(path), message: 'NUL characters are not allowed' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > maxDepth) {
      return { path: joinPath(path.slice(0, 3)), message: `expected JSON nested at most ${maxDepth} levels deep` };
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i], depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (key === '__proto__') return { path: joinPath([...path, key]), message: '"__proto__" is not allowed as a key' };
      if (key.includes('\u0000')) return { path: joinPath(path), message: 'NUL characters are not allowed in keys' };
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  return null;
}

/** Dotted like the rest of the API's error paths: `tasks.3.headers.x-a`; the root is `(root)`. */
export function joinPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

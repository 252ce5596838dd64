import type { ErrorDetail } from '../errors.js';

/**
 * Checks a parsed JSON document before anything else looks at it: nesting depth, `__proto__` keys,
 * text that cannot be stored (NUL, unpaired surrogates) and numbers that cannot be sent (not
 * finite). The walk uses an explicit stack, never recursion, so a 500,000-deep document (what fits
 * in 1 MB) is refused without a stack overflow. V8's JSON.parse is itself iterative.
 *
 * Its cost is linear in the document: one stack entry per open container (at most `maxDepth`), and
 * one shared path of keys, copied only to word an error. (A path copied per node cost 150-200 MB
 * for a 1 MB body of nested arrays.)
 *
 * NUL is refused everywhere because PostgreSQL text and jsonb cannot hold it (a JSON body is also
 * stored as jsonb for search); binary payloads belong in `bodyBase64`. An unpaired UTF-16 surrogate
 * (`"\ud800"`) has no UTF-8 form: jsonb refuses it, and UTF-8 bytes would silently turn it into
 * U+FFFD, so what was sent would not be what was stored.
 */
export const MAX_JSON_DEPTH = 64;

/** How a refused number is worded, here and in json-text.ts. */
export const NUMBER_ADVICE = 'send it as a string, or send the exact bytes in bodyBase64';

type Container = unknown[] | Record<string, unknown>;

export function findJsonProblem(root: unknown, maxDepth: number = MAX_JSON_DEPTH): ErrorDetail | null {
  const rootProblem = scalarProblem(root);
  if (rootProblem) return { path: '(root)', message: rootProblem };
  if (typeof root !== 'object' || root === null) return null;
  if (maxDepth < 1) return { path: '(root)', message: `expected JSON nested at most ${maxDepth} levels deep` };
  // The open containers, innermost last, as parallel stacks (no object per container), and the
  // keys that lead to the innermost one: path[i] is the key of containers[i + 1] in containers[i].
  const containers: Container[] = [root as Container];
  const keyLists: (string[] | null)[] = [Array.isArray(root) ? null : Object.keys(root)];
  const nexts: number[] = [0];
  const path: (string | number)[] = [];
  while (containers.length > 0) {
    const top = containers.length - 1;
    const container = containers[top];
    const keys = keyLists[top];
    const index = nexts[top];
    if (index >= (keys === null ? (container as unknown[]).length : keys.length)) {
      containers.pop();
      keyLists.pop();
      nexts.pop();
      path.pop();
      continue;
    }
    nexts[top] = index + 1;
    let step: string | number = index;
    if (keys !== null) {
      step = keys[index];
      if (step === '__proto__')
        return { path: joinPath([...path, step]), message: '"__proto__" is not allowed as a key' };
      const keyProblem = textProblem(step);
      if (keyProblem) return { path: joinPath(path), message: `${keyProblem} in keys` };
    }
    const value = (container as Record<string | number, unknown>)[step];
    const problem = scalarProblem(value);
    if (problem) return { path: joinPath([...path, step]), message: problem };
    if (typeof value !== 'object' || value === null) continue;
    // `value` opens level containers.length + 1 (the root is level 1).
    if (containers.length + 1 > maxDepth) {
      return {
        path: joinPath([...path, step].slice(0, 3)),
        message: `expected JSON nested at most ${maxDepth} levels deep`,
      };
    }
    containers.push(value as Container);
    keyLists.push(Array.isArray(value) ? null : Object.keys(value));
    nexts.push(0);
    path.push(step);
  }
  return null;
}

function scalarProblem(value: unknown): string | null {
  if (typeof value === 'string') return textProblem(value);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return `expected a finite number (${String(value)} would be sent as null): ${NUMBER_ADVICE}`;
  }
  return null;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a text cannot be stored and sent as it is, or null. For every string and key of a JSON
 * document, and every query parameter.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'NUL characters are not allowed';
  const wellFormed = (text as string & { isWellFormed?: () => boolean }).isWellFormed?.() ?? !LONE_SURROGATE.test(text);
  if (!wellFormed) return 'unpaired UTF-16 surrogates (\\ud800 to \\udfff without their pair) are not allowed';
  return null;
}

/** Dotted like the rest of the API's error paths: `tasks.3.headers.x-a`; the root is `(root)`. */
export function joinPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

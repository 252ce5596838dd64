import { cloudTasksStrategy } from './cloud-tasks.strategy.js';
import { exponentialStrategy } from './exponential.strategy.js';
import { fixedStrategy } from './fixed.strategy.js';
import { linearStrategy } from './linear.strategy.js';
import type { RetryStrategy } from './strategy.js';

/** Built-in strategies by the name `retry.strategy` uses. Plugins are addressed by path or package instead. */
export const builtinStrategies: ReadonlyMap<string, RetryStrategy> = new Map<string, RetryStrategy>(
  [exponentialStrategy, linearStrategy, fixedStrategy, cloudTasksStrategy].map((s) => [s.name, s as RetryStrategy]),
);

export function getBuiltinStrategy(name: string): RetryStrategy | undefined {
  return builtinStrategies.get(name);
}

/** The closest built-in name within a small edit distance, for "did you mean" hints; undefined when none is close. */
export function suggestStrategyName(
  name: string,
  candidates: Iterable<string> = builtinStrategies.keys(),
): string | undefined {
  const wanted = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    // a third of the length tolerates one or two typos without matching unrelated words
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

/** `unknown retry strategy "exponental"; did you mean "exponential"?`, or the list of built-ins. */
export function unknownStrategyMessage(name: string): string {
  const suggestion = suggestStrategyName(name);
  if (suggestion !== undefined) return `unknown retry strategy "${name}"; did you mean "${suggestion}"?`;
  const names = [...builtinStrategies.keys()].map((n) => `"${n}"`).join(', ');
  return `unknown retry strategy "${name}"; expected one of ${names}, a path to a plugin module ("./strategies/mine.js") or an installed npm package`;
}

/** Levenshtein distance, two rows at a time; names are short, so this is cheap. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

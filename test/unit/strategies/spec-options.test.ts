import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/duration.js';
import { builtinStrategies } from '../../../src/strategies/registry.js';
import { optionsFor } from './helpers.js';

/**
 * Spec section 7 documents every option of every built-in strategy with its default. The table is
 * read from docs/spec.md and held against each strategy's own schema, so an option the code takes
 * and the spec leaves out (as `cloud-tasks`' `jitter` once was) fails here.
 */
function documentedOptions(): Map<string, Map<string, string>> {
  const spec = readFileSync(new URL('../../../docs/spec.md', import.meta.url), 'utf8');
  const section = spec.slice(spec.indexOf('## 7. Retries'), spec.indexOf('## 8. Guarantees'));
  const table = new Map<string, Map<string, string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name || !builtinStrategies.has(name)) continue;
    // "`initialDelay` 1s, `factor` 2, ..." → option → default as written
    const options = new Map([...cells[2].matchAll(/`(\w+)` ([^,]+)/g)].map((m) => [m[1], m[2].trim()]));
    table.set(name, options);
  }
  return table;
}

describe('spec section 7 and the built-in strategies', () => {
  const documented = documentedOptions();

  it('documents every built-in strategy', () => {
    expect([...documented.keys()].sort()).toEqual([...builtinStrategies.keys()].sort());
  });

  it.each([...builtinStrategies.keys()])('%s: the spec lists exactly its options, with their defaults', (name) => {
    const strategy = builtinStrategies.get(name)!;
    const defaults = optionsFor(strategy) as Record<string, unknown>;
    const options = documented.get(name)!;
    expect([...options.keys()].sort()).toEqual(Object.keys(defaults).sort());
    for (const [option, text] of options) {
      const value = defaults[option];
      // Durations are parsed to ms by the schema; the spec writes them as durations.
      const expected =
        typeof value === 'number' && /^\d+(ms|s|m|h|d)$/.test(text) ? formatDuration(value) : String(value);
      expect({ option, default: text }).toEqual({ option, default: expected });
    }
  });
});

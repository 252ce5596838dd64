import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DispatchrError, type ErrorDetail } from '../errors.js';
import { getBuiltinStrategy, suggestStrategyName, unknownStrategyMessage } from './registry.js';
import { parseStrategyOptions, strategyShapeProblems, valueText, type RetryStrategy } from './strategy.js';

/**
 * Turns each queue's `retry` block into a ready RetryPolicy at start-up: built-in names, plugin
 * modules by path (relative to the config file) and npm packages (resolved from the config folder).
 * Every problem across all queues is collected into one `config_invalid` error, so a user fixes the
 * config in one pass; nothing is loaded lazily later, so a broken plugin never surfaces mid-run.
 */

export interface RetryPolicy {
  strategy: RetryStrategy;
  /** Parsed by the strategy's own schema: defaults filled in, durations in ms. */
  options: unknown;
  /** `retry.options` as configured, before the schema: a task's own options are laid over these (task-retry-policy.ts). */
  rawOptions?: Record<string, unknown>;
  maxAttempts: number;
  maxRetryDurationMs: number;
}

/**
 * What this reads of the resolved config, by shape: strategies depend on the kernel only
 * (../shared/design/architecture.md), so the config types are not imported here.
 */
export interface RetryConfigSource {
  queues: Record<
    string,
    { retry: { strategy: string; options?: unknown; maxAttempts: number; maxRetryDuration: number } }
  >;
  /** The config file's folder: plugin paths and packages are resolved from it. */
  source: { dir: string };
}

export type LoadedStrategy = { ok: true; strategy: RetryStrategy; label: string } | { ok: false; problems: string[] };

export async function resolveRetryPolicies(config: RetryConfigSource): Promise<Map<string, RetryPolicy>> {
  const problems: ErrorDetail[] = [];
  const policies = new Map<string, RetryPolicy>();
  // One load per distinct specifier: the module is imported and its shape checked once, whatever
  // the number of queues that use it.
  const loads = new Map<string, Promise<LoadedStrategy>>();
  for (const [queue, queueConfig] of Object.entries(config.queues)) {
    const at = `queues.${queue}.retry`;
    const { strategy: specifier, options: rawOptions, maxAttempts, maxRetryDuration } = queueConfig.retry;
    let load = loads.get(specifier);
    if (load === undefined) {
      load = loadStrategy(specifier, config.source.dir);
      loads.set(specifier, load);
    }
    const loaded = await load;
    if (!loaded.ok) {
      problems.push(...loaded.problems.map((message) => ({ path: `${at}.strategy`, message })));
      continue;
    }
    const parsed = parseStrategyOptions(loaded.strategy, rawOptions);
    if (!parsed.ok) {
      problems.push(
        ...parsed.problems.map((p) => ({
          path: p.path ? `${at}.options.${p.path}` : `${at}.options`,
          message: `${loaded.label}: ${p.message}`,
        })),
      );
      continue;
    }
    const maxDelayProblem = checkMaxDelay(loaded.strategy, parsed.options);
    if (maxDelayProblem !== undefined) {
      problems.push({ path: `${at}.strategy`, message: `${loaded.label}: ${maxDelayProblem}` });
      continue;
    }
    policies.set(queue, {
      strategy: loaded.strategy,
      options: parsed.options,
      rawOptions: (rawOptions ?? {}) as Record<string, unknown>,
      maxAttempts,
      maxRetryDurationMs: maxRetryDuration,
    });
  }
  if (problems.length > 0) {
    throw new DispatchrError(
      'config_invalid',
      `${problems.length} problem${problems.length > 1 ? 's' : ''} with retry strategies`,
      {
        status: 2,
        details: problems,
      },
    );
  }
  return policies;
}

/** A built-in by name, or a plugin by path or package name, checked for the contract's shape. Never throws. */
export async function loadStrategy(specifier: string, fromDir: string): Promise<LoadedStrategy> {
  const builtin = getBuiltinStrategy(specifier);
  if (builtin !== undefined) return { ok: true, strategy: builtin, label: `strategy "${builtin.name}"` };

  const target = isPathSpecifier(specifier) ? resolveFile(specifier, fromDir) : resolvePackage(specifier, fromDir);
  if (!target.ok) return { ok: false, problems: [target.message] };

  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(/* @vite-ignore */ target.url)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ok: false,
      problems: [`retry strategy plugin "${specifier}" could not be loaded from ${displayUrl(target.url)}: ${reason}`],
    };
  }
  const candidate = strategyFromModule(namespace);
  const shape = strategyShapeProblems(candidate);
  if (shape.length > 0)
    return { ok: false, problems: shape.map((p) => `retry strategy plugin "${specifier}" is malformed: ${p}`) };
  const strategy = candidate as RetryStrategy;
  return { ok: true, strategy, label: `strategy "${strategy.name}" (${specifier})` };
}

/**
 * Plugins may use named exports (the documented form) or `export default defineStrategy({...})`;
 * CommonJS compiled from TypeScript arrives as `{ __esModule: true, default: strategy }`.
 */
export function strategyFromModule(namespace: Record<string, unknown>): unknown {
  let candidate: unknown =
    'delay' in namespace || 'name' in namespace || !isRecord(namespace.default) ? namespace : namespace.default;
  if (isRecord(candidate) && !('delay' in candidate) && isRecord(candidate.default)) candidate = candidate.default;
  return candidate;
}

function checkMaxDelay(strategy: RetryStrategy, options: unknown): string | undefined {
  try {
    const maxDelayMs = strategy.maxDelayMs(options);
    if (typeof maxDelayMs === 'number' && Number.isFinite(maxDelayMs) && maxDelayMs >= 0) return undefined;
    return `maxDelayMs returned ${valueText(maxDelayMs)} for these options; expected a finite number >= 0`;
  } catch (error) {
    return `maxDelayMs threw for these options: ${error instanceof Error ? error.message : String(error)}`;
  }
}

type Target = { ok: true; url: string } | { ok: false; message: string };

function isPathSpecifier(specifier: string): boolean {
  return /^\.{1,2}([\\/]|$)/.test(specifier) || path.isAbsolute(specifier) || specifier.startsWith('file:');
}

function resolveFile(specifier: string, fromDir: string): Target {
  let file: string;
  try {
    file = specifier.startsWith('file:') ? fileURLToPath(specifier) : path.resolve(fromDir, specifier);
  } catch (error) {
    return {
      ok: false,
      message: `retry strategy plugin "${specifier}" is not a usable file URL: ${(error as Error).message}`,
    };
  }
  if (!existsSync(file)) {
    return {
      ok: false,
      message: `retry strategy plugin "${specifier}" not found: ${file} does not exist (relative paths start from ${fromDir})`,
    };
  }
  return { ok: true, url: pathToFileURL(file).href };
}

/**
 * From the config folder first, so a project's own node_modules wins: `require.resolve` for CommonJS
 * and dual packages, then our reading of "exports" for ESM-only ones (Node 20's require cannot see
 * an "import"-only export, and its import.meta.resolve cannot start from another folder); last,
 * import.meta.resolve from Dispatchr's own location, for plugins installed next to Dispatchr.
 */
function resolvePackage(specifier: string, fromDir: string): Target {
  let reason: string;
  try {
    const file = createRequire(path.join(fromDir, 'noop.js')).resolve(specifier);
    return { ok: true, url: pathToFileURL(file).href };
  } catch (error) {
    reason =
      (error as { code?: string }).code === 'MODULE_NOT_FOUND'
        ? 'not found'
        : String((error as Error).message).split('\n')[0];
  }
  const esmFile = resolveEsmOnlyPackage(specifier, fromDir);
  if (esmFile !== undefined && existsSync(esmFile)) return { ok: true, url: pathToFileURL(esmFile).href };
  try {
    if (typeof import.meta.resolve === 'function') {
      const url = import.meta.resolve(specifier);
      if (url.startsWith('file:') && existsSync(fileURLToPath(url))) return { ok: true, url };
    }
  } catch {
    // keep the reason from the config folder: that is where the user expects the package
  }
  if (reason === 'not found') {
    // a near-miss of a built-in name is far likelier a typo than a package
    if (suggestStrategyName(specifier) !== undefined) return { ok: false, message: unknownStrategyMessage(specifier) };
    const hint = /\.[cm]?js$/.test(specifier) ? `; for a file next to the config write "./${specifier}"` : '';
    return {
      ok: false,
      message: `${unknownStrategyMessage(specifier)} (no package "${specifier}" found from ${fromDir})${hint}`,
    };
  }
  return {
    ok: false,
    message: `retry strategy package "${specifier}" could not be resolved from ${fromDir}: ${reason}`,
  };
}

const IMPORT_CONDITIONS = new Set(['import', 'node', 'default']);

/** The file an `import` of `name[/sub]` from `fromDir` would load, following "exports" (no subpath patterns). */
function resolveEsmOnlyPackage(specifier: string, fromDir: string): string | undefined {
  const match = /^((?:@[^/]+\/)?[^/@][^/]*)(\/.+)?$/.exec(specifier);
  if (!match) return undefined;
  const [, name, rest] = match;
  const subpath = rest === undefined ? '.' : `.${rest}`;
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const packageDir = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(packageDir, 'package.json'))) {
      let manifest: { exports?: unknown; main?: unknown };
      try {
        manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        return undefined;
      }
      const target =
        manifest.exports === undefined
          ? subpath === '.'
            ? typeof manifest.main === 'string'
              ? manifest.main
              : 'index.js'
            : subpath
          : exportTarget(manifest.exports, subpath);
      return target === undefined ? undefined : path.resolve(packageDir, target);
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** "exports" is a target for "." (string, array or conditions) or a map of subpaths to targets. */
function exportTarget(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap = isRecord(exports) && Object.keys(exports).some((key) => key.startsWith('.'));
  if (isSubpathMap) return pickCondition(exports[subpath]);
  return subpath === '.' ? pickCondition(exports) : undefined;
}

/** The first target whose condition applies to an `import` in Node, in the package's own key order. */
function pickCondition(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  const candidates = Array.isArray(entry)
    ? entry
    : isRecord(entry)
      ? Object.entries(entry)
          .filter(([condition]) => IMPORT_CONDITIONS.has(condition))
          .map(([, value]) => value)
      : [];
  for (const candidate of candidates) {
    const target = pickCondition(candidate);
    if (target !== undefined) return target;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function displayUrl(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url;
}

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DispatchrError, type ErrorDetail } from '../errors.js';
import { checkHost } from '../net-address.js';
import { configSchema, type Config, type ConfigInput } from './schema.js';
import { interpolateEnv } from './env.js';
import { formatIssues } from './format-issues.js';
import { isSecretConfigPath } from './redact.js';
import { formatDuration, parseDuration } from '../duration.js';
import { LEASE_HEADROOM_MS, longestTimeoutFor } from '../rules/task-limits.js';
import { checkCronDefinition } from '../cron/cron-queue-check.js';
import { checkQueueCallbacks } from './callback-check.js';

const DEFAULT_LEASE = '2m';
const DEFAULT_TIMEOUT = '30s';

/** A validated config plus where it came from; relative paths in it resolve from `dir`. */
export interface ResolvedConfig extends Config {
  source: { file: string | null; dir: string };
}

export interface LoadOptions {
  /** Explicit --config; else DISPATCHR_CONFIG; else ./dispatchr.yml. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Allow a missing default file (the embedded SQLite default with no queues). */
  allowMissing?: boolean;
}

export function resolveConfigPath(options: LoadOptions): { file: string; explicit: boolean } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const chosen = options.file ?? env.DISPATCHR_CONFIG;
  return { file: path.resolve(cwd, chosen ?? 'dispatchr.yml'), explicit: chosen !== undefined };
}

/** Reads, interpolates and validates a config file; throws DispatchrError `config_invalid` listing every problem. */
export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  const { file, explicit } = resolveConfigPath(options);
  if (!existsSync(file)) {
    if (explicit || !options.allowMissing) {
      throw new DispatchrError('config_not_found', `config file ${file} does not exist`, { status: 2 });
    }
    return parseConfig({}, { file: null, dir: options.cwd ?? process.cwd() }, options.env);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DispatchrError(
      'config_unreadable',
      `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { status: 2 },
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw yamlError(file, error);
  }
  return parseConfig(raw, { file, dir: path.dirname(file) }, options.env);
}

/**
 * A YAML syntax error as an editor would point at it: `file:line:column: not valid YAML: reason`,
 * then the yaml library's code frame (the line and a caret under the column), indented. The frame
 * shows the file as written, before any ${VAR} is substituted, so no environment value is in it.
 */
function yamlError(file: string, error: unknown): DispatchrError {
  const message = error instanceof Error ? error.message : String(error);
  const [first, ...frame] = message.split('\n');
  const at =
    error instanceof YAMLParseError && error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
  const reason = first.replace(/ at line \d+, column \d+:?\s*$/, '');
  const lines = frame.filter((line) => line.trim() !== '').map((line) => `  ${line}`);
  return new DispatchrError('config_invalid', `${file}${at}: not valid YAML: ${reason}`, {
    status: 2,
    details: [{ path: `${file}${at}`, message: [`not valid YAML: ${reason}`, ...lines].join('\n') }],
  });
}

/** Validates an already-parsed config object (tests and programmatic use). */
export function parseConfig(
  raw: unknown,
  source: ResolvedConfig['source'] = { file: null, dir: process.cwd() },
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const problems: ErrorDetail[] = [];
  const fromEnvironment = new Set<string>();
  const interpolated = interpolateEnv(raw, env, problems, fromEnvironment);
  const result = configSchema.safeParse(interpolated, { reportInput: true });
  // A rejected value is not echoed where it may be a secret: a credential's key, or the environment.
  const hidden = (key: string) => fromEnvironment.has(key) || isSecretConfigPath(key.split('.'));
  // A variable that is not set is reported once, not again as the empty value it left behind.
  const unset = new Set(problems.map((problem) => problem.path));
  if (!result.success)
    problems.push(...formatIssues(result.error.issues, { hidden }).filter((problem) => !unset.has(problem.path)));
  problems.push(...crossFieldProblems(interpolated));
  if (problems.length > 0) {
    throw new DispatchrError(
      'config_invalid',
      `${problems.length} problem${problems.length > 1 ? 's' : ''} in the config`,
      {
        status: 2,
        details: problems,
      },
    );
  }
  const config = result.data as Config;
  const cronProblems = [...checkCronSection(config), ...checkQueueCallbacks(config)];
  if (cronProblems.length > 0) {
    throw new DispatchrError(
      'config_invalid',
      `${cronProblems.length} problem${cronProblems.length > 1 ? 's' : ''} in the config`,
      {
        status: 2,
        details: cronProblems,
      },
    );
  }
  for (const queue of Object.values(config.queues)) {
    if (queue.rateLimit && queue.rateLimit.burst === undefined)
      queue.rateLimit.burst = Math.max(1, Math.ceil(queue.rateLimit.perSecond));
  }
  return { ...config, source };
}

/**
 * Rules that span keys. They read the raw values defensively, so they are reported together with
 * shape errors elsewhere (every problem at once); a field that is itself malformed is left to zod.
 */
function crossFieldProblems(raw: unknown): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const root = isObject(raw) ? raw : {};
  const scheduler = isObject(root.scheduler) ? root.scheduler : {};
  const leaseMs = parseDuration(scheduler.leaseDuration ?? DEFAULT_LEASE, 'ms');
  const queues = isObject(root.queues) ? root.queues : {};
  for (const [name, queue] of Object.entries(queues)) {
    if (!isObject(queue)) continue;
    const timeoutMs = parseDuration(queue.timeout ?? DEFAULT_TIMEOUT, 'ms');
    if (leaseMs !== undefined && timeoutMs !== undefined && timeoutMs > longestTimeoutFor(leaseMs)) {
      problems.push({
        path: `queues.${name}.timeout`,
        message: `expected a timeout at least ${LEASE_HEADROOM_MS / 1000} s shorter than scheduler.leaseDuration (${formatDuration(leaseMs)}), got ${formatDuration(timeoutMs)}`,
      });
    }
    const host =
      typeof queue.target === 'string' && URL.canParse(queue.target) ? new URL(queue.target).hostname : undefined;
    if (host === undefined) continue;
    // The same rule the dispatch worker applies before connecting (net-address.ts checkHost).
    const decision = checkHost(host, queue.allowPrivateNetwork === true);
    if (!decision.allowed) {
      const message =
        decision.kind === 'private'
          ? `${decision.what} is private: set queues.${name}.allowPrivateNetwork: true to allow it`
          : decision.reason;
      problems.push({ path: `queues.${name}.target`, message });
    }
  }
  return problems;
}

/** Each cron entry against its queue (the check `PUT /v1/cron/{name}` runs too), once the shapes are valid. */
function checkCronSection(config: Config): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [name, entry] of Object.entries(config.cron)) {
    const result = checkCronDefinition(entry, config.queues, config.scheduler.leaseDuration);
    if (!result.ok)
      for (const issue of result.issues)
        problems.push({ path: ['cron', name, ...issue.path].join('.'), message: issue.message });
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type { Config, ConfigInput };

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DispatchrError, type ErrorDetail } from '../errors.js';
import { isLiteralPrivateHost, isMetadataHost } from '../net-address.js';
import { configSchema, type Config, type ConfigInput } from './schema.js';
import { interpolateEnv } from './env.js';
import { formatIssues } from './format-issues.js';
import { formatDuration, parseDuration } from '../duration.js';

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
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new DispatchrError('config_invalid', `${file}: not valid YAML${where}`, {
      status: 2,
      details: [{ path: '(file)', message: `not valid YAML${where}: ${(error as Error).message.split('\n')[0]}` }],
    });
  }
  return parseConfig(raw, { file, dir: path.dirname(file) }, options.env);
}

/** Validates an already-parsed config object (tests and programmatic use). */
export function parseConfig(
  raw: unknown,
  source: ResolvedConfig['source'] = { file: null, dir: process.cwd() },
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const problems: ErrorDetail[] = [];
  const interpolated = interpolateEnv(raw, env, problems);
  const result = configSchema.safeParse(interpolated, { reportInput: true });
  if (!result.success) problems.push(...formatIssues(result.error.issues));
  problems.push(...crossFieldProblems(interpolated));
  if (problems.length > 0) {
    throw new DispatchrError('config_invalid', `${problems.length} problem${problems.length > 1 ? 's' : ''} in the config`, {
      status: 2,
      details: problems,
    });
  }
  const config = result.data as Config;
  for (const queue of Object.values(config.queues)) {
    if (queue.signingSecret === '') queue.signingSecret = undefined; // ${X:-} switches signing off
    if (queue.rateLimit && queue.rateLimit.burst === undefined) queue.rateLimit.burst = Math.max(1, Math.ceil(queue.rateLimit.perSecond));
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
    if (leaseMs !== undefined && timeoutMs !== undefined && timeoutMs >= leaseMs) {
      problems.push({
        path: `queues.${name}.timeout`,
        message: `expected a timeout shorter than scheduler.leaseDuration (${formatDuration(leaseMs)}), got ${formatDuration(timeoutMs)}`,
      });
    }
    const host = typeof queue.target === 'string' && URL.canParse(queue.target) ? new URL(queue.target).hostname : undefined;
    if (host === undefined) continue;
    if (isMetadataHost(host)) {
      problems.push({ path: `queues.${name}.target`, message: `${host} is a cloud metadata address and is never allowed` });
    } else if (queue.allowPrivateNetwork !== true && isLiteralPrivateHost(host)) {
      problems.push({
        path: `queues.${name}.target`,
        message: `${host} is a loopback or private address: set queues.${name}.allowPrivateNetwork: true to allow it`,
      });
    }
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type { Config, ConfigInput };

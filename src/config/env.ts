import { parse as parseYamlScalar } from 'yaml';
import type { ErrorDetail } from '../errors.js';

/**
 * `${VAR}` and `${VAR:-default}` in string values, taken from the environment. Substitution runs on
 * parsed values, not on the YAML text, so a variable can never inject YAML structure. A value that is
 * exactly one reference is re-read as a YAML scalar, so `port: ${PORT}` becomes a number.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: ErrorDetail[],
  path: string[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, problems, [...path, String(index)]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, problems, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(value: string, env: NodeJS.ProcessEnv, problems: ErrorDetail[], path: string[]): unknown {
  const whole = /^\$\{[^}]+\}$/.test(value);
  const result = value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path: path.join('.'), message: `environment variable ${name} is not set (write \${${name}:-default} for a default)` });
    return '';
  });
  if (!whole || result === '') return result;
  const scalar = parseYamlScalar(result) as unknown;
  return typeof scalar === 'number' || typeof scalar === 'boolean' ? scalar : result;
}

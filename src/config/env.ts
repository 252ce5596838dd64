import { parse as parseYamlScalar } from 'yaml';
import type { ErrorDetail } from '../errors.js';
import { isSecretConfigPath } from './redact.js';

/**
 * `${VAR}` and `${VAR:-default}` in string values, taken from the environment. Substitution runs on
 * parsed values, not on the YAML text, so a variable can never inject YAML structure. A value that is
 * exactly one reference is re-read as a YAML scalar, so `port: ${PORT}` becomes a number, except
 * under a key that holds a credential (isSecretConfigPath): `signingSecret: ${SECRET}` stays the
 * string the environment holds, digits-only or not, rather than becoming a number a validation
 * error would then print.
 *
 * `substituted`, when given, receives the dotted path of every value that took text from the
 * environment: validation errors do not echo those values (format-issues.ts), since environment
 * variables are where secrets live.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: ErrorDetail[],
  substituted?: Set<string>,
): unknown {
  return interpolateValue(value, env, problems, [], substituted);
}

function interpolateValue(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: ErrorDetail[],
  path: string[],
  substituted?: Set<string>,
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, problems, path, substituted);
  if (Array.isArray(value))
    return value.map((item, index) => interpolateValue(item, env, problems, [...path, String(index)], substituted));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = interpolateValue(item, env, problems, [...path, key], substituted);
    return out;
  }
  return value;
}

function interpolateString(
  value: string,
  env: NodeJS.ProcessEnv,
  problems: ErrorDetail[],
  path: string[],
  substituted?: Set<string>,
): unknown {
  const whole = /^\$\{[^}]+\}$/.test(value);
  let fromEnvironment = false;
  const result = value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') {
      fromEnvironment = true;
      return found;
    }
    if (fallback !== undefined) return fallback;
    problems.push({
      path: path.join('.'),
      message: `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
    });
    return '';
  });
  if (fromEnvironment) substituted?.add(path.join('.'));
  if (!whole || result === '' || isSecretConfigPath(path)) return result;
  const scalar = parseYamlScalar(result) as unknown;
  return typeof scalar === 'number' || typeof scalar === 'boolean' ? scalar : result;
}

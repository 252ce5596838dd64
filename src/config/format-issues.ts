import type { z } from 'zod';
import type { ErrorDetail } from '../errors.js';
import { redactUrl } from './redact.js';

/**
 * Turns zod issues into `key.path: expected ..., got ...` lines. The wording names the limit and the
 * value received, the way a person fixing a config file needs it.
 *
 * `hidden` names the paths whose received value must not be printed (a credential's key, a value
 * taken from the environment): there the line says what kind of value came ("got a string (not
 * shown)") and keeps the limit. A printed string that is a URL loses its credentials. The recorder
 * reuses this for request bodies without `hidden`: a caller may see what it sent.
 */
export interface FormatOptions {
  hidden?: (path: string) => boolean;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], options: FormatOptions = {}): ErrorDetail[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest, not "invalid input".
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
      return formatIssues(
        best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })),
        options,
      );
    }
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      // A record's key (a queue or cron entry name) that breaks its rule: say the rule, not "Invalid key".
      const path = issue.path.map(String).join('.');
      const rule = issue.issues[0].message;
      return [{ path: path || '(root)', message: `${rule}, got ${JSON.stringify(String(issue.input ?? ''))}` }];
    }
    if (issue.code === 'unrecognized_keys') {
      // One line per key, with the key in the path, so the user sees exactly which line to fix.
      return issue.keys.map((key) => ({ path: [...issue.path.map(String), key].join('.'), message: 'unknown key' }));
    }
    const path = issue.path.map(String).join('.');
    const message = describe(issue);
    return [{ path: path || '(root)', message: options.hidden?.(path) ? withoutValue(message, issue) : message }];
  });
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length + (issue.code === 'invalid_type' ? 0 : 1)));
}

function got(issue: { input?: unknown }): string {
  if (!('input' in issue)) return '';
  const input = issue.input;
  if (input === undefined) return ', got nothing';
  // A whole object or list is never echoed: a check on an object (a cron entry's headers, say)
  // would print every value beside the one at fault, credentials included.
  if (typeof input === 'object' && input !== null) return Array.isArray(input) ? ', got a list' : ', got an object';
  const text = JSON.stringify(typeof input === 'string' ? redactUrl(input, { keepUser: false }) : input);
  return `, got ${text === undefined ? String(input) : text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** The message with the received value cut off (our messages put it last, after ", got "). */
function withoutValue(message: string, issue: { input?: unknown }): string {
  const at = message.lastIndexOf(', got ');
  const kept = at === -1 ? message : message.slice(0, at);
  if (!('input' in issue) || issue.input === undefined) return at === -1 ? kept : `${kept}, got nothing`;
  const kind =
    typeof issue.input === 'string'
      ? 'a string'
      : typeof issue.input === 'number'
        ? 'a number'
        : Array.isArray(issue.input)
          ? 'a list'
          : `a ${typeof issue.input}`;
  return `${kept}, got ${kind} (not shown)`;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) {
    // our own wording; custom checks already say what they got
    return issue.message.includes(', got ') ? issue.message : `${issue.message}${got(issue)}`;
  }
  switch (issue.code) {
    case 'too_small': {
      const op = issue.inclusive === false ? '>' : '>=';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        const kind =
          (issue as { format?: string }).format === 'safeint' || issue.origin === 'int' ? 'an integer' : 'a number';
        return `expected ${kind} ${op} ${String(issue.minimum)}${got(issue)}`;
      }
      if (issue.origin === 'string') return `expected at least ${String(issue.minimum)} characters${got(issue)}`;
      return `expected at least ${String(issue.minimum)} items${got(issue)}`;
    }
    case 'too_big': {
      const op = issue.inclusive === false ? '<' : '<=';
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
        return `expected a number ${op} ${String(issue.maximum)}${got(issue)}`;
      }
      if (issue.origin === 'string') return `expected at most ${String(issue.maximum)} characters${got(issue)}`;
      return `expected at most ${String(issue.maximum)} items${got(issue)}`;
    }
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}${got(issue)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got(issue)}`;
    default: {
      const message = issue.message.startsWith('expected') ? issue.message : `invalid: ${issue.message}`;
      return message.includes(', got ') ? message : `${message}${got(issue)}`;
    }
  }
}

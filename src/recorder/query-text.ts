import type { ParsedUrlQuery } from 'node:querystring';
import type { ErrorDetail } from '../errors.js';
import { textProblem } from '../rules/json-safety.js';
import { validationError } from './errors.js';

/**
 * Every query parameter of every route, before its handler: text the database cannot hold (NUL,
 * which PostgreSQL refuses in text parameters, and unpaired surrogates) is a 400 naming the
 * parameter, rather than a 500 from the query it would have reached. One check here, so a route
 * added later cannot forget it.
 */
export function requireStorableQuery(query: ParsedUrlQuery): void {
  const problems: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    const nameProblem = textProblem(name);
    const problem = nameProblem ?? values.map(textProblem).find((found) => found !== null);
    // A bad name is not echoed as the path: it is the bad text itself.
    if (problem) problems.push({ path: nameProblem ? '(query)' : name, message: problem });
  }
  if (problems.length > 0) throw validationError(problems);
}

/**
 * A route that declares no query parameters takes none: `POST …/purge?state=failed` must not
 * purge everything while the caller believes it narrowed the purge (spec 4.1). Routes that declare
 * some refuse the unknown ones in their own schema.
 */
export function requireNoQuery(query: ParsedUrlQuery): void {
  const names = Object.keys(query);
  if (names.length === 0) return;
  throw validationError(
    names.map((name) => ({
      path: textProblem(name) ? '(query)' : name,
      message: 'this route takes no query parameters',
    })),
  );
}

import type { z } from 'zod';
import { formatIssues } from '../config/format-issues.js';
import type { ErrorDetail } from '../errors.js';
import { joinPath } from '../rules/json-safety.js';
import { validationError } from './errors.js';

/**
 * Validates with zod and turns every issue into a dotted `{ path, message }` in one 400. The
 * recorder's routes and the operator's database mode both parse input with it, so a bad field is
 * refused with the same words through either door.
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw validationError(describeIssues(result.error.issues));
  return result.data;
}

/** Our own checks already word their message for the field; zod's built-in ones get the config wording. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.flatMap((issue) =>
    issue.code === 'custom'
      ? [
          {
            path: joinPath(issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))),
            message: issue.message,
          },
        ]
      : formatIssues([issue]),
  );
}

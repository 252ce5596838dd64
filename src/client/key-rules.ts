import { bareSecondsHint, parseDuration } from '../duration.js';
import {
  isKeyMode,
  KEY_MODES,
  keyOptionProblems,
  MAX_KEY_MAX_WAIT_MS,
  MAX_KEY_RETENTION_MS,
  type KeyMode,
} from '../rules/task-keys.js';

/**
 * `enqueueWithin()`'s checks of keyMode, keyMaxWait and keyRetention: the recorder's rules
 * (rules/task-keys.ts, docs/spec.md 11.2), each problem reported with its field and its limit.
 */
export interface CheckedKeyOptions {
  keyMode?: KeyMode;
  keyMaxWaitMs?: number | null;
  keyRetentionMs?: number | null;
}

export function checkKeyOptions(
  task: { key?: unknown; keyMode?: unknown; keyMaxWait?: unknown; keyRetention?: unknown },
  problem: (path: string, message: string) => void,
): CheckedKeyOptions {
  for (const issue of keyOptionProblems(task)) problem(issue.path, issue.message);
  if (task.keyMode !== undefined && !isKeyMode(task.keyMode))
    problem('keyMode', `expected one of ${KEY_MODES.join(', ')}`);
  const keyMaxWaitMs = duration(task.keyMaxWait, 'keyMaxWait', MAX_KEY_MAX_WAIT_MS, 'one year (366 days)', problem);
  const keyRetentionMs = duration(task.keyRetention, 'keyRetention', MAX_KEY_RETENTION_MS, '7 days', problem);
  if (task.key === undefined) return {};
  return { keyMode: isKeyMode(task.keyMode) ? task.keyMode : 'keep', keyMaxWaitMs, keyRetentionMs };
}

function duration(
  value: unknown,
  field: string,
  maxMs: number,
  maxText: string,
  problem: (path: string, message: string) => void,
): number | null {
  if (value === undefined) return null;
  const ms = parseDuration(value, 's');
  if (ms === undefined) problem(field, 'expected a duration like "90s", "10m" or a number of seconds');
  else if (ms <= 0) problem(field, 'expected a duration greater than 0');
  else if (ms > maxMs) problem(field, `expected at most ${maxText}${bareSecondsHint(value)}`);
  else return ms;
  return null;
}

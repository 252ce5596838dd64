import { MAX_PATH_LENGTH } from '../rules/target-path.js';
import { rememberedTaskPath } from './remembered-task-path.js';
import { MAX_BATCH, type TaskInput } from './schemas/task-input.schema.js';

/**
 * The common create, `{ path, body }` and nothing else (a batch: `{ tasks: [...] }` of those),
 * recognized without zod. Such a task meets every rule of the schema once its path is a valid
 * path: it has no field that another rule reads (no method, content type, key, time, limit,
 * retry or callback), and `body` takes any JSON value. Anything else, valid or not, answers
 * undefined and goes through the schema, which words every problem; so this changes no verdict and
 * no message, only skips the schema's walk (about 2 µs a task, most of a batch's validation).
 * The value was already checked by readJsonBody (depth, `__proto__`, numbers).
 */
export function plainTasks(value: unknown, kind: 'single' | 'batch', target: string): TaskInput[] | undefined {
  if (kind === 'single') return isPlainTask(value, target) ? [value] : undefined;
  if (!isRecord(value)) return undefined;
  const tasks = value.tasks;
  if (!Array.isArray(tasks) || tasks.length === 0 || tasks.length > MAX_BATCH) return undefined;
  for (const key in value) if (key !== 'tasks') return undefined;
  for (let i = 0; i < tasks.length; i++) if (!isPlainTask(tasks[i], target)) return undefined;
  return tasks as TaskInput[];
}

function isPlainTask(value: unknown, target: string): value is TaskInput {
  if (!isRecord(value)) return false;
  // for...in over JSON.parse's output: own, enumerable keys only (its objects' prototype is bare Object).
  for (const key in value) if (key !== 'path' && key !== 'body') return false;
  const path = value.path;
  if (path === undefined) return true;
  return typeof path === 'string' && path.length <= MAX_PATH_LENGTH && rememberedTaskPath(target, path).ok;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

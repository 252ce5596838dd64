import { isUtf8 } from 'node:buffer';
import type { TaskResource } from '../recorder/schemas/resource.schema.js';

/**
 * `dispatchr tasks show ID --response`: the task's stored result (docs/spec.md 11.4), the final
 * attempt's response body. Text (UTF-8) is printed as it is, binary as base64; the command's
 * print() escapes control characters, so a target's answer cannot drive the terminal.
 */
export function formatResult(task: TaskResource): string {
  const result = task.result;
  if (result === undefined || result === null) {
    return task.finalizedAt === null
      ? `task ${task.id} has not finished: no result yet`
      : `task ${task.id} finished without a response: no result`;
  }
  const body = Buffer.from(result.bodyBase64, 'base64');
  const text = isUtf8(body);
  const head = `content-type: ${result.contentType ?? '(not kept)'}, ${body.length} bytes${text ? '' : ', base64'}`;
  return `${head}\n\n${text ? body.toString('utf8') : result.bodyBase64}`;
}

/** The task's callbacks for `tasks show`: `on complete done:/ok; on failure (queue's)`. */
export function callbacksText(task: TaskResource): string | null {
  const parts: string[] = [];
  if (task.onComplete) parts.push(`on complete ${task.onComplete.queue}:${task.onComplete.path || '/'}`);
  if (task.onFailure) parts.push(`on failure ${task.onFailure.queue}:${task.onFailure.path || '/'}`);
  return parts.length === 0 ? null : parts.join('; ');
}

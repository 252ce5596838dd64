import type { Task } from '../api/types';
import { formatBytes } from '../format';
import { href } from '../router';

/**
 * The task's stored result (docs/spec.md 11.4): the final attempt's response body, up to the
 * queue's response.maxBytes, and its content type. Text in a <pre>, never markup; bytes that are
 * not UTF-8 are shown as base64.
 */
export function TaskResult({ task }: { task: Task }) {
  const result = task.result;
  if (result === undefined || result === null) {
    return (
      <p class="muted" data-testid="task-result">
        {task.finalizedAt === null ? 'No result yet: the task has not finished.' : 'No result: no response arrived.'}
      </p>
    );
  }
  const bytes = Uint8Array.from(atob(result.bodyBase64), (c) => c.charCodeAt(0));
  let text: string;
  let note: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    note = `${result.contentType ?? 'Content type not kept'} · ${formatBytes(bytes.length)}`;
  } catch {
    text = result.bodyBase64;
    note = `${result.contentType ?? 'Content type not kept'} · ${formatBytes(bytes.length)} · not UTF-8 text: shown as base64`;
  }
  return (
    <div>
      <p class="muted small" data-testid="task-result-note">
        {note}
      </p>
      <pre class="body" data-testid="task-result">
        {text === '' ? '(empty body)' : text}
      </pre>
    </div>
  );
}

/** The task's callbacks as a line: "on complete → receipts:/send; on failure → the queue's". */
export function callbacksText(task: Task): string {
  const one = (target: { queue: string; path: string } | null | undefined) =>
    target ? `${target.queue}:${target.path || '/'}` : 'the queue’s, if any';
  return `on complete → ${one(task.onComplete)}; on failure → ${one(task.onFailure)}`;
}

/** A callback task links to the task it reports on. */
export function CallbackOf({ id }: { id: string }) {
  return (
    <a class="mono" href={href(['tasks', id])} data-testid="task-callback-of">
      {id}
    </a>
  );
}

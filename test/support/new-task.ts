import type { NewTask } from '../../src/task.js';

/** A task to insert through the repository: due now, no body, no key, no limits of its own. */
export function newTask(queue: string, overrides: Partial<NewTask> = {}): NewTask {
  return {
    queue,
    path: '/',
    method: 'POST',
    headers: {},
    body: null,
    contentType: null,
    runAt: new Date(),
    maxAttempts: null,
    timeoutMs: null,
    key: null,
    traceparent: null,
    ...overrides,
  };
}

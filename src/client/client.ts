import { randomUUID } from 'node:crypto';
import { createTransport, type Transport, type TransportOptions } from './transport.js';
import type {
  CallOptions,
  CreateOptions,
  Deduplicated,
  EnqueuedTask,
  GetOptions,
  ListOptions,
  Task,
  TaskInput,
  TaskPage,
} from './types.js';

/**
 * The recorder API from an application: `new DispatchrClient({ url, token })`, then
 * `enqueue(queue, task)`. Each create carries an Idempotency-Key made once per call and reused on
 * the client's own retries, so a create retried after a lost answer never makes a second task.
 * Validation is the recorder's: it knows the queue's target and the lease, the client does not.
 */
export type DispatchrClientOptions = TransportOptions;

export class DispatchrClient {
  readonly #send: Transport;

  constructor(options: DispatchrClientOptions) {
    this.#send = createTransport(options);
  }

  /**
   * Creates one task. `deduplicated` is false when it made one; else `kept`, `replaced` or
   * `debounced`: what it did to the task holding `key`, which it answers (spec 11.2).
   */
  async enqueue(queue: string, task: TaskInput, options: CreateOptions = {}): Promise<EnqueuedTask> {
    const response = await this.#send<Task>({
      method: 'POST',
      path: `${queuePath(queue)}/tasks`,
      body: toApiTask(task),
      retry: 'safe',
      idempotencyKey: options.idempotencyKey ?? randomUUID(),
      signal: options.signal,
    });
    return {
      ...response.body,
      deduplicated: response.status === 200 ? dedupOutcome(response.headers.get('dispatchr-deduplicated')) : false,
    };
  }

  /**
   * Creates up to 1,000 tasks in one transaction: all of them or none. Answers in the given order,
   * in the basic view (no headers or body: the recorder does not echo a whole batch back).
   */
  async enqueueMany(queue: string, tasks: readonly TaskInput[], options: CreateOptions = {}): Promise<EnqueuedTask[]> {
    if (tasks.length === 0) return [];
    const response = await this.#send<{ tasks: (Task & { deduplicated?: Deduplicated | true })[] }>({
      method: 'POST',
      path: `${queuePath(queue)}/tasks/batch`,
      body: { tasks: tasks.map(toApiTask) },
      retry: 'safe',
      idempotencyKey: options.idempotencyKey ?? randomUUID(),
      signal: options.signal,
    });
    return response.body.tasks.map((task) => ({
      ...task,
      deduplicated: task.deduplicated ? dedupOutcome(String(task.deduplicated)) : false,
    }));
  }

  /**
   * The task with every attempt, oldest first, in the full view unless `view: 'basic'`. A task that
   * does not exist is `task_not_found` (404).
   */
  async get(id: string, options: GetOptions & CallOptions = {}): Promise<Task> {
    const query = { view: options.view };
    return (await this.#send<Task>({ method: 'GET', path: taskPath(id), query, retry: 'safe', signal: options.signal }))
      .body;
  }

  /**
   * One page of a queue's tasks, newest first, in the basic view unless `view: 'full'`; pass
   * `nextCursor` back as `cursor` for the next. A page may end before `limit` (the recorder's byte
   * budget); only a null `nextCursor` means the end.
   */
  async list(queue: string, options: ListOptions & CallOptions = {}): Promise<TaskPage> {
    const { state, limit, cursor, view, signal } = options;
    const query = { state, limit, cursor, view };
    return (
      await this.#send<TaskPage>({ method: 'GET', path: `${queuePath(queue)}/tasks`, query, retry: 'safe', signal })
    ).body;
  }

  /**
   * A waiting or running task → `cancelled`; a finished one is `invalid_transition` (409). A running
   * task's request is cut, but its target may already have done the work (spec 11.6).
   */
  cancel(id: string, options: CallOptions = {}): Promise<Task> {
    return this.#action(id, 'cancel', options);
  }

  /**
   * A `failed` or `cancelled` task → `available` now, with a fresh retry budget (history kept). A task
   * cancelled while running is `lease_held` (409) until its scheduler lets go of it (spec 11.6).
   */
  retry(id: string, options: CallOptions = {}): Promise<Task> {
    return this.#action(id, 'retry', options);
  }

  /** A `scheduled` or `retryable` task → `available` now. */
  run(id: string, options: CallOptions = {}): Promise<Task> {
    return this.#action(id, 'run', options);
  }

  /**
   * The unfinished task of the queue that holds `key` (spec 11.2), in the full view; none is
   * `task_not_found` (404). A finished task still reserving its key (keyRetention) is not answered.
   */
  async findByKey(queue: string, key: string, options: CallOptions = {}): Promise<Task> {
    return (await this.#send<Task>({ method: 'GET', path: keyPath(queue, key), retry: 'safe', signal: options.signal }))
      .body;
  }

  /** Cancels the unfinished task that holds `key`, as `cancel(id)` does; none is `task_not_found` (404). */
  async cancelByKey(queue: string, key: string, options: CallOptions = {}): Promise<Task> {
    // Not repeated after a request that may have arrived, like cancel(id).
    return (
      await this.#send<Task>({
        method: 'POST',
        path: `${keyPath(queue, key)}/cancel`,
        retry: 'unsent',
        signal: options.signal,
      })
    ).body;
  }

  /** Deletes a finished task and its attempts; an unfinished one is `invalid_state` (409). */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.#send({ method: 'DELETE', path: taskPath(id), retry: 'unsent', signal: options.signal });
  }

  async #action(id: string, action: 'cancel' | 'retry' | 'run', options: CallOptions): Promise<Task> {
    // Not repeated after a request that may have arrived: a second cancel would answer 409 for a
    // cancel that in fact succeeded.
    return (
      await this.#send<Task>({
        method: 'POST',
        path: `${taskPath(id)}/${action}`,
        retry: 'unsent',
        signal: options.signal,
      })
    ).body;
  }
}

const queuePath = (queue: string): string => `/v1/queues/${encodeURIComponent(queue)}`;
const taskPath = (id: string): string => `/v1/tasks/${encodeURIComponent(id)}`;
const keyPath = (queue: string, key: string): string => `${queuePath(queue)}/keys/${encodeURIComponent(key)}`;

/** A 200's Dispatchr-Deduplicated, or a batch item's; a recorder older than key modes answered "true" (true), which was keep. */
function dedupOutcome(value: string | null): Exclude<Deduplicated, false> {
  return value === 'replaced' || value === 'debounced' ? value : 'kept';
}

/** TaskInput → the API's JSON: Dates as RFC 3339, byte bodies as base64. Anything else as given. */
export function toApiTask(task: TaskInput): Record<string, unknown> {
  const { body, runAt, ...rest } = task;
  const json: Record<string, unknown> = { ...rest };
  if (body instanceof Uint8Array)
    json.bodyBase64 = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64');
  else if (body !== undefined) json.body = body;
  if (runAt !== undefined) json.runAt = runAt instanceof Date ? runAt.toISOString() : runAt;
  return json;
}

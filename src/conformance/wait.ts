/**
 * Helpers the cases share: creating a task through the API and waiting for a task to reach a
 * state. The kit sees task states only through `GET /v1/tasks/{id}` (spec 4.8), so waiting is
 * polling; 100 ms is short next to the kit's 300 ms retry delays.
 */
import { excerpt, KitFailure } from './assert.js';
import type { KitContext } from './kit.js';

const POLL_MS = 100;

/** Polls `GET /v1/tasks/{id}` (admin) until predicate(task) holds; returns that task. */
export async function waitForTask(
  kit: KitContext,
  id: string,
  predicate: (task: any) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  let lastStatus = 0;
  for (;;) {
    const res = await kit.api.request('GET', `/v1/tasks/${encodeURIComponent(id)}`);
    lastStatus = res.status;
    if (res.status === 200) {
      last = res.json;
      if (predicate(last)) return last;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const seen =
    lastStatus === 200
      ? `last seen in state ${JSON.stringify(last?.state)} after ${last?.attempt ?? last?.attempts?.length ?? '?'} attempt(s)`
      : `GET /v1/tasks/${id} answered ${lastStatus}`;
  throw new KitFailure(`${what}: not reached within ${timeoutMs} ms (task ${id} ${seen})`);
}

export interface CreateOptions {
  /** Default: the enqueue token (what an application holds). */
  token?: string | null;
  headers?: Record<string, string>;
}

/** POSTs `/v1/queues/{queue}/tasks` and returns the task JSON; fails unless the answer is 201 or 200. */
export async function createTask(
  kit: KitContext,
  queue: string,
  body: unknown,
  options: CreateOptions = {},
): Promise<any> {
  const res = await kit.api.request('POST', `/v1/queues/${encodeURIComponent(queue)}/tasks`, {
    token: options.token === undefined ? kit.tokens.enqueue : options.token,
    body,
    headers: options.headers,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new KitFailure(`creating a task in ${queue}: expected 201 or 200, got ${res.status}: ${excerpt(res.text)}`);
  if (!res.json || typeof res.json.id !== 'string')
    throw new KitFailure(`creating a task in ${queue}: the answer has no task id: ${excerpt(res.text)}`);
  return res.json;
}

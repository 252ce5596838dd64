/**
 * What the dispatch and guarantee cases share: scripted target paths, reading a task, waiting for
 * it to finish, and the request headers the target saw. Everything goes through the API and the
 * kit's own target: the kit never looks inside the implementation.
 */
import { expectEqual, expectTrue, KitFailure } from '../assert.js';
import type { KitContext } from '../kit.js';
import type { KitRequest } from '../target-server.js';
import { createTask, waitForTask } from '../wait.js';

export const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** The printed configuration's values the timing checks rely on (kit-core's config.ts). */
export const KIT_TIMEOUT_MS = 2_000;
export const KIT_RETRY_DELAY_MS = 300;
export const KIT_LEASE_MS = 6_000;
export const KIT_HEARTBEAT_MS = 1_000;

/** Clock slack for comparing arrival times: timers and polling are not exact. */
export const SLACK_MS = 250;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A unique path segment for one case: `kit.unique` made safe for a URL path. */
export function segment(kit: KitContext, label: string): string {
  return kit.unique(label).replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * A task path answered by the target's script (`/r/<steps>`, target-server.ts), under a segment
 * of its own, and the marker that finds its requests at the target.
 */
export function scripted(kit: KitContext, label: string, steps: string): { path: string; marker: string } {
  const unique = segment(kit, label);
  return { path: `/${unique}/r/${steps}`, marker: `/${unique}/` };
}

export async function getTask(kit: KitContext, id: string): Promise<any> {
  const res = await kit.api.request('GET', `/v1/tasks/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw new KitFailure(`GET /v1/tasks/${id}: expected 200, got ${res.status}`);
  return res.json;
}

export function waitFinished(kit: KitContext, id: string, what: string, timeoutMs = 15_000): Promise<any> {
  return waitForTask(kit, id, (task) => FINISHED.has(task.state), what, timeoutMs);
}

/** Creates a task with a scripted path and waits until it is finished; answers the task and its requests. */
export async function runScripted(
  kit: KitContext,
  queue: string,
  label: string,
  steps: string,
  extra: Record<string, unknown> = {},
  timeoutMs = 15_000,
): Promise<{ task: any; requests: KitRequest[]; marker: string }> {
  const { path, marker } = scripted(kit, label, steps);
  const created = await createTask(kit, queue, { path, ...extra });
  const task = await waitFinished(kit, created.id, `${queue} task answered ${steps}`, timeoutMs);
  return { task, requests: kit.target.received(marker), marker };
}

/** Checks the task's final state, how many requests reached the target, and (optionally) each attempt. */
export function expectRun(
  run: { task: any; requests: KitRequest[] },
  what: string,
  expected: { state: string; requests: number; statuses?: Array<number | null>; outcomes?: string[] },
): void {
  expectEqual(run.task.state, expected.state, `${what}: the task's state`);
  expectEqual(run.requests.length, expected.requests, `${what}: requests that reached the target`);
  const attempts: any[] = Array.isArray(run.task.attempts) ? run.task.attempts : [];
  if (expected.statuses)
    expectEqual(
      attempts.map((a) => a.status),
      expected.statuses,
      `${what}: the attempts' status`,
    );
  if (expected.outcomes)
    expectEqual(
      attempts.map((a) => a.outcome),
      expected.outcomes,
      `${what}: the attempts' outcome`,
    );
}

/** Waits a little past the retry delay and checks that no further request came (a finished task stays finished). */
export async function expectNoMoreRequests(
  kit: KitContext,
  marker: string,
  count: number,
  what: string,
): Promise<void> {
  await sleep(KIT_RETRY_DELAY_MS * 3);
  const now = kit.target.received(marker).length;
  expectTrue(now === count, `${what}: expected no request after the task finished, got ${now - count} more`);
}

/** The path part of a queue's configured target, as `GET /v1/queues` shows it (no trailing `/`). */
export async function targetPathOf(kit: KitContext, queue: string): Promise<string> {
  const res = await kit.api.request('GET', '/v1/queues');
  const found = (res.json?.queues ?? []).find((q: any) => q?.name === queue);
  const target = found?.config?.target;
  if (typeof target !== 'string') throw new KitFailure(`GET /v1/queues: queue ${queue} has no config.target`);
  return new URL(target).pathname.replace(/\/$/, '');
}

/**
 * Waits until the queue dispatches at full speed again. A 429, a 503 or a timeout halves a
 * queue's rate for a while (spec 6, adaptive backpressure; `currentRate` in 4.10), so cases that
 * provoke those run alone (serial), and a case that needs many requests at once waits here first.
 * An implementation that shows no `currentRate` is taken as never slowed.
 */
export async function waitUnthrottled(kit: KitContext, queue: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // currentRate is as old as the last heartbeat (1 s in the printed configuration): a slow-down
  // by the case just before must have been written before the first look counts.
  await sleep(KIT_HEARTBEAT_MS + SLACK_MS);
  for (;;) {
    const res = await kit.api.request('GET', '/v1/queues');
    const found = (res.json?.queues ?? []).find((q: any) => q?.name === queue);
    const rate = found?.currentRate;
    if (!found || rate === undefined || rate === null || rate.perSecond === null) return;
    if (Date.now() >= deadline) {
      kit.log(`queue ${queue} still slowed to ${rate.perSecond}/s after ${timeoutMs} ms; going on`);
      return;
    }
    await sleep(250);
  }
}

export function header(request: KitRequest, name: string): string | undefined {
  return request.headers[name.toLowerCase()];
}

/** Milliseconds of an RFC 3339 time, failing the case when the text is not one. */
export function rfc3339Ms(value: unknown, what: string): number {
  const text = String(value);
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text);
  expectTrue(
    ok && Number.isFinite(Date.parse(text)),
    `${what}: expected an RFC 3339 time, got ${JSON.stringify(value)}`,
  );
  return Date.parse(text);
}

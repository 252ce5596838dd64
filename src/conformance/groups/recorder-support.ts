/**
 * Helpers shared by the recorder group's cases: the shape of a refusal (spec 4.12), proof that a
 * refused write wrote nothing, and small builders for tasks that stay put. The kit only sees the
 * implementation through its API, so "nothing was written" is checked by the key being free
 * afterwards (spec 11.2: `GET /v1/queues/{queue}/keys/{key}` is 404 without a holder).
 */
import type { ApiResponse } from '../api-client.js';
import { excerpt, expectProblem, expectStatus, expectTrue, KitFailure } from '../assert.js';
import type { ConformanceCase, KitContext, Level } from '../kit.js';

/** A case of this group; `section` is the leading word of the name. */
export function recorderCase(
  name: string,
  level: Level,
  run: (kit: KitContext) => Promise<void>,
  extra: Pick<ConformanceCase, 'timeoutMs' | 'serial'> = {},
): ConformanceCase {
  const section = name.split(' ')[0];
  return { name, section, level, group: 'recorder', run, ...extra };
}

/** A task that is not due for a day, so the scheduler leaves it alone while a case reads it. */
export const later = { delay: '1d' } as const;

export function tasksPath(queue: string): string {
  return `/v1/queues/${encodeURIComponent(queue)}/tasks`;
}

export function taskPath(id: string, action?: string): string {
  return `/v1/tasks/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
}

/** The field paths an error answer names (spec 4.12 `errors[].path`). */
export function errorPaths(res: ApiResponse): string[] {
  const errors = res.json?.errors;
  return Array.isArray(errors) ? errors.map((error: any) => String(error?.path)) : [];
}

/** A problem with this status and code whose `errors` name `path` (exactly, or one of several). */
export function expectFieldProblem(
  res: ApiResponse,
  status: number,
  code: string,
  path: string | readonly string[],
  what: string,
): void {
  try {
    expectProblem(res, status, code);
  } catch (error) {
    throw new KitFailure(`${what}: ${(error as Error).message}`);
  }
  const wanted = typeof path === 'string' ? [path] : path;
  const named = errorPaths(res);
  if (!named.some((name) => wanted.includes(name)))
    throw new KitFailure(
      `${what}: expected errors[].path to name ${wanted.join(' or ')}, got ${JSON.stringify(named)}: ${excerpt(res.text)}`,
    );
}

/** No task holds `key` in `queue`: a refused create wrote nothing (spec 4.12 "nothing was written"). */
export async function expectKeyFree(kit: KitContext, queue: string, key: string, what: string): Promise<void> {
  const res = await kit.api.request('GET', `/v1/queues/${encodeURIComponent(queue)}/keys/${encodeURIComponent(key)}`);
  if (res.status !== 404)
    throw new KitFailure(`${what}: the refused request wrote a task (key ${key} answers ${res.status}, expected 404)`);
}

/**
 * POSTs a create that the spec refuses with `400 validation_failed` naming `path`, then checks
 * that nothing was written. `task` gets a fresh `key` (unless it has one) to look for afterwards.
 */
export async function expectCreateRefused(
  kit: KitContext,
  queue: string,
  task: Record<string, unknown>,
  path: string | readonly string[],
  what: string,
): Promise<void> {
  const withKey = 'key' in task ? task : { ...task, key: kit.unique('refused') };
  const res = await kit.api.request('POST', tasksPath(queue), { body: withKey, token: kit.tokens.enqueue });
  expectFieldProblem(res, 400, 'validation_failed', path, what);
  if (typeof withKey.key === 'string' && withKey.key.length > 0 && withKey.key.length <= 255)
    await expectKeyFree(kit, queue, withKey.key, what);
}

/**
 * POSTs a raw JSON text (for what JSON.stringify cannot write: duplicate keys, deep nesting,
 * numbers that do not round-trip) that must be refused with 400, and checks `key` stayed free.
 */
export async function expectRawCreateRefused(
  kit: KitContext,
  queue: string,
  rawBody: string,
  key: string,
  what: string,
  path?: string | readonly string[],
): Promise<ApiResponse> {
  const res = await kit.api.request('POST', tasksPath(queue), { rawBody, token: kit.tokens.enqueue });
  expectStatus(res, 400, what);
  expectTrue(
    /^application\/problem\+json/i.test(res.headers['content-type'] ?? ''),
    `${what}: expected application/problem+json, got ${res.headers['content-type'] ?? 'none'}`,
  );
  if (path !== undefined) {
    const wanted = typeof path === 'string' ? [path] : path;
    const named = errorPaths(res);
    expectTrue(
      named.some((name) => wanted.includes(name)),
      `${what}: expected errors[].path to name ${wanted.join(' or ')}, got ${JSON.stringify(named)}`,
    );
  }
  await expectKeyFree(kit, queue, key, what);
  return res;
}

/** Creates a task (admin token) and returns its JSON; fails unless 201. */
export async function created(kit: KitContext, queue: string, task: Record<string, unknown>): Promise<any> {
  const res = await kit.api.request('POST', tasksPath(queue), { body: task });
  expectStatus(res, 201, `creating a task in ${queue}`);
  return res.json;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import type { Problem } from './types';

/**
 * The one way the dashboard talks to the recorder: the public `/v1` API, with the token the
 * person signed in with as `Authorization: Bearer` (kept in sessionStorage, so it leaves with the
 * tab; there are no cookies, so another site cannot make the browser act with it).
 *
 * The API lives at the recorder's base path, one level above the page (`<basePath>/ui/`).
 */
export const TOKEN_KEY = 'dispatchr.token';
export const UNAUTHORIZED_EVENT = 'dispatchr:unauthorized';

export function apiBase(): URL {
  const base = new URL('../', location.href);
  base.hash = '';
  base.search = '';
  return base;
}

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled: the person signs in on every load
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // nothing to keep it in
  }
}

/** A failed call, with the API's problem details (or ones describing what went wrong on the way). */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }
}

export type Query = Record<string, string | number | undefined | null>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Use this token instead of the stored one (the sign-in page); null: none. */
  token?: string | null;
}

export function apiUrl(path: string, query: Query = {}): URL {
  const url = new URL(path.replace(/^\//, ''), apiBase());
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  return url;
}

export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const token = options.token === undefined ? storedToken() : options.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  // Every POST says JSON, bodiless ones too (the recorder refuses other types: spec 4.1).
  if (method === 'POST' || options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? (method === 'POST' ? '{}' : undefined) : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError({
      code: 'network_error',
      title: 'The recorder did not answer',
      status: 0,
      detail: error instanceof Error ? error.message : String(error),
      errors: [],
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = parseJson(text);
  if (response.ok) return parsed as T;
  const problem = toProblem(response.status, response.statusText, parsed, text);
  // A token that stopped working (revoked, or a recorder restarted with other tokens): sign in again.
  if (response.status === 401 && options.token === undefined) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  throw new ApiError(problem);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toProblem(status: number, statusText: string, parsed: unknown, text: string): Problem {
  const body = (parsed ?? {}) as Partial<Problem>;
  return {
    code: typeof body.code === 'string' ? body.code : `http_${status}`,
    title: typeof body.title === 'string' ? body.title : statusText || `HTTP ${status}`,
    status,
    detail: typeof body.detail === 'string' ? body.detail : text.slice(0, 300),
    errors: Array.isArray(body.errors) ? body.errors : [],
  };
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Problem details for anything a call may throw. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return {
    code: 'client_error',
    title: 'Something went wrong in the page',
    status: 0,
    detail: error instanceof Error ? error.message : String(error),
    errors: [],
  };
}

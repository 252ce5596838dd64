/**
 * The kit's assertions. A failure is a KitFailure whose message says what was checked, what was
 * expected and what came. Messages quote status codes, problem codes and short excerpts of
 * answers, never a request's Authorization header or a signing secret: a report is meant to be
 * pasted into an issue.
 */
import type { ApiResponse } from './api-client.js';

export class KitFailure extends Error {
  override name = 'KitFailure';
}

const EXCERPT = 300;

/** A short, one-line excerpt of an answer's body, for a failure message. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line;
}

function describe(res: ApiResponse): string {
  const code = res.json && typeof res.json === 'object' && typeof res.json.code === 'string' ? res.json.code : null;
  const body = res.text === '' ? 'empty body' : code ? `code ${code}: ${excerpt(res.text)}` : excerpt(res.text);
  return `${res.status} (${body})`;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return excerpt(JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

/** The answer has this status (or one of these). */
export function expectStatus(res: ApiResponse, status: number | readonly number[], what: string): void {
  const wanted = typeof status === 'number' ? [status] : status;
  if (!wanted.includes(res.status))
    throw new KitFailure(`${what}: expected status ${wanted.join(' or ')}, got ${describe(res)}`);
}

/** Deep equality of JSON-like values (key order ignored). */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (!jsonEqual(actual, expected)) throw new KitFailure(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function expectTrue(condition: unknown, what: string): asserts condition {
  if (!condition) throw new KitFailure(what);
}

/** An RFC 9457 problem (spec 4.12): this status, `application/problem+json`, and this `code`. */
export function expectProblem(res: ApiResponse, status: number, code: string): void {
  const what = `expected problem ${status} ${code}`;
  expectStatus(res, status, what);
  const type = res.headers['content-type'] ?? '';
  if (!/^application\/problem\+json\b/i.test(type))
    throw new KitFailure(`${what}: expected Content-Type application/problem+json, got ${type || 'none'}`);
  const body = res.json;
  if (!body || typeof body !== 'object')
    throw new KitFailure(`${what}: the body is not a JSON object: ${excerpt(res.text)}`);
  if (body.code !== code) throw new KitFailure(`${what}: got code ${show(body.code)}: ${excerpt(res.text)}`);
  if (body.status !== status) throw new KitFailure(`${what}: the body's status is ${show(body.status)}`);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => jsonEqual(item, other[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  const otherKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  return keys.length === otherKeys.length && keys.every((key) => jsonEqual(left[key], right[key]));
}

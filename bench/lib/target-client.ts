import { request } from 'undici';

/** The target's control routes (not counted as requests). */
export async function targetControl<T = Record<string, unknown>>(
  port: number,
  what: 'reset' | 'stats' | 'arrivals',
): Promise<T> {
  const { body } = await request(`http://127.0.0.1:${port}/__bench/${what}`);
  return (await body.json()) as T;
}

export interface TargetStats {
  count: number;
  /** CLOCK_MONOTONIC ms of the first and last counted request. */
  first: number;
  last: number;
}

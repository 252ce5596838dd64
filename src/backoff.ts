/**
 * The one rule for waiting after an infrastructure failure (a failed claim or settle, a dropped
 * wake-up connection, a failed service loop, an unreachable recorder): capped exponential backoff,
 * `baseMs` doubled once per earlier failure, never above `maxMs`. Task retries are not this: they
 * follow the queue's retry strategy (src/strategies/).
 *
 * Dependency-free: the client (src/client/transport.ts) shares it, and the client may import only
 * the modules listed in test/unit/client/import-graph.test.ts.
 */
export interface BackoffRule {
  /** The first wait. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
  /** Doublings beyond this many stop growing the wait (for a base so small `maxMs` is never reached). */
  maxDoublings?: number;
  /**
   * 'equal': half the wait fixed, half random ("equal jitter"), so many clients retrying the same
   * server spread out; rounded to whole milliseconds. Default: no jitter, the exact wait.
   */
  jitter?: 'equal';
}

/** The wait after a failure that followed `doublings` earlier ones (0 for the first failure: `baseMs`). */
export function backoffMs(doublings: number, rule: BackoffRule, random: () => number = Math.random): number {
  const exponent = rule.maxDoublings === undefined ? doublings : Math.min(doublings, rule.maxDoublings);
  const ceiling = Math.min(rule.maxMs, rule.baseMs * 2 ** exponent);
  if (rule.jitter !== 'equal') return ceiling;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Backpressure as the scheduler's job: when a target answers 429/503 or times out, the queue's
 * dispatch rate halves (at most once per `cooldownMs`); after `recoverAfterMs` without such a
 * signal it grows by a quarter, step by step, until it is back at the configured rate (or
 * unlimited). A queue without a configured rate is unlimited again as soon as the next step would
 * be at least twice what the queue actually does: the limit no longer holds anything back, and
 * climbing from 1/s by quarters would keep a quiet queue throttled for minutes after one 503.
 * Pure state machine over an injected time, so tests drive it without sleeping.
 */
export interface AdaptiveRateOptions {
  /** The configured rate per second, or null for no rate limit. */
  configuredPerSecond: number | null;
  minPerSecond?: number;
  cooldownMs?: number;
  recoverAfterMs?: number;
}

export interface RateChange {
  perSecond: number | null;
  reason: 'slowed' | 'recovering' | 'recovered';
}

/**
 * How a rate change is logged: a slow-down is news an operator may act on (warn); a recovery is the
 * system healing (info). The rate is a number, or the word `unlimited`, never null.
 */
export function describeRateChange(change: RateChange): {
  level: 'warn' | 'info';
  message: string;
  perSecond: number | 'unlimited';
} {
  const perSecond = change.perSecond ?? 'unlimited';
  if (change.reason === 'slowed') return { level: 'warn', message: 'target pushes back; queue slows down', perSecond };
  return {
    level: 'info',
    message: change.reason === 'recovered' ? 'queue rate recovered' : 'queue rate recovering',
    perSecond,
  };
}

export class AdaptiveRate {
  private current: number | null;
  private lastSignalAt = -Infinity;
  private lastChangeAt = -Infinity;
  private readonly min: number;
  private readonly cooldownMs: number;
  private readonly recoverAfterMs: number;

  constructor(private readonly options: AdaptiveRateOptions) {
    this.current = options.configuredPerSecond;
    this.min = options.minPerSecond ?? 1;
    this.cooldownMs = options.cooldownMs ?? 1_000;
    this.recoverAfterMs = options.recoverAfterMs ?? 5_000;
  }

  /** The rate in force, per second; null means unlimited. */
  get perSecond(): number | null {
    return this.current;
  }

  /**
   * A batch saw backpressure. `observedPerSecond` is what the queue was actually doing, used as the
   * starting point when no rate was configured.
   */
  onBackpressure(nowMs: number, observedPerSecond: number): RateChange | null {
    this.lastSignalAt = nowMs;
    if (nowMs - this.lastChangeAt < this.cooldownMs) return null;
    const base = this.current ?? Math.max(this.min * 2, observedPerSecond);
    const next = Math.max(this.min, Math.floor(base / 2));
    if (this.current !== null && next >= this.current) return null;
    this.current = next;
    this.lastChangeAt = nowMs;
    return { perSecond: next, reason: 'slowed' };
  }

  /**
   * Called periodically: recovers a step when the target has been quiet long enough.
   * `observedPerSecond`: what the queue did over the last second.
   */
  tick(nowMs: number, observedPerSecond = Infinity): RateChange | null {
    const configured = this.options.configuredPerSecond;
    if (this.current === configured) return null;
    if (nowMs - this.lastSignalAt < this.recoverAfterMs || nowMs - this.lastChangeAt < this.recoverAfterMs) return null;
    const next = Math.ceil((this.current ?? 0) * 1.25) + 1;
    this.lastChangeAt = nowMs;
    if (configured === null ? next >= 1_000_000 || next >= 2 * observedPerSecond : next >= configured) {
      this.current = configured;
      return { perSecond: configured, reason: 'recovered' };
    }
    this.current = next;
    return { perSecond: next, reason: 'recovering' };
  }
}

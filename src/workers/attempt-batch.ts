import type { DispatchRequest, DispatchResult } from './protocol.js';
import type { ResponseCollector } from './response-collector.js';
import { failure, type Outcome } from './send-errors.js';

/** Deadlines are grouped under one timer per this many ms: a batch's attempts that start
 *  together share one. */
const DEADLINE_TICK_MS = 5;

/** When an attempt was handed to undici (or settled without it). */
export interface Start {
  /** performance.now(), for durations and deadlines. */
  ms: number;
  /** Epoch milliseconds, for the record. */
  epochMs: number;
  /** For webhook-timestamp: an attempt that waited is stamped when it is sent. */
  seconds: number;
}

export function startAt(ms: number): Start {
  const epochMs = Date.now();
  return { ms, epochMs, seconds: Math.floor(epochMs / 1000) };
}

/** One batch in flight: its live attempts, its waiting ones, its deadline timers and its results. */
export class Batch {
  readonly results: DispatchResult[];
  readonly start: Start = startAt(performance.now());
  readonly done: Promise<DispatchResult[]>;
  aborted = false;
  /** 1 for attempts waiting at their origin's gate: an abort settles them at once. */
  readonly waiting: Uint8Array;
  /** The collector of each attempt in flight (by index), so one attempt can be cut alone. */
  private readonly live: (ResponseCollector | undefined)[];
  private resolve!: (results: DispatchResult[]) => void;
  private left: number;
  /** Live attempts per deadline tick, each group under one timer. */
  private readonly deadlines = new Map<number, { timer: NodeJS.Timeout; live: Set<ResponseCollector> }>();

  constructor(private readonly requests: readonly DispatchRequest[]) {
    const size = requests.length;
    this.results = new Array(size);
    this.waiting = new Uint8Array(size);
    this.live = new Array(size);
    this.left = size;
    this.done = new Promise((resolve) => (this.resolve = resolve));
    if (size === 0) this.resolve(this.results);
  }

  readonly onAbort = (): void => {
    this.aborted = true;
    for (const { live } of this.deadlines.values()) for (const collector of [...live]) collector.cut('aborted');
    for (let i = 0; i < this.waiting.length; i++) {
      if (this.waiting[i] === 0) continue;
      this.waiting[i] = 0;
      this.settle(i, failure('aborted', 'aborted before sending'), this.startNow(), null, 0);
    }
  };

  /**
   * Cuts one attempt (a task cancelled while running): in flight, as an abort cuts it (a status
   * already received stays the answer); waiting at its gate, settled unsent. Unknown: nothing.
   */
  cancel(taskId: string, attempt: number): void {
    for (let i = 0; i < this.requests.length; i++) {
      const request = this.requests[i];
      if (request.taskId !== taskId || request.attempt !== attempt || this.results[i] !== undefined) continue;
      if (this.waiting[i] === 1) {
        this.waiting[i] = 0;
        this.settle(i, failure('aborted', 'cancelled before sending'), this.startNow(), null, 0);
      } else this.live[i]?.cut('aborted');
    }
  }

  /** The start of an attempt handed over now: the batch's own if nothing waited. */
  startNow(): Start {
    const ms = performance.now();
    return ms - this.start.ms < 1 ? this.start : startAt(ms);
  }

  /**
   * Our own deadline, not undici's: undici's timers only act once the request is on a socket.
   * Returns the group key the attempt must be settled with.
   */
  watch(collector: ResponseCollector, startMs: number, timeoutMs: number): number {
    const key = Math.ceil((startMs + timeoutMs) / DEADLINE_TICK_MS);
    let group = this.deadlines.get(key);
    if (!group) {
      const live = new Set<ResponseCollector>();
      const timer = setTimeout(
        () => {
          for (const c of [...live]) c.cut('timeout');
        },
        Math.max(0, key * DEADLINE_TICK_MS - performance.now()),
      );
      group = { timer, live };
      this.deadlines.set(key, group);
    }
    group.live.add(collector);
    return key;
  }

  /** Marks `collector` as the attempt at `index` in flight, until it settles. */
  track(index: number, collector: ResponseCollector): void {
    this.live[index] = collector;
  }

  settle(index: number, outcome: Outcome, start: Start, collector: ResponseCollector | null, deadline: number): void {
    if (collector) {
      const group = this.deadlines.get(deadline);
      if (group) {
        group.live.delete(collector);
        if (group.live.size === 0) {
          clearTimeout(group.timer);
          this.deadlines.delete(deadline);
        }
      }
    }
    this.live[index] = undefined;
    const request = this.requests[index];
    this.results[index] = {
      taskId: request.taskId,
      attempt: request.attempt,
      status: outcome.status,
      retryAfterMs: outcome.retryAfterMs,
      errorKind: outcome.errorKind,
      error: outcome.error,
      responseExcerpt: outcome.responseExcerpt,
      responseBody: outcome.responseBody ?? null,
      responseContentType: outcome.responseContentType ?? null,
      durationMs: collector ? Math.round(performance.now() - start.ms) : 0,
      startedAtMs: start.epochMs,
      finishedAtMs: collector ? Date.now() : start.epochMs,
    };
    if (--this.left === 0) this.resolve(this.results);
  }
}

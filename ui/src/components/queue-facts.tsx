import { TASK_STATES, type Queue } from '../api/types';
import { formatDuration, formatNumber } from '../format';
import { href } from '../router';

/** A queue's counts per state, each a link to those tasks in the search. */
export function QueueCounts({ queue }: { queue: Queue }) {
  return (
    <ul class="counts" aria-label={`Tasks of ${queue.name} by state`}>
      {TASK_STATES.map((state) => (
        <li key={state} class={`count state-${state}${queue.counts[state] > 0 ? '' : ' zero'}`}>
          <a href={href(['tasks'], { queue: queue.name, state })}>
            <span class="number" data-testid={`queue-count-${state}`}>
              {formatNumber(queue.counts[state] ?? 0)}
            </span>
            <span class="label">{state}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

export function pausedText(queue: Queue): string {
  return queue.paused ? 'paused' : 'running';
}

/** The configured limits, in words. */
export function limitsText(queue: Queue): string {
  const flight = `${formatNumber(queue.maxConcurrent)} in flight`;
  if (!queue.rateLimit) return `${flight}, no rate limit`;
  const burst = queue.rateLimit.burst === null ? '' : ` (burst ${formatNumber(queue.rateLimit.burst)})`;
  return `${flight}, ${formatNumber(queue.rateLimit.perSecond)}/s${burst}`;
}

/**
 * The rate the live schedulers enforce now. Below the configured rate means the target pushed back
 * (429/503) and the adaptive limiter slowed down.
 */
export function rateText(queue: Queue): { text: string; slowed: boolean } {
  if (queue.currentRate === null) return { text: 'unknown: no live scheduler serves it', slowed: false };
  const now = queue.currentRate.perSecond;
  if (now === null) return { text: 'unlimited', slowed: false };
  const configured = queue.rateLimit?.perSecond;
  const slowed = configured !== undefined && now < configured - 1e-9;
  return {
    text: slowed
      ? `${formatRate(now)}/s, slowed down from ${formatRate(configured)}/s (the target pushed back)`
      : `${formatRate(now)}/s`,
    slowed,
  };
}

const formatRate = (value: number) => (value >= 10 ? formatNumber(Math.round(value)) : value.toFixed(2));

export function oldestDueText(queue: Queue): string {
  const waiting = queue.counts.available + queue.counts.retryable + queue.counts.scheduled;
  if (queue.oldestDueAgeSeconds <= 0) return waiting > 0 ? 'nothing due yet' : 'nothing waiting';
  return `due ${formatDuration(queue.oldestDueAgeSeconds * 1000)} ago, still waiting`;
}

/** Facts shared by the overview card and the queue page. */
export function QueueFacts({ queue }: { queue: Queue }) {
  const rate = rateText(queue);
  return (
    <dl class="facts">
      <dt>Oldest due</dt>
      <dd>{oldestDueText(queue)}</dd>
      <dt>Limits</dt>
      <dd>{limitsText(queue)}</dd>
      <dt>Rate in force</dt>
      <dd class={rate.slowed ? 'warn' : undefined}>{rate.text}</dd>
    </dl>
  );
}

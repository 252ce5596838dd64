import type { Queue } from '../api/types';
import { formatDuration } from '../format';
import { limitsText, rateText } from './queue-facts';

/** What the queue is configured with; the target comes from the API with its credentials redacted. */
export function QueueConfigView({ queue }: { queue: Queue }) {
  const config = queue.config;
  return (
    <div class="panel" data-testid="queue-config">
      <h2>Configuration</h2>
      <dl class="facts">
        <dt>Target</dt>
        <dd class="mono break">{config ? config.target : 'not shown by this recorder'}</dd>
        <dt>Timeout</dt>
        <dd>{config ? formatDuration(config.timeout) : '—'}</dd>
        <dt>Attempts</dt>
        <dd>{config ? (config.maxAttempts === null ? 'unlimited' : config.maxAttempts) : '—'}</dd>
        <dt>Default priority</dt>
        <dd data-testid="queue-default-priority">
          {config?.defaultPriority !== undefined ? `${config.defaultPriority} (0 is claimed first, 9 last)` : '—'}
        </dd>
        <dt>Retry strategy</dt>
        <dd>
          {config ? (
            <>
              <code>{config.retry.strategy}</code>
              {Object.keys(config.retry.options).length > 0 ? (
                <pre class="inline-pre">{JSON.stringify(config.retry.options, null, 2)}</pre>
              ) : null}
            </>
          ) : (
            '—'
          )}
        </dd>
        <dt>Retries stop after</dt>
        <dd>
          {config?.retry.maxRetryDuration
            ? formatDuration(config.retry.maxRetryDuration)
            : config
              ? 'no time limit'
              : '—'}
        </dd>
        <dt>Limits</dt>
        <dd>{limitsText(queue)}</dd>
        <dt>Rate in force</dt>
        <dd>{rateText(queue).text}</dd>
      </dl>
    </div>
  );
}

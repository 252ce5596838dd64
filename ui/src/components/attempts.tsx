import type { Attempt } from '../api/types';
import { formatDuration } from '../format';
import { Time } from './time';

/** Every attempt, oldest first: its outcome and status, how long it took, its error and the target's answer (as text). */
export function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p class="muted">No attempt yet.</p>;
  return (
    <ol class="timeline">
      {attempts.map((attempt) => (
        <li key={attempt.number} data-testid="attempt-row" class={`outcome-${attempt.outcome ?? 'running'}`}>
          <p>
            <strong>#{attempt.number}</strong> <span class="badge">{attempt.outcome ?? 'running'}</span>{' '}
            {attempt.status !== null ? <span>HTTP {attempt.status}</span> : <span class="muted">no answer</span>}
            {attempt.durationMs !== null ? <span class="muted"> · {formatDuration(attempt.durationMs)}</span> : null}
          </p>
          <p class="small">
            started <Time iso={attempt.startedAt} />
            {attempt.finishedAt ? (
              <>
                {' '}
                · finished <Time iso={attempt.finishedAt} />
              </>
            ) : null}
          </p>
          {attempt.error ? <p class="error-text">{attempt.error}</p> : null}
          {attempt.responseExcerpt ? (
            <>
              <p class="muted small">The target answered:</p>
              <pre class="excerpt">{attempt.responseExcerpt}</pre>
            </>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

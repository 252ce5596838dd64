import { useState } from 'preact/hooks';
import { getFailures, listQueues } from '../api/endpoints';
import type { FailureGroup, Session } from '../api/types';
import { BulkAction } from '../components/bulk-action';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { Time } from '../components/time';
import { formatNumber } from '../format';
import { usePoll } from '../hooks/use-poll';
import { href } from '../router';
import { canAdmin } from '../session';

/**
 * What "Retry these" acts on: the group's task ids as the API listed them (the most recently failed
 * first, at most 1,000, which is one bulk call). A larger group says how many of its tasks that is.
 */
function retryLabel(group: FailureGroup): string {
  const ids = group.taskIds.length;
  return `Retry ${formatNumber(ids)}${group.count > ids ? ` of ${formatNumber(group.count)}` : ''}`;
}

/** The dead-letter view: failed tasks grouped by queue and by last status or error, each group retried at once. */
export function FailedPage({ session }: { session: Session }) {
  const [queue, setQueue] = useState('');
  const failures = usePoll((signal) => getFailures(queue || undefined, signal), `failures:${queue}`);
  const queues = usePoll((signal) => listQueues(signal), 'queues', { intervalMs: 30_000 });
  const [message, setMessage] = useState<string | null>(null);
  const admin = canAdmin(session);
  const groups = failures.data?.groups ?? [];

  return (
    <section>
      <h1>Failed tasks</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter failed tasks">
        <label>
          Queue
          <select value={queue} onChange={(event) => setQueue(event.currentTarget.value)}>
            <option value="">every queue</option>
            {(queues.data ?? []).map((q) => (
              <option key={q.name} value={q.name}>
                {q.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {failures.error ? <ProblemView problem={failures.error} /> : null}
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      {failures.data && groups.length === 0 ? (
        <EmptyState title="No failed tasks.">
          <p>
            A task fails when its target answers a 4xx (other than 408 and 429), or when its retries run out. When one
            does, it shows here, grouped with others that failed the same way.
          </p>
        </EmptyState>
      ) : null}
      {groups.length > 0 ? (
        <div class="table-scroll">
          <table class="failures">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Last answer</th>
                <th scope="col">Tasks</th>
                <th scope="col">Newest</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.map((group) => (
                <tr key={`${group.queue}|${group.lastStatus}|${group.lastError}`} data-testid="failure-group">
                  <td>
                    <a href={href(['queues', group.queue])}>{group.queue}</a>
                  </td>
                  <td class="clip-wide">
                    {group.lastStatus !== null ? (
                      <strong>HTTP {group.lastStatus}</strong>
                    ) : (
                      <span class="muted">no answer</span>
                    )}
                    {group.lastError ? <div class="error-text">{group.lastError}</div> : null}
                  </td>
                  <td>
                    <a href={href(['tasks'], { queue: group.queue, state: 'failed' })}>{formatNumber(group.count)}</a>
                  </td>
                  <td>
                    <a href={href(['tasks', group.newestTaskId])}>newest</a> <Time iso={group.newestAt} />
                  </td>
                  <td>
                    {admin ? (
                      <BulkAction
                        kind="retry"
                        testId="failure-retry"
                        label={retryLabel(group)}
                        disabled={group.taskIds.length === 0}
                        collect={() => group.taskIds}
                        onDone={(text) => {
                          setMessage(`${group.queue}: ${text}`);
                          failures.refresh();
                        }}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {failures.data ? (
        <p class="muted small">
          Grouped over the newest {formatNumber(failures.data.scanned)} failed tasks
          {failures.data.complete ? ' (all of them)' : '; older ones are not counted here, search them instead'}.
        </p>
      ) : null}
    </section>
  );
}

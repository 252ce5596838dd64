import type { CronRun } from '../api/types';
import { href } from '../router';
import { CronTime } from './cron-time';
import { StateBadge } from './state-badge';
import { Time } from './time';

/**
 * The entry's fire times, newest first: each with the task it created (linked), or "skipped"
 * when the overlap rule held it back. Keyed by fire time, so the poll updates rows in place.
 */
export function CronRuns({ runs, zone }: { runs: CronRun[]; zone: string }) {
  if (runs.length === 0) {
    return (
      <p class="muted" data-testid="cron-runs-empty">
        No runs yet: the first comes at the next fire time, or with “Trigger now”.
      </p>
    );
  }
  return (
    <div class="table-scroll stacks">
      <table class="cron-runs">
        <thead>
          <tr>
            <th scope="col">Fire time</th>
            <th scope="col">Kind</th>
            <th scope="col">Outcome</th>
            <th scope="col">Task</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr
              key={`${run.fireAt}:${run.kind ?? ''}`}
              data-testid={`cron-run-${run.taskId ?? `skipped-${run.fireAt}`}`}
            >
              <td data-label="Fire time">
                <CronTime iso={run.fireAt} zone={zone} />
              </td>
              <td data-label="Kind">{run.kind === 'manual' ? 'triggered' : (run.kind ?? '—')}</td>
              <td data-label="Outcome" data-testid="cron-run-outcome">
                {run.outcome === 'skipped' ? (
                  <span class="badge cron-skipped" title="its previous run was unfinished (overlap: skip)">
                    skipped
                  </span>
                ) : run.taskState ? (
                  <StateBadge state={run.taskState} />
                ) : (
                  <span class="muted">fired (task deleted)</span>
                )}
              </td>
              <td data-label="Task">
                {run.taskId ? (
                  <a class="mono break" href={href(['tasks', run.taskId])} data-testid="cron-run-task">
                    {run.taskId}
                  </a>
                ) : (
                  <span class="muted">none</span>
                )}
              </td>
              <td data-label="Finished">
                {run.finalizedAt ? <Time iso={run.finalizedAt} /> : <span class="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

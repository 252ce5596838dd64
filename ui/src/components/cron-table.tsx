import type { CronEntry } from '../api/types';
import { href } from '../router';
import { CronSourceBadge, CronStatusBadge } from './cron-badges';
import { CronScheduleText } from './cron-schedule';
import { CronTime } from './cron-time';
import { StateBadge } from './state-badge';

/**
 * The entries as rows, keyed by name so a refresh updates them in place. Each cell carries its
 * column's name in `data-label`: on a phone the rows stack into cards that say what each value is
 * (layout.css), instead of a table scrolling sideways.
 */
export function CronTable({ entries }: { entries: CronEntry[] }) {
  return (
    <div class="table-scroll stacks">
      <table class="cron">
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">Status</th>
            <th scope="col">Schedule</th>
            <th scope="col">Queue</th>
            <th scope="col">Next fire</th>
            <th scope="col">Last fire</th>
            <th scope="col">Last task</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <CronRow key={entry.name} entry={entry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CronRow({ entry }: { entry: CronEntry }) {
  return (
    <tr data-testid={`cron-row-${entry.name}`}>
      <td data-label="Entry">
        <a class="break" href={href(['cron', entry.name])} data-testid="cron-name">
          {entry.name}
        </a>{' '}
        <CronSourceBadge source={entry.source} />
      </td>
      <td data-label="Status">
        <CronStatusBadge status={entry.status} testId="cron-status" />
      </td>
      <td data-label="Schedule">
        <CronScheduleText entry={entry} />
      </td>
      <td data-label="Queue">
        <a class="break" href={href(['queues', entry.queue])}>
          {entry.queue}
        </a>
      </td>
      <td data-label="Next fire" data-testid="cron-next">
        {entry.nextFireTimes.length > 0 ? (
          <CronTime iso={entry.nextFireTimes[0]} zone={entry.timezone} />
        ) : (
          <span class="muted">{entry.status === 'active' ? 'none' : `none while ${entry.status}`}</span>
        )}
      </td>
      <td data-label="Last fire" data-testid="cron-last">
        <CronTime iso={entry.lastFireAt} zone={entry.timezone} />
      </td>
      <td data-label="Last task">
        {entry.lastTaskId ? (
          <a href={href(['tasks', entry.lastTaskId])} data-testid="cron-last-task">
            {entry.lastTaskState ? <StateBadge state={entry.lastTaskState} /> : 'deleted'}
          </a>
        ) : (
          <span class="muted">none yet</span>
        )}
      </td>
    </tr>
  );
}

import { Fragment, type ComponentChild } from 'preact';
import type { CronEntry } from '../api/types';
import { formatDuration } from '../format';
import { href } from '../router';
import { CronSourceBadge } from './cron-badges';
import { CronScheduleText } from './cron-schedule';
import { Time } from './time';

const CATCH_UP_WORDS: Record<CronEntry['catchUp'], string> = {
  skip: 'skip: fire times missed while no scheduler ran are not fired',
  last: 'last: of the fire times missed, the last one fires once',
  all: 'all: every missed fire time fires (bounded)',
};

const OVERLAP_WORDS: Record<CronEntry['overlap'], string> = {
  allow: 'allow: each fire time runs, even while the previous run is unfinished',
  skip: 'skip: a fire time whose previous run is unfinished is recorded as skipped',
};

/** What the entry is: when it fires and the task each fire creates. */
export function CronDefinitionView({ entry }: { entry: CronEntry }) {
  const rows: [string, ComponentChild][] = [
    ['Schedule', <CronScheduleText entry={entry} />],
    ['Time zone', entry.timezone],
    ['Queue', <a href={href(['queues', entry.queue])}>{entry.queue}</a>],
    ['Request', <span class="mono">{`${entry.method} ${entry.path || '(the target itself)'}`}</span>],
    ['Attempts', entry.maxAttempts === null ? 'the queue’s limit' : String(entry.maxAttempts)],
    ['Timeout', entry.timeoutMs === null ? 'the queue’s' : formatDuration(entry.timeoutMs)],
    ['Enabled', entry.enabled ? 'yes' : 'no (enabled: false): it never fires'],
    ['Catch-up', CATCH_UP_WORDS[entry.catchUp] ?? entry.catchUp],
    ['Overlap', OVERLAP_WORDS[entry.overlap] ?? entry.overlap],
    [
      'Source',
      <>
        <CronSourceBadge source={entry.source} />{' '}
        <span class="muted small">
          {entry.source === 'config' ? 'change it in dispatchr.yml' : 'change it with PUT /v1/cron/{name}'}
        </span>
      </>,
    ],
    ['Created', <Time iso={entry.createdAt} />],
    ['Updated', <Time iso={entry.updatedAt} />],
  ];
  return (
    <dl class="facts" data-testid="cron-definition">
      {rows.map(([name, value]) => (
        <Fragment key={name}>
          <dt>{name}</dt>
          <dd class="break">{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** The headers each fire's task carries; sensitive values arrive as `[redacted]` from the API. */
export function CronHeaders({ headers }: { headers: Record<string, string> }) {
  const names = Object.keys(headers).sort();
  if (names.length === 0) {
    return (
      <p class="muted" data-testid="cron-headers">
        No headers of its own (Dispatchr adds its own when it sends each task).
      </p>
    );
  }
  return (
    <table class="headers" data-testid="cron-headers">
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <th scope="row" class="mono break">
              {name}
            </th>
            <td class={`mono break${headers[name] === '[redacted]' ? ' muted' : ''}`}>{headers[name]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The JSON body each fire sends, as text (user data: never markup). */
export function CronBody({ body }: { body: unknown }) {
  if (body === null || body === undefined) {
    return (
      <p class="muted" data-testid="cron-body">
        No body.
      </p>
    );
  }
  return <pre data-testid="cron-body">{JSON.stringify(body, null, 2)}</pre>;
}

import { useState } from 'preact/hooks';
import { getCronEntry, listCronRuns } from '../api/endpoints';
import type { CronEntry, CronTriggered, Session } from '../api/types';
import { CronActions } from '../components/cron-actions';
import { CronSourceBadge, CronStatusBadge } from '../components/cron-badges';
import { CronBody, CronDefinitionView, CronHeaders } from '../components/cron-definition';
import { CronRuns } from '../components/cron-runs';
import { CronTime } from '../components/cron-time';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { usePoll } from '../hooks/use-poll';
import { href, navigate } from '../router';
import { canAdmin } from '../session';

/** One cron entry: its definition, its next five fire times, its runs, and (admin) pause, resume, trigger, delete. */
export function CronEntryPage({ name, session }: { name: string; session: Session }) {
  const entry = usePoll((signal) => getCronEntry(name, signal), `cron:${name}`);
  const runs = usePoll((signal) => listCronRuns(name, signal), `cron-runs:${name}`);
  const [message, setMessage] = useState<string | null>(null);
  const [fired, setFired] = useState<CronTriggered | null>(null);

  if (!entry.data) {
    if (entry.error?.status === 404) {
      return (
        <EmptyState title={`No cron entry named “${name}”.`}>
          <p>
            It was deleted, or this token may not see its queue. <a href="#/cron">See the cron entries</a>.
          </p>
        </EmptyState>
      );
    }
    if (entry.error) return <ProblemView problem={entry.error} />;
    return <p class="muted">Loading {name}…</p>;
  }
  const current = entry.data;
  const changed = (next: CronEntry, text: string) => {
    entry.mutate(() => next);
    setFired(null);
    setMessage(text);
    entry.refresh();
  };
  const triggered = (answer: CronTriggered) => {
    setMessage(null);
    setFired(answer);
    entry.refresh();
    runs.refresh();
  };
  return (
    <section>
      <header class="page-head">
        <h1 class="break">{current.name}</h1>
        <CronStatusBadge status={current.status} testId="cron-entry-status" />
        <CronSourceBadge source={current.source} />
        {canAdmin(session) ? (
          <CronActions
            entry={current}
            onChanged={changed}
            onTriggered={triggered}
            onDeleted={() => navigate(href(['cron']))}
          />
        ) : null}
      </header>
      {message ? (
        <p class="notice" role="status" data-testid="cron-message">
          {message}
        </p>
      ) : null}
      {fired ? (
        <p class="notice" role="status" data-testid="cron-fired">
          Fired now: task{' '}
          <a class="mono break" href={href(['tasks', fired.taskId])}>
            {fired.taskId}
          </a>{' '}
          was created in {current.queue}.
        </p>
      ) : null}
      {entry.error ? <ProblemView problem={entry.error} /> : null}
      <div class="columns">
        <div class="panel">
          <h2>Definition</h2>
          <CronDefinitionView entry={current} />
        </div>
        <div class="panel">
          <h2>Next fire times</h2>
          <NextFires entry={current} />
        </div>
      </div>
      <div class="columns">
        <div class="panel">
          <h2>Headers</h2>
          <CronHeaders headers={current.headers} />
        </div>
        <div class="panel">
          <h2>Body</h2>
          <CronBody body={current.body} />
        </div>
      </div>
      <div class="panel">
        <h2>Runs</h2>
        {runs.error ? <ProblemView problem={runs.error} /> : null}
        {runs.data ? <CronRuns runs={runs.data} zone={current.timezone} /> : null}
      </div>
    </section>
  );
}

function NextFires({ entry }: { entry: CronEntry }) {
  if (entry.nextFireTimes.length === 0) {
    return (
      <p class="muted" data-testid="cron-next-fires">
        {entry.status === 'active'
          ? 'None: the schedule has no fire time left.'
          : `None while it is ${entry.status}.${entry.status === 'paused' ? ' Resume it to fire from then on.' : ''}`}
      </p>
    );
  }
  return (
    <ol class="fires" data-testid="cron-next-fires">
      {entry.nextFireTimes.map((iso) => (
        <li key={iso}>
          <CronTime iso={iso} zone={entry.timezone} full />
        </li>
      ))}
    </ol>
  );
}

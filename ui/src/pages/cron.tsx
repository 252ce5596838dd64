import { listCron } from '../api/endpoints';
import type { Session } from '../api/types';
import { CronTable } from '../components/cron-table';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { usePoll } from '../hooks/use-poll';

/** What to put in dispatchr.yml for a first entry: a calendar schedule in a zone, and an interval. */
export const CRON_YAML_EXAMPLE = `cron:
  nightly-report: { queue: reports, schedule: "30 2 * * *", timezone: Europe/London, path: /nightly }
  sync: { queue: emails, schedule: "@every 15m", path: /sync }`;

/** Every cron entry this token may see: when it fires next, when it last fired, and how that went. */
export function CronPage({ session }: { session: Session }) {
  const entries = usePoll((signal) => listCron(signal), 'cron');
  const list = entries.data ?? [];
  return (
    <section>
      <h1>Cron</h1>
      {entries.error ? <ProblemView problem={entries.error} /> : null}
      {entries.data === undefined && !entries.error ? <p class="muted">Loading the cron entries…</p> : null}
      {entries.data && list.length === 0 ? (
        <EmptyState title="No cron entries to show.">
          {session.queues !== null ? (
            <p>This token sees only the entries of {session.queues.join(', ')}; there may be others in other queues.</p>
          ) : null}
          <p>
            A cron entry creates a task on a schedule. Add one under <code>cron:</code> in <code>dispatchr.yml</code>{' '}
            and restart the scheduler:
          </p>
          <pre data-testid="cron-example">{CRON_YAML_EXAMPLE}</pre>
          <p>
            Or define one through the API with <code>{'PUT /v1/cron/{name}'}</code> (an admin token).
          </p>
        </EmptyState>
      ) : null}
      {list.length > 0 ? <CronTable entries={list} /> : null}
      {list.length > 0 ? (
        <p class="muted small">
          Times are relative; hover one for it in your zone and in the entry's. Paused, disabled and orphaned entries
          have no next fire.
        </p>
      ) : null}
    </section>
  );
}

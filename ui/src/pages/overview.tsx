import { getActivity, listQueues } from '../api/endpoints';
import type { Activity, Queue, Session } from '../api/types';
import { ActivityChart } from '../components/activity-chart';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { pausedText, QueueCounts, QueueFacts } from '../components/queue-facts';
import { usePoll } from '../hooks/use-poll';
import { href } from '../router';

/** Activity is counted per minute: a refresh every 10 s is plenty. */
const CHART_POLL_MS = 10_000;

/** Every queue this token may see: counts, due age, limits, rate in force, paused or running; and the last hour. */
export function OverviewPage({ session }: { session: Session }) {
  const queues = usePoll((signal) => listQueues(signal), 'queues');
  const activity = usePoll((signal) => getActivity(60, undefined, signal), 'activity', { intervalMs: CHART_POLL_MS });

  return (
    <section>
      <h1>Queues</h1>
      <div class="panel">
        <h2>Last hour</h2>
        {activity.error ? <ProblemView problem={activity.error} /> : null}
        <ActivityChart activity={activity.data} />
      </div>
      {queues.error ? <ProblemView problem={queues.error} /> : null}
      {queues.data === undefined && !queues.error ? <p class="muted">Loading the queues…</p> : null}
      {queues.data?.length === 0 ? (
        <EmptyState title="No queues to show.">
          {session.queues !== null ? (
            <p>This token may use only {session.queues.join(', ')}, and none of them is configured here.</p>
          ) : (
            <p>
              Queues come from the configuration: add one under <code>queues:</code> in <code>dispatchr.yml</code> (see{' '}
              <code>config/dispatchr.example.yml</code>) and restart the recorder.
            </p>
          )}
        </EmptyState>
      ) : null}
      <div class="cards">
        {queues.data?.map((queue) => (
          <QueueCard key={queue.name} queue={queue} activity={activity.data} />
        ))}
      </div>
    </section>
  );
}

/** One queue: its counts and facts, and its own last hour drawn small from the page's one activity answer. */
function QueueCard({ queue, activity }: { queue: Queue; activity: Activity | undefined }) {
  return (
    <article class="card" data-testid={`queue-row-${queue.name}`}>
      <header class="card-head">
        <h2>
          <a href={href(['queues', queue.name])}>{queue.name}</a>
        </h2>
        <span class={`badge ${queue.paused ? 'paused' : 'running'}`} data-testid="queue-paused">
          {pausedText(queue)}
        </span>
      </header>
      <QueueCounts queue={queue} />
      <QueueFacts queue={queue} />
      <ActivityChart activity={activity} queue={queue.name} compact />
    </article>
  );
}

import { useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { getActivity, listQueues, queueAction, searchTasks } from '../api/endpoints';
import { TASK_STATES, type Problem, type Queue, type Session, type TaskState } from '../api/types';
import { ActivityChart } from '../components/activity-chart';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { QueueConfigView } from '../components/queue-config';
import { pausedText, QueueFacts } from '../components/queue-facts';
import { PurgePanel } from '../components/purge-panel';
import { TaskTable } from '../components/task-table';
import { formatNumber } from '../format';
import { usePoll } from '../hooks/use-poll';
import { href } from '../router';
import { canAdmin } from '../session';

const RECENT = 20;

/** One queue: its tasks by state, pause / resume, purge, its configuration and its last hour. */
export function QueuePage({ name, session }: { name: string; session: Session }) {
  const queues = usePoll((signal) => listQueues(signal), 'queues');
  const activity = usePoll((signal) => getActivity(60, name, signal), `activity:${name}`, { intervalMs: 10_000 });
  const [state, setState] = useState<TaskState | null>(null);
  const tasks = usePoll(
    (signal) => searchTasks({ queue: name, state: state ?? undefined }, { limit: RECENT }, signal),
    `tasks:${name}:${state ?? ''}`,
  );
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const queue = queues.data?.find((candidate) => candidate.name === name);

  const act = async (action: 'pause' | 'resume') => {
    setProblem(null);
    try {
      await queueAction(name, action);
      setMessage(
        action === 'pause' ? `${name} is paused: nothing is dispatched until it is resumed.` : `${name} runs again.`,
      );
    } catch (error) {
      setProblem(problemOf(error));
    }
    queues.refresh();
  };

  if (queues.error && !queue) return <ProblemView problem={queues.error} />;
  if (!queues.data) return <p class="muted">Loading {name}…</p>;
  if (!queue) {
    return (
      <EmptyState title={`No queue named “${name}”.`}>
        <p>
          It is not configured, or this token may not use it. <a href="#/">See the queues you can use</a>.
        </p>
      </EmptyState>
    );
  }
  const admin = canAdmin(session);
  return (
    <section>
      <header class="page-head">
        <h1>{queue.name}</h1>
        <span class={`badge ${queue.paused ? 'paused' : 'running'}`} data-testid="queue-paused">
          {pausedText(queue)}
        </span>
        {admin ? (
          <div class="actions">
            {queue.paused ? (
              <button type="button" data-testid="queue-resume" onClick={() => void act('resume')}>
                Resume
              </button>
            ) : (
              <button type="button" data-testid="queue-pause" onClick={() => void act('pause')}>
                Pause
              </button>
            )}
            <PurgePanel
              queue={queue}
              onDone={(text) => {
                setMessage(text);
                queues.refresh();
                tasks.refresh();
              }}
            />
          </div>
        ) : null}
      </header>
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      {problem ? <ProblemView problem={problem} onDismiss={() => setProblem(null)} /> : null}
      {queues.error ? <ProblemView problem={queues.error} /> : null}
      <div class="columns">
        <div class="panel">
          <h2>Now</h2>
          <QueueFacts queue={queue} />
          <ActivityChart activity={activity.data} queue={name} />
          {activity.error ? <ProblemView problem={activity.error} /> : null}
        </div>
        <QueueConfigView queue={queue} />
      </div>
      <div class="panel">
        <h2>Tasks by state</h2>
        <StateTabs queue={queue} current={state} choose={setState} />
        {tasks.error ? <ProblemView problem={tasks.error} /> : null}
        {tasks.data && tasks.data.tasks.length === 0 ? (
          <EmptyState title={state ? `No ${state} tasks in ${name}.` : `No tasks in ${name} yet.`}>
            <p>
              Create one with <code>POST /v1/queues/{name}/tasks</code>, or pick another state.
            </p>
          </EmptyState>
        ) : null}
        {tasks.data && tasks.data.tasks.length > 0 ? <TaskTable tasks={tasks.data.tasks} /> : null}
        <p>
          <a href={href(['tasks'], { queue: name, state })}>
            Search every {state ?? ''} task of {name} →
          </a>
        </p>
      </div>
    </section>
  );
}

function StateTabs({
  queue,
  current,
  choose,
}: {
  queue: Queue;
  current: TaskState | null;
  choose(state: TaskState | null): void;
}) {
  const total = TASK_STATES.reduce((sum, state) => sum + (queue.counts[state] ?? 0), 0);
  return (
    <div class="tabs" role="group" aria-label="Show tasks in this state">
      <button type="button" aria-pressed={current === null} onClick={() => choose(null)}>
        all <span class="muted">{formatNumber(total)}</span>
      </button>
      {TASK_STATES.map((state) => (
        <button key={state} type="button" aria-pressed={current === state} onClick={() => choose(state)}>
          {state} <span class="muted">{formatNumber(queue.counts[state] ?? 0)}</span>
        </button>
      ))}
    </div>
  );
}

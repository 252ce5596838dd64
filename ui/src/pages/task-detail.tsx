import { Fragment, type ComponentChild } from 'preact';
import { getTask, listQueues } from '../api/endpoints';
import type { Queue, Session, Task } from '../api/types';
import { Attempts } from '../components/attempts';
import { CopyButton } from '../components/copy-button';
import { ProblemView } from '../components/problem';
import { StateBadge } from '../components/state-badge';
import { TaskActions } from '../components/task-actions';
import { TaskBody } from '../components/task-body';
import { CallbackOf, callbacksText, TaskResult } from '../components/task-result';
import { Time } from '../components/time';
import { curlFor } from '../curl';
import { formatBytes, formatDuration } from '../format';
import { usePoll } from '../hooks/use-poll';
import { href, navigate } from '../router';
import { canAdmin } from '../session';

/** One task: why it waits, what can be done, every field, body, headers, attempts, and the curl that makes it again. */
export function TaskPage({ id, session }: { id: string; session: Session }) {
  const task = usePoll((signal) => getTask(id, signal), `task:${id}`);
  const queues = usePoll((signal) => listQueues(signal), 'queues');

  if (!task.data) {
    if (task.error) {
      return (
        <section>
          <h1>Task {id}</h1>
          <ProblemView problem={task.error} />
          <p>
            <a href="#/tasks">Search the tasks</a>.
          </p>
        </section>
      );
    }
    return <p class="muted">Loading task {id}…</p>;
  }
  const current = task.data;
  const queue = queues.data?.find((candidate) => candidate.name === current.queue);
  const curl = curlFor(current, session.open);
  return (
    <section>
      <header class="page-head">
        <h1 class="break">
          Task <span class="mono">{current.id}</span>
        </h1>
        <StateBadge state={current.state} testId="task-state" />
      </header>
      {current.cron ? <CronOrigin cron={current.cron} fireAt={current.cronFireAt} /> : null}
      {task.error ? <ProblemView problem={task.error} /> : null}
      <div class="panel">
        <h2>Why it is {current.state === 'running' ? 'running' : 'where it is'}</h2>
        <p data-testid="task-waiting" class="waiting">
          {waitingWords(current, queue)}
        </p>
        {canAdmin(session) ? (
          <TaskActions
            task={current}
            onChanged={task.refresh}
            onDeleted={() => navigate(href(['tasks'], { queue: current.queue }))}
          />
        ) : null}
      </div>
      <div class="columns">
        <div class="panel">
          <h2>Fields</h2>
          <Fields task={current} />
        </div>
        <div class="panel">
          <h2>Headers</h2>
          <Headers headers={current.headers ?? {}} />
        </div>
      </div>
      <div class="panel">
        <h2>Body</h2>
        <TaskBody task={current} />
      </div>
      <div class="panel">
        <h2>Attempts</h2>
        <Attempts attempts={current.attempts ?? []} />
      </div>
      <div class="panel">
        <h2>Result</h2>
        <TaskResult task={current} />
      </div>
      <div class="panel">
        <h2>Create it again</h2>
        <pre class="curl" data-testid="task-curl">
          {curl.text}
        </pre>
        <CopyButton text={curl.text} label="Copy the curl command" testId="copy-curl" />
        {curl.leftOut.length > 0 ? (
          <p class="muted small">
            Left out, as the API shows their values redacted: {curl.leftOut.join(', ')}. Add them by hand.
          </p>
        ) : null}
      </div>
    </section>
  );
}

/** A task a cron entry created: the entry, and the fire time it was created for. */
function CronOrigin({ cron, fireAt }: { cron: string; fireAt: string | null }) {
  return (
    <p data-testid="task-cron">
      Cron:{' '}
      <a class="break" href={href(['cron', cron])}>
        {cron}
      </a>
      {fireAt ? (
        <>
          {' '}
          · fire time <Time iso={fireAt} />
        </>
      ) : null}
    </p>
  );
}

/** Why the task is where it is, in words, with the state of its queue. */
function waitingWords(task: Task, queue: Queue | undefined): string {
  const queueState = queue
    ? ` Queue ${queue.name} is ${queue.paused ? 'paused' : 'running'}, with ${queue.counts.available} available and ${queue.counts.running} running.`
    : '';
  if (task.waiting) return `Waiting: ${task.waiting.message.replace(/\.$/, '')} (${task.waiting.code}).${queueState}`;
  if (task.state === 'running') return `It is being sent now: attempt ${task.attempt}.${queueState}`;
  if (task.state === 'completed') return 'It is finished: the target accepted it.';
  if (task.state === 'failed') {
    return `It is finished: it failed${task.lastStatus !== null ? ` (last answer HTTP ${task.lastStatus})` : ''}. Retry it to send it again.`;
  }
  if (task.state === 'cancelled') return 'It is finished: it was cancelled. Retry it to send it again.';
  return `It is ${task.state}.${queueState}`;
}

function Fields({ task }: { task: Task }) {
  const rows: [string, ComponentChild][] = [
    ['Queue', <a href={href(['queues', task.queue])}>{task.queue}</a>],
    ['Request', `${task.method} ${task.path || '(the target itself)'}`],
    ['Content type', task.contentType ?? 'none'],
    ['Body size', formatBytes(task.bodyBytes)],
    ['Due', <Time iso={task.runAt} />],
    ['Priority', `${task.priority} (0 is claimed first, 9 last)`],
    ['Created', <Time iso={task.createdAt} />],
    ['Updated', <Time iso={task.updatedAt} />],
    ['Finished', <Time iso={task.finalizedAt} />],
    [
      'Attempts',
      `${task.attempt}${task.attemptsGivenBack > 0 ? ` (${task.attemptsGivenBack} given back)` : ''} of ${
        task.effective?.maxAttempts ?? task.maxAttempts ?? 'the queue’s limit'
      }${task.maxAttempts !== null ? ' (set on the task)' : ''}`,
    ],
    [
      'Timeout',
      task.effective
        ? `${formatDuration(task.effective.timeoutMs)}${task.timeoutMs !== null ? ' (set on the task)' : ''}`
        : task.timeoutMs !== null
          ? formatDuration(task.timeoutMs)
          : 'the queue’s',
    ],
    ['Retry', retryText(task.retry)],
    ['Callbacks', task.callbackOf ? 'none: a callback task never fires one' : callbacksText(task)],
    ...(task.callbackOf ? ([['Callback of', <CallbackOf id={task.callbackOf} />]] as [string, ComponentChild][]) : []),
    ['Key', keyText(task)],
    ['Traceparent', task.traceparent ?? 'none'],
    ['Last status', task.lastStatus === null ? 'none' : `HTTP ${task.lastStatus}`],
    ['Last error', task.lastError ?? 'none'],
    ['Id', <span class="mono">{task.id}</span>],
  ];
  return (
    <dl class="facts">
      {rows.map(([name, value]) => (
        <Fragment key={name}>
          <dt>{name}</dt>
          <dd class="break">{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** The key with its mode, debounce bound and retention (spec 11.2), or that it has none. */
function keyText(task: Task): string {
  if (task.key === null) return 'none';
  const parts = [`${task.key} (${task.keyMode ?? 'keep'}`];
  if (task.keyDeadline) parts.push(`never postponed past ${new Date(task.keyDeadline).toLocaleString()}`);
  if (task.keyRetentionMs) parts.push(`reserved ${formatDuration(task.keyRetentionMs)} after it finishes`);
  return `${parts.join('; ')})`;
}

/** The task's own retry settings (spec 11.3) over its queue's, or that it has none. */
function retryText(retry: Task['retry']): string {
  if (!retry) return 'the queue’s';
  const parts: string[] = [];
  if (retry.maxRetryDurationMs !== null) parts.push(`stops after ${formatDuration(retry.maxRetryDurationMs)}`);
  if (retry.options !== null) parts.push(`options ${JSON.stringify(retry.options)}`);
  return `${parts.join('; ')} (set on the task, over the queue’s)`;
}

function Headers({ headers }: { headers: Record<string, string> }) {
  const names = Object.keys(headers).sort();
  if (names.length === 0) {
    return (
      <p class="muted" data-testid="task-headers">
        No headers of its own (Dispatchr adds its own when it sends it).
      </p>
    );
  }
  return (
    <table class="headers" data-testid="task-headers">
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <th scope="row" class="mono">
              {name}
            </th>
            <td class={`mono break${headers[name] === '[redacted]' ? ' muted' : ''}`}>{headers[name]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

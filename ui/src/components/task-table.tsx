import type { Task } from '../api/types';
import { formatBytes } from '../format';
import { href, navigate } from '../router';
import { StateBadge } from './state-badge';
import { Time } from './time';

export interface Selection {
  selected: ReadonlySet<string>;
  toggle(id: string): void;
  /** Select every shown task, or none when all are selected already. */
  toggleAll(): void;
}

/**
 * Tasks as rows, newest first. Keys are task ids, so a refresh updates rows in place: focus,
 * checkboxes and the scroll position stay where they were.
 */
export function TaskTable({ tasks, selection }: { tasks: Task[]; selection?: Selection }) {
  const allSelected = selection !== undefined && tasks.length > 0 && tasks.every((t) => selection.selected.has(t.id));
  return (
    <div class="table-scroll">
      <table class="tasks">
        <thead>
          <tr>
            {selection ? (
              <th scope="col" class="check">
                <input
                  type="checkbox"
                  data-testid="select-all"
                  aria-label="Select every task shown"
                  checked={allSelected}
                  onChange={() => selection.toggleAll()}
                />
              </th>
            ) : null}
            <th scope="col">Task</th>
            <th scope="col">Queue</th>
            <th scope="col">State</th>
            <th scope="col">Request</th>
            <th scope="col">Attempts</th>
            <th scope="col" title="0 is claimed first, 9 last">
              Priority
            </th>
            <th scope="col">Last answer</th>
            <th scope="col">Created</th>
            <th scope="col">Due</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr
              key={task.id}
              data-testid={`task-row-${task.id}`}
              class="clickable"
              onClick={(event) => openRow(event, task.id)}
            >
              {selection ? (
                <td class="check">
                  <input
                    type="checkbox"
                    data-testid={`task-select-${task.id}`}
                    aria-label={`Select task ${task.id}`}
                    checked={selection.selected.has(task.id)}
                    onChange={() => selection.toggle(task.id)}
                  />
                </td>
              ) : null}
              <td>
                <a class="mono" href={href(['tasks', task.id])} title={task.id}>
                  {task.id.slice(-12)}
                </a>
                {task.key ? <div class="muted small clip">key {task.key}</div> : null}
              </td>
              <td>{task.queue}</td>
              <td>
                <StateBadge state={task.state} />
              </td>
              <td class="clip">
                <span class="muted">{task.method}</span> {task.path || '/'}
                <div class="muted small">{formatBytes(task.bodyBytes)}</div>
              </td>
              <td>{task.attempt}</td>
              <td data-testid={`task-priority-${task.id}`}>{task.priority}</td>
              <td class="clip">
                {task.lastStatus ?? (task.lastError ? '' : '—')}
                {task.lastError ? <div class="muted small clip">{task.lastError}</div> : null}
              </td>
              <td>
                <Time iso={task.createdAt} />
              </td>
              <td>
                <Time iso={task.runAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A click anywhere on a row opens the task (the id link does the same for the keyboard), unless it
 * was on a control of its own or ended a text selection.
 */
function openRow(event: MouseEvent, id: string): void {
  const target = event.target as Element | null;
  if (target?.closest('a, button, input, label, select, textarea')) return;
  if ((window.getSelection()?.toString() ?? '') !== '') return;
  navigate(href(['tasks', id]));
}

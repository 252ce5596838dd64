import { useEffect, useMemo, useState } from 'preact/hooks';
import { listQueues } from '../api/endpoints';
import type { Session, TaskFilter } from '../api/types';
import { BulkAction } from '../components/bulk-action';
import { EmptyState } from '../components/empty-state';
import { ProblemView } from '../components/problem';
import { filtersFromQuery, TaskFilters, type SearchFilters } from '../components/task-filters';
import { TaskTable } from '../components/task-table';
import { formatNumber } from '../format';
import { usePoll } from '../hooks/use-poll';
import { useTaskList } from '../hooks/use-task-list';
import { href, navigate, type Route } from '../router';
import { canAdmin } from '../session';

/** The API's filter words for the URL's (`pathPrefix` is the API's `path`). */
function apiFilter(filters: SearchFilters): TaskFilter {
  const { queue, state, since, until, pathPrefix, search } = filters;
  return {
    queue: queue || undefined,
    state: state || undefined,
    since: since || undefined,
    until: until || undefined,
    path: pathPrefix || undefined,
    search: search || undefined,
  };
}

/**
 * Task search across queues: every filter of `GET /v1/tasks` in the URL, "load more" on the
 * cursor, a live first page, and a selection (kept across refreshes) for bulk retry and cancel.
 */
export function TasksPage({ route, session }: { route: Route; session: Session }) {
  const filters = filtersFromQuery(route.query);
  const filter = useMemo(() => apiFilter(filters), [route.query.toString()]);
  const list = useTaskList(filter);
  const queues = usePoll((signal) => listQueues(signal), 'queues', { intervalMs: 30_000 });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    setSelected(new Set());
    setMessage(null);
  }, [route.query.toString()]);

  const tasks = list.page?.tasks ?? [];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const toggleAll = () =>
    setSelected((current) =>
      tasks.length > 0 && tasks.every((task) => current.has(task.id)) ? new Set() : new Set(tasks.map((t) => t.id)),
    );
  // The action consumed the selection, and rows on later pages may have changed: start over.
  const done = (text: string) => {
    setMessage(text);
    setSelected(new Set());
    list.reload();
  };
  const apply = (next: SearchFilters) => navigate(href(['tasks'], { ...next }));
  const filtered = Object.values(filters).some((value) => value !== '');

  return (
    <section>
      <h1>Tasks</h1>
      <TaskFilters filters={filters} queues={(queues.data ?? []).map((q) => q.name)} apply={apply} />
      {list.error ? <ProblemView problem={list.error} /> : null}
      <div class="toolbar" aria-live="polite">
        <span class="muted">
          {list.page
            ? `${formatNumber(tasks.length)} shown${list.page.nextCursor ? ', more to load' : ''}`
            : 'Loading…'}
          {selected.size > 0 ? ` · ${formatNumber(selected.size)} selected` : ''}
        </span>
        {canAdmin(session) ? (
          <>
            <BulkAction
              kind="retry"
              testId="bulk-retry"
              label="Retry selected"
              disabled={selected.size === 0}
              collect={() => [...selected]}
              onDone={done}
            />
            <BulkAction
              kind="cancel"
              testId="bulk-cancel"
              label="Cancel selected"
              disabled={selected.size === 0}
              collect={() => [...selected]}
              onDone={done}
            />
          </>
        ) : null}
      </div>
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      {list.page && tasks.length === 0 ? (
        <EmptyState title={list.page.nextCursor ? 'Nothing found yet.' : 'No task matches.'}>
          {list.page.nextCursor ? (
            <p>The search examined as many tasks as one page may; load more to search further back.</p>
          ) : filtered ? (
            <p>
              Loosen a filter, or <a href="#/tasks">clear them all</a>.
            </p>
          ) : (
            <p>
              There are no tasks yet. Create one with <code>{'POST /v1/queues/<queue>/tasks'}</code> (see the README),
              and it shows here.
            </p>
          )}
        </EmptyState>
      ) : null}
      {tasks.length > 0 ? <TaskTable tasks={tasks} selection={{ selected, toggle, toggleAll }} /> : null}
      {list.moreError ? <ProblemView problem={list.moreError} /> : null}
      {list.page?.nextCursor ? (
        <p class="more">
          <button
            type="button"
            data-testid="load-more"
            disabled={list.loadingMore}
            onClick={() => void list.loadMore()}
          >
            {list.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </p>
      ) : null}
    </section>
  );
}

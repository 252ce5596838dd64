import { useRef, useState } from 'preact/hooks';
import { problemOf } from '../api/client';
import { searchTasks } from '../api/endpoints';
import type { Problem, TaskFilter, TaskPage } from '../api/types';
import { usePoll } from './use-poll';

/**
 * A search that pages on with the API's cursor (keyset paging: page 20,000 of a million tasks
 * costs what page 1 does) and stays live: every poll reloads the first page only and merges it
 * into what is shown, keeping the pages loaded after it, so rows already on screen stay where they
 * are and new tasks appear on top.
 *
 * Ids are time-ordered and the list is newest first, so "after the first page" is every id below
 * the fresh page's last one. A bounded text search may answer an empty page with a cursor (it ran
 * out of rows to examine): that says nothing about the rest, so the list is kept as it was.
 */
export function mergeFirstPage(previous: TaskPage | undefined, fresh: TaskPage): TaskPage {
  if (!previous || fresh.nextCursor === null) return fresh;
  if (fresh.tasks.length === 0) return previous;
  const boundary = fresh.tasks[fresh.tasks.length - 1].id;
  const older = previous.tasks.filter((task) => task.id < boundary);
  if (older.length === 0) return fresh;
  return { tasks: [...fresh.tasks, ...older], nextCursor: previous.nextCursor };
}

export interface TaskList {
  page: TaskPage | undefined;
  error: Problem | null;
  loadingMore: boolean;
  moreError: Problem | null;
  loadMore(): Promise<void>;
  /**
   * Start over from the first page, dropping the pages loaded after it (after an action changed
   * tasks: the poll only refreshes the first page, so rows further down would keep their old state).
   */
  reload(): void;
}

export function useTaskList(filter: TaskFilter, pageSize?: number): TaskList {
  const key = JSON.stringify([filter, pageSize]);
  // Set by reload(): the next first page replaces the list instead of being merged into it.
  const replaceNext = useRef(false);
  // Bumped by reload(): a "load more" begun before it would append rows read before the action.
  const generation = useRef(0);
  const polled = usePoll((signal) => searchTasks(filter, { limit: pageSize }, signal), key, {
    merge: (previous, fresh) => {
      if (!replaceNext.current) return mergeFirstPage(previous, fresh);
      replaceNext.current = false;
      return fresh;
    },
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Problem | null>(null);

  const loadMore = async () => {
    const cursor = polled.data?.nextCursor;
    if (!cursor || loadingMore) return;
    const started = generation.current;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const next = await searchTasks(filter, { cursor, limit: pageSize });
      if (generation.current !== started) return; // the list was reloaded meanwhile
      polled.mutate((current) => {
        if (!current) return current; // the list started over meanwhile
        // A poll may have moved the first page meanwhile: add only what lies below the last row shown.
        const shown = new Set(current.tasks.map((task) => task.id));
        const last = current.tasks.at(-1)?.id;
        const added = next.tasks.filter((task) => !shown.has(task.id) && (last === undefined || task.id < last));
        return { tasks: [...current.tasks, ...added], nextCursor: next.nextCursor };
      });
    } catch (error) {
      setMoreError(problemOf(error));
    } finally {
      setLoadingMore(false);
    }
  };

  return {
    page: polled.data,
    error: polled.error,
    loadingMore,
    moreError,
    loadMore,
    reload: () => {
      generation.current += 1;
      replaceNext.current = true;
      setMoreError(null);
      polled.refresh(); // aborts a poll in flight, so the answer that replaces the list is read after the action
    },
  };
}

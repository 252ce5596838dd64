import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isAbort, problemOf } from '../api/client';
import type { Problem } from '../api/types';

/** How often counts and lists refresh while the tab is visible (the issue allows 2 s at most). */
export const POLL_MS = 2000;

export interface Polled<T> {
  data: T | undefined;
  /** The last call's failure; the data from before it stays shown. */
  error: Problem | null;
  loading: boolean;
  /** Load now (after an action), then keep polling. */
  refresh(): void;
  /** Change the data in place (a page appended by "load more"). */
  mutate(change: (data: T | undefined) => T | undefined): void;
}

interface State<T> {
  key: string;
  data: T | undefined;
  error: Problem | null;
  loading: boolean;
}

/**
 * Loads now and again `intervalMs` after each answer, only while the tab is visible (a hidden tab
 * asks nothing; coming back loads at once). A new `key` (other filters) starts over; a new answer
 * for the same key goes through `merge`, so a list can keep the pages already loaded and the
 * component keeps its scroll position and selection (nothing is unmounted).
 */
export function usePoll<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
  options: { intervalMs?: number; merge?: (previous: T | undefined, next: T) => T } = {},
): Polled<T> {
  const intervalMs = options.intervalMs ?? POLL_MS;
  const [state, setState] = useState<State<T>>({ key, data: undefined, error: null, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const mergeRef = useRef(options.merge);
  mergeRef.current = options.merge;
  const runRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    let controller: AbortController | undefined;
    setState((previous) => (previous.key === key ? previous : { key, data: undefined, error: null, loading: true }));
    const schedule = () => {
      window.clearTimeout(timer);
      if (intervalMs > 0 && document.visibilityState === 'visible') timer = window.setTimeout(run, intervalMs);
    };
    async function run(): Promise<void> {
      window.clearTimeout(timer);
      controller?.abort();
      const mine = new AbortController();
      controller = mine;
      try {
        const next = await loadRef.current(mine.signal);
        if (stopped || mine.signal.aborted) return;
        setState((previous) => {
          const base = previous.key === key ? previous.data : undefined;
          const merge = mergeRef.current;
          return { key, data: merge ? merge(base, next) : next, error: null, loading: false };
        });
      } catch (error) {
        if (stopped || mine.signal.aborted || isAbort(error)) return;
        setState((previous) => ({
          key,
          data: previous.key === key ? previous.data : undefined,
          error: problemOf(error),
          loading: false,
        }));
      }
      if (!stopped && controller === mine) schedule();
    }
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void run();
      else window.clearTimeout(timer);
    };
    document.addEventListener('visibilitychange', onVisibility);
    runRef.current = () => void run();
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => runRef.current(), []);
  const mutate = useCallback(
    (change: (data: T | undefined) => T | undefined) =>
      setState((previous) => (previous.key === key ? { ...previous, data: change(previous.data) } : previous)),
    [key],
  );
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : null,
    loading: current ? state.loading : true,
    refresh,
    mutate,
  };
}

import { useEffect, useState } from 'preact/hooks';
import { TASK_STATES } from '../api/types';
import { parseTimeInput } from '../format';

/** The search's filters as the URL holds them (`#/tasks?queue=&state=&since=&until=&pathPrefix=&search=`). */
export interface SearchFilters {
  queue: string;
  state: string;
  since: string;
  until: string;
  pathPrefix: string;
  search: string;
}

export const FILTER_KEYS = ['queue', 'state', 'since', 'until', 'pathPrefix', 'search'] as const;

export function filtersFromQuery(query: URLSearchParams): SearchFilters {
  const read = (name: string) => query.get(name) ?? '';
  return {
    queue: read('queue'),
    state: read('state'),
    since: read('since'),
    until: read('until'),
    pathPrefix: read('pathPrefix'),
    search: read('search'),
  };
}

/**
 * The form edits a draft; Apply (or Enter) puts it in the URL, which is what the list follows. Times
 * may be typed as RFC 3339 or as a local date and time; the URL gets RFC 3339 in UTC.
 */
export function TaskFilters({
  filters,
  queues,
  apply,
}: {
  filters: SearchFilters;
  queues: string[];
  apply(filters: SearchFilters): void;
}) {
  const [draft, setDraft] = useState(filters);
  const [invalid, setInvalid] = useState<string | null>(null);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);

  const set = (name: keyof SearchFilters) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setDraft((current) => ({ ...current, [name]: value }));
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const since = draft.since.trim() === '' ? '' : parseTimeInput(draft.since);
    const until = draft.until.trim() === '' ? '' : parseTimeInput(draft.until);
    if (since === null || until === null) {
      setInvalid(
        `${since === null ? 'Created after' : 'Created before'}: expected a time like 2026-01-31T12:00:00Z, or a local 2026-01-31 12:00.`,
      );
      return;
    }
    setInvalid(null);
    apply({ ...draft, since, until, pathPrefix: draft.pathPrefix.trim(), search: draft.search.trim() });
  };

  const queueChoices = draft.queue && !queues.includes(draft.queue) ? [draft.queue, ...queues] : queues;
  return (
    <form class="filters" onSubmit={submit} aria-label="Filter tasks">
      <label>
        Queue
        <select data-testid="filter-queue" value={draft.queue} onChange={set('queue')}>
          <option value="">every queue</option>
          {queueChoices.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        State
        <select data-testid="filter-state" value={draft.state} onChange={set('state')}>
          <option value="">any state</option>
          {TASK_STATES.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
          {draft.state && !(TASK_STATES as readonly string[]).includes(draft.state) ? (
            <option value={draft.state}>{draft.state}</option>
          ) : null}
        </select>
      </label>
      <label>
        Created after
        <input
          data-testid="filter-since"
          placeholder="2026-01-31T12:00:00Z"
          value={draft.since}
          onInput={set('since')}
        />
      </label>
      <label>
        Created before
        <input
          data-testid="filter-until"
          placeholder="2026-01-31 18:00 (local)"
          value={draft.until}
          onInput={set('until')}
        />
      </label>
      <label>
        Path starts with
        <input
          data-testid="filter-path"
          placeholder="/invoices/"
          maxLength={2048}
          value={draft.pathPrefix}
          onInput={set('pathPrefix')}
        />
      </label>
      <label>
        Text in body or headers
        <input
          data-testid="filter-search"
          type="search"
          placeholder="a@example.com"
          maxLength={200}
          value={draft.search}
          onInput={set('search')}
        />
      </label>
      <div class="filter-buttons">
        <button type="submit" class="primary" data-testid="filter-apply">
          Apply
        </button>
      </div>
      {invalid ? (
        <p class="field-error" role="alert">
          {invalid}
        </p>
      ) : null}
    </form>
  );
}

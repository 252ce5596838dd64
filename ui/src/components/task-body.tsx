import { useState } from 'preact/hooks';
import type { Task } from '../api/types';
import { formatBytes, formatNumber } from '../format';

/** Characters shown before "show all": a large body stays one click away, not a frozen tab. */
export const BODY_PREVIEW_CHARS = 4000;

/**
 * The body as text: JSON pretty-printed; other bytes decoded as UTF-8 when they are valid UTF-8,
 * else their base64. Always text in a <pre>, never markup: `<img onerror>` in a body is shown as
 * those characters.
 */
export function bodyText(task: Task): { text: string; note: string | null } {
  if (task.bodyBase64 !== undefined) {
    const bytes = Uint8Array.from(atob(task.bodyBase64), (c) => c.charCodeAt(0));
    try {
      return {
        text: new TextDecoder('utf-8', { fatal: true }).decode(bytes),
        note: `Shown as UTF-8 text (${task.contentType ?? 'no content type'}).`,
      };
    } catch {
      return { text: task.bodyBase64, note: 'Not UTF-8 text: shown as base64.' };
    }
  }
  if (task.body === undefined || task.body === null) return { text: '', note: null };
  return { text: JSON.stringify(task.body, null, 2), note: null };
}

export function TaskBody({ task }: { task: Task }) {
  const [expanded, setExpanded] = useState(false);
  const { text, note } = bodyText(task);
  if (text === '' && note === null) {
    return (
      <pre class="body" data-testid="task-body">
        (no body)
      </pre>
    );
  }
  const long = text.length > BODY_PREVIEW_CHARS;
  const shown = long && !expanded ? text.slice(0, BODY_PREVIEW_CHARS) : text;
  return (
    <div>
      {note ? <p class="muted small">{note}</p> : null}
      <pre class="body" data-testid="task-body">
        {shown}
        {long && !expanded ? `\n… ${formatNumber(text.length - BODY_PREVIEW_CHARS)} more characters` : ''}
      </pre>
      {long ? (
        <button
          type="button"
          data-testid="task-body-expand"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? 'Show less' : `Show all (${formatBytes(task.bodyBytes)})`}
        </button>
      ) : null}
    </div>
  );
}

import type { ComponentChildren } from 'preact';

/** What an empty page says: what there is not, and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty" data-testid="empty-state">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

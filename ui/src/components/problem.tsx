import type { Problem } from '../api/types';

/** An API error as its problem details say it: title, detail, code and each field's message. */
export function ProblemView({ problem, onDismiss }: { problem: Problem; onDismiss?: () => void }) {
  return (
    <div class="problem" role="alert" data-testid="error-problem">
      <p>
        <strong>{problem.title}</strong>
        {problem.status > 0 ? <span class="muted"> (HTTP {problem.status})</span> : null}
      </p>
      {problem.detail ? <p>{problem.detail}</p> : null}
      {problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((error, index) => (
            <li key={index}>
              <code>{error.path}</code>: {error.message}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="muted small">
        code <code>{problem.code}</code>
      </p>
      {onDismiss ? (
        <button type="button" class="link" onClick={onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}

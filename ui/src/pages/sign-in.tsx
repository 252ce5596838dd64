import { useState } from 'preact/hooks';
import type { Problem } from '../api/types';
import { ProblemView } from '../components/problem';

/**
 * A token from `recorder.tokens`. It is checked against the API before it is kept, and kept in
 * this tab's sessionStorage only: closing the tab, or signing out, forgets it.
 */
export function SignInPage({
  notice,
  signIn,
}: {
  notice: string | null;
  signIn(token: string): Promise<Problem | null>;
}) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setProblem({
        code: 'token_missing',
        title: 'A token is needed',
        status: 0,
        detail: 'Paste one of the tokens configured in recorder.tokens.',
        errors: [],
      });
      return;
    }
    setBusy(true);
    const refused = await signIn(value);
    setBusy(false);
    setProblem(refused);
  };

  return (
    <section class="sign-in">
      <h1>Sign in</h1>
      <p>
        This recorder needs a bearer token: one of <code>recorder.tokens</code> in its configuration. A{' '}
        <code>read</code> token shows everything and changes nothing; an <code>admin</code> token can also pause queues
        and retry, cancel or delete tasks.
      </p>
      {notice ? <p class="notice">{notice}</p> : null}
      <form onSubmit={(event) => void submit(event)}>
        <label for="signin-token">Token</label>
        <input
          id="signin-token"
          data-testid="signin-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <button type="submit" data-testid="signin-submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {problem ? (
        <div data-testid="signin-error">
          <ProblemView problem={problem} />
        </div>
      ) : null}
      <p class="muted small">
        The token stays in this browser tab (sessionStorage) and is sent only to this recorder, as{' '}
        <code>Authorization: Bearer</code>. No cookie is set.
      </p>
    </section>
  );
}

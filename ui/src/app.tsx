import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Session } from './api/types';
import { ProblemView } from './components/problem';
import { CronPage } from './pages/cron';
import { CronEntryPage } from './pages/cron-entry';
import { FailedPage } from './pages/failed';
import { OverviewPage } from './pages/overview';
import { QueuePage } from './pages/queue';
import { SchedulersPage } from './pages/schedulers';
import { SignInPage } from './pages/sign-in';
import { TaskPage } from './pages/task-detail';
import { TasksPage } from './pages/tasks';
import { href, navigate, useRoute, type Route } from './router';
import { useSession } from './session';

/**
 * The shell: who is signed in (or the sign-in page), the navigation, the open-API banner, and the
 * page the hash names. Pages get the session so they can leave out what the role may not do.
 */
export function App() {
  const route = useRoute();
  const { state, signIn, signOut, retry } = useSession();

  // Signed out anywhere: the sign-in page, remembering where the person was going.
  useEffect(() => {
    if (state.status === 'signed-out' && route.name !== 'sign-in') {
      navigate(href(['sign-in'], { next: route.hash && route.hash !== '#/' ? route.hash : undefined }));
    }
    if (state.status === 'ready' && route.name === 'sign-in') {
      const next = route.query.get('next');
      navigate(next?.startsWith('#/') ? next : '#/');
    }
  }, [state.status, route.hash]);

  if (state.status === 'loading') {
    return (
      <Frame>
        <p class="muted">Loading…</p>
      </Frame>
    );
  }
  if (state.status === 'failed') {
    return (
      <Frame>
        <h1>The recorder cannot be reached</h1>
        <ProblemView problem={state.problem} />
        <button type="button" onClick={retry}>
          Try again
        </button>
      </Frame>
    );
  }
  if (state.status === 'signed-out') {
    return (
      <Frame>
        <SignInPage notice={state.notice} signIn={signIn} />
      </Frame>
    );
  }
  const { session, token } = state;
  return (
    <Frame session={session} signedIn={token !== null} signOut={signOut} route={route}>
      <Page route={route} session={session} />
    </Frame>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.name) {
    case 'overview':
    case 'sign-in':
      return <OverviewPage session={session} />;
    case 'queue':
      return <QueuePage key={route.param} name={route.param} session={session} />;
    case 'tasks':
      return <TasksPage route={route} session={session} />;
    case 'task':
      return <TaskPage key={route.param} id={route.param} session={session} />;
    case 'failed':
      return <FailedPage session={session} />;
    case 'cron':
      return <CronPage session={session} />;
    case 'cron-entry':
      return <CronEntryPage key={route.param} name={route.param} session={session} />;
    case 'schedulers':
      return <SchedulersPage />;
    default:
      return (
        <section>
          <h1>No such page</h1>
          <p>
            <a href="#/">Go to the queues</a>.
          </p>
        </section>
      );
  }
}

interface FrameProps {
  children: ComponentChildren;
  session?: Session;
  signedIn?: boolean;
  signOut?: () => void;
  route?: Route;
}

function Frame({ children, session, signedIn, signOut, route }: FrameProps) {
  const current = (names: Route['name'][]) =>
    route && names.includes(route.name) ? ({ 'aria-current': 'page' } as const) : {};
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          Dispatchr
        </a>
        {session ? (
          <nav aria-label="Main">
            <a href="#/" data-testid="nav-queues" {...current(['overview', 'queue'])}>
              Queues
            </a>
            <a href="#/tasks" data-testid="nav-tasks" {...current(['tasks', 'task'])}>
              Tasks
            </a>
            <a href="#/failed" data-testid="nav-failed" {...current(['failed'])}>
              Failed
            </a>
            <a href="#/cron" data-testid="nav-cron" {...current(['cron', 'cron-entry'])}>
              Cron
            </a>
            <a href="#/schedulers" data-testid="nav-schedulers" {...current(['schedulers'])}>
              Schedulers
            </a>
          </nav>
        ) : null}
        {session ? (
          <div class="who">
            <span class="muted small">
              {session.open ? 'open API' : `${session.name ?? 'token'} · ${session.role}`}
              {session.queues ? ` · ${session.queues.join(', ')}` : ''}
            </span>
            {signedIn && signOut ? (
              <button type="button" class="link" data-testid="sign-out" onClick={signOut}>
                Sign out
              </button>
            ) : null}
          </div>
        ) : null}
      </header>
      {session?.open ? (
        <div class="banner" role="status" data-testid="banner-open-api">
          <strong>This API is open.</strong> Anyone who can reach this recorder can read, change and delete tasks,
          without a token. Set <code>recorder.tokens</code> in the configuration to require one.
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The hash is the router's: move focus to the content instead of following `#main`. */
function skipToMain(event: MouseEvent): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

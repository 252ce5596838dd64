import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, problemOf, storedToken, storeToken, UNAUTHORIZED_EVENT } from './api/client';
import { getSession } from './api/endpoints';
import type { Problem, Session } from './api/types';

/**
 * Who the person is to the API: `GET /v1/session` with the stored token. 401 means the token is
 * missing or refused (sign in); an open API answers for anyone. A recorder without that route
 * (404, an older version) is asked for the queues instead, and its role is then unknown: actions
 * stay visible and the server still refuses what the token may not do.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice: string | null }
  | { status: 'failed'; problem: Problem }
  | { status: 'ready'; session: Session; token: string | null; notice: Problem | null };

export interface SessionControl {
  state: SessionState;
  signIn(token: string): Promise<Problem | null>;
  signOut(): void;
  retry(): void;
}

async function identify(token: string | null): Promise<{ session: Session; notice: Problem | null }> {
  try {
    return { session: await getSession(token), notice: null };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    await api('GET', '/v1/queues', { token }); // 401 for a bad token, as the session route would say
    return {
      session: { open: token === null, role: 'admin', name: null, queues: null },
      notice: error.problem,
    };
  }
}

export function useSession(): SessionControl {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const check = useCallback(async (token: string | null, notice: string | null = null) => {
    setState({ status: 'loading' });
    try {
      const found = await identify(token);
      setState({ status: 'ready', token, ...found });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        storeToken(null);
        setState({
          status: 'signed-out',
          notice: notice ?? (token ? 'The token you signed in with is no longer accepted: sign in again.' : null),
        });
        return;
      }
      setState({ status: 'failed', problem: problemOf(error) });
    }
  }, []);

  useEffect(() => {
    void check(storedToken());
    const refused = () => {
      storeToken(null);
      setState({ status: 'signed-out', notice: 'The API refused your token: sign in again.' });
    };
    window.addEventListener(UNAUTHORIZED_EVENT, refused);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, refused);
  }, [check]);

  const signIn = useCallback(async (token: string): Promise<Problem | null> => {
    try {
      const found = await identify(token);
      storeToken(token);
      setState({ status: 'ready', token, ...found });
      return null;
    } catch (error) {
      return problemOf(error);
    }
  }, []);

  const signOut = useCallback(() => {
    storeToken(null);
    setState({ status: 'signed-out', notice: 'Signed out. The token was removed from this tab.' });
  }, []);

  const retry = useCallback(() => void check(storedToken()), [check]);

  return { state, signIn, signOut, retry };
}

export const canAdmin = (session: Session): boolean => session.role === 'admin';

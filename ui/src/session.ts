import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, problemOf, storedToken, storeToken, UNAUTHORIZED_EVENT } from './api/client';
import { getSession } from './api/endpoints';
import type { Problem, Session } from './api/types';

/**
 * Who the person is to the API: `GET /v1/session` with the stored token. 401 means the token is
 * missing or refused (sign in); an open API answers for anyone. The dashboard ships with its
 * recorder, so the route is always there.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice: string | null }
  | { status: 'failed'; problem: Problem }
  | { status: 'ready'; session: Session; token: string | null };

export interface SessionControl {
  state: SessionState;
  signIn(token: string): Promise<Problem | null>;
  signOut(): void;
  retry(): void;
}

export function useSession(): SessionControl {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const check = useCallback(async (token: string | null, notice: string | null = null) => {
    setState({ status: 'loading' });
    try {
      setState({ status: 'ready', token, session: await getSession(token) });
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
      const session = await getSession(token);
      storeToken(token);
      setState({ status: 'ready', token, session });
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

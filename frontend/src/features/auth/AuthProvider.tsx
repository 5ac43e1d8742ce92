import type { QueryClient } from '@tanstack/react-query';
import { createContext, use, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, ok, setCsrfToken, setUnauthorizedHandler, type Schemas } from '../../lib/api';
import { ApiError } from '../../lib/problem';
import { IdleWarning } from './IdleWarning';
import { forgetReturnPath, rememberReturnPath } from './returnPath';

type User = Schemas['UserRead'];
export type SignOutReason = 'signed_out' | 'idle' | 'expired';

interface AuthState {
  user: User | null;
  idleTimeoutSeconds: number;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: (reason?: SignOutReason) => Promise<void>;
  /** Tells the server this person is still here (it restarts the idle clock). */
  touch: () => Promise<void>;
  signOutReason: SignOutReason | null;
}

const AuthContext = createContext<AuthState | null>(null);
// Set while this browser has a sign-in, so that a first visit does not ask the server
// (and log a 401) only to learn that nobody is signed in. No token, just a hint.
const SIGNED_IN_HINT = 'homeward.signedIn';

export function useAuth(): AuthState {
  const state = use(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('useUser outside a signed-in screen');
  return user;
}

export function AuthProvider({
  children,
  queryClient,
}: {
  children: React.ReactNode;
  queryClient: QueryClient;
}) {
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(() => localStorage.getItem(SIGNED_IN_HINT) !== '1');
  const [idleTimeoutSeconds, setIdle] = useState(900);
  const [signOutReason, setReason] = useState<SignOutReason | null>(null);
  // Who is signed in, for the callbacks that sign out: they remember whose screen it was.
  const userId = useRef<string | null>(null);
  const navigate = useNavigate();
  const location = useLocation();

  const accept = useCallback((result: Schemas['LoginResult']) => {
    setCsrfToken(result.csrf_token);
    localStorage.setItem(SIGNED_IN_HINT, '1');
    setIdle(result.idle_timeout_seconds);
    userId.current = result.user.id;
    setUser(result.user);
  }, []);

  const leave = useCallback(
    (reason: SignOutReason) => {
      // Signing out on purpose ends the day's work; any other sign-out comes back here.
      // (A second call, such as the logout's own 401, finds nobody signed in and keeps it.)
      if (reason === 'signed_out') forgetReturnPath();
      else if (userId.current) {
        rememberReturnPath(`${window.location.pathname}${window.location.search}`, userId.current);
      }
      userId.current = null;
      setCsrfToken(null);
      localStorage.removeItem(SIGNED_IN_HINT);
      setUser(null);
      setReason(reason);
      queryClient.clear();
      navigate('/sign-in', { replace: true });
    },
    [navigate, queryClient],
  );

  useEffect(() => {
    let live = true;
    if (localStorage.getItem(SIGNED_IN_HINT) !== '1') return;
    ok(api.GET('/api/v1/auth/me'))
      .then((result) => live && accept(result))
      .catch(() => localStorage.removeItem(SIGNED_IN_HINT))
      .finally(() => live && setChecked(true));
    return () => {
      live = false;
    };
  }, [accept]);

  useEffect(() => {
    // Only a signed-in person can be signed out; the first `/auth/me` may answer 401.
    setUnauthorizedHandler(user ? () => leave('expired') : null);
    return () => setUnauthorizedHandler(null);
  }, [leave, user]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const result = await ok(api.POST('/api/v1/auth/login', { body: { email, password } }));
      setReason(null);
      accept(result);
    },
    [accept],
  );

  const signOut = useCallback(
    async (reason: SignOutReason = 'signed_out') => {
      try {
        await ok(api.POST('/api/v1/auth/logout'));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
      leave(reason);
    },
    [leave],
  );

  const touch = useCallback(async () => {
    accept(await ok(api.GET('/api/v1/auth/me')));
  }, [accept]);

  const value = useMemo(
    () => ({ user, idleTimeoutSeconds, signIn, signOut, touch, signOutReason }),
    [user, idleTimeoutSeconds, signIn, signOut, touch, signOutReason],
  );

  if (!checked) return null;
  return (
    <AuthContext value={value}>
      {children}
      {user && !location.pathname.startsWith('/sign-in') ? <IdleWarning /> : null}
    </AuthContext>
  );
}

// Who is signed in. The CSRF token comes with the session and goes on every change.
import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { PublicUser } from '../../users/schema';
import { api, setCsrfToken, setUnauthorizedHandler } from './api';

interface SessionBody {
  user: PublicUser;
  csrfToken: string;
}

interface SessionState {
  user: PublicUser | null;
  loading: boolean;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [user, setUser] = useState<PublicUser | null>(null);
  const [loading, setLoading] = useState(true);
  const accept = (s: SessionBody | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setUser(s?.user ?? null);
  };
  useEffect(() => {
    setUnauthorizedHandler(() => accept(null));
    api<SessionBody>('/session')
      .then(accept, () => accept(null))
      .finally(() => setLoading(false));
  }, []);
  const login = useCallback(async (email: string, password: string) => {
    accept(await api<SessionBody>('/session', { method: 'POST', body: { email, password } }));
  }, []);
  const logout = useCallback(async () => {
    await api('/session', { method: 'DELETE' }).catch(() => undefined);
    accept(null);
  }, []);
  return <SessionContext.Provider value={{ user, loading, login, logout }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Whether the signed-in user may change things (viewers may not). */
export function useCanEdit(): boolean {
  const { user } = useSession();
  return user?.role === 'admin' || user?.role === 'marketer';
}

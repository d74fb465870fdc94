// Who is signed in. The console asks GET /api/v1/whoami at start; a 401 anywhere sends the
// user back to the sign-in page.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { clearCredentials, getJson, postJson, setCredentials, setUnauthenticatedHandler } from './api/client';
import { navigate } from './router';

export interface Me {
  user: string;
  is_admin: boolean;
}

interface Auth {
  me: Me | null | undefined; // undefined while asking the server
  signInWithPassword: (user: string, password: string) => Promise<void>;
  signInWithToken: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      setMe(await getJson<Me>('/api/v1/whoami'));
    } catch {
      setMe(null);
    }
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      clearCredentials();
      setMe(null);
    });
    void refresh();
  }, [refresh]);

  const signInWithPassword = async (user: string, password: string) => {
    clearCredentials();
    const session = await postJson<{ csrf_token: string }>('/api/v1/login', { user, password });
    setCredentials({ csrf: session.csrf_token });
    await refresh();
  };

  const signInWithToken = async (token: string) => {
    setCredentials({ token: token.trim() });
    try {
      setMe(await getJson<Me>('/api/v1/whoami'));
    } catch (e) {
      clearCredentials();
      throw e;
    }
  };

  const signOut = async () => {
    try {
      await postJson('/api/v1/logout');
    } catch {
      // the session may be gone already
    }
    clearCredentials();
    setMe(null);
    navigate('/signin');
  };

  return <AuthContext.Provider value={{ me, signInWithPassword, signInWithToken, signOut }}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

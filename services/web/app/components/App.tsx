/** @module The shell: who is signed in, then the page the URL names (projects, a board, a ticket). */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, refreshSession } from '../api.ts';
import { learnName } from '../names.ts';
import { navigate, useLocation } from '../router.ts';
import type { Me } from '../types.ts';
import { BoardPage } from './BoardPage.tsx';
import { Login } from './Login.tsx';
import { Projects } from './Projects.tsx';
import { TopBar } from './TopBar.tsx';

async function whoAmI(): Promise<Me | null> {
  try {
    return await api.get<Me>('/auth/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && (await refreshSession())) return api.get<Me>('/auth/me').catch(() => null);
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const { path } = useLocation();
  const load = useCallback(() => {
    whoAmI()
      .then((m) => {
        if (m) learnName(m.id, m.name);
        setMe(m);
      })
      .catch((e) => setFailure(String(e.message ?? e)));
  }, []);
  useEffect(load, [load]);

  if (failure) return <main className="center"><p role="alert">The board could not reach the server: {failure}</p></main>;
  if (me === undefined) return <main className="center" aria-busy="true"><p>Loading…</p></main>;
  if (me === null) return <Login onSignedIn={load} />;
  if (path === '/login') navigate('/', { replace: true });

  const m = path.match(/^\/p\/([^/]+)(?:\/([^/]+))?/);
  const signOut = async () => {
    await fetch('/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    setMe(null);
    navigate('/login');
  };
  return (
    <>
      <TopBar me={me} projectKey={m?.[1] ?? null} onSignOut={signOut} />
      {m ? <BoardPage key={m[1]} me={me} projectKey={decodeURIComponent(m[1]!)} openCode={m[2] ? decodeURIComponent(m[2]) : null} /> : <Projects />}
    </>
  );
}

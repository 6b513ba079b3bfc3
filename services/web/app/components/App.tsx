/** @module The shell: who is signed in, then the page the URL names (projects, a board, a ticket, an invite). */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, refreshSession } from '../api.ts';
import { learnName } from '../names.ts';
import { navigate, useLocation } from '../router.ts';
import type { Me } from '../types.ts';
import { BoardPage } from './BoardPage.tsx';
import { InvitePage } from './InvitePage.tsx';
import { InvitePeople, useCanInvite } from './InvitePeople.tsx';
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
  const [welcome, setWelcome] = useState<string | null>(null);
  const [inviting, setInviting] = useState(false);
  // Bumped when an invite signs someone in: a `/auth/me` answer asked before that is stale.
  const identity = useRef(0);
  const { path } = useLocation();
  const canInvite = useCanInvite(me);
  const load = useCallback(() => {
    const asked = identity.current;
    whoAmI()
      .then((m) => {
        if (asked !== identity.current) return;
        if (m) learnName(m.id, m.name);
        setMe(m);
      })
      .catch((e) => setFailure(String(e.message ?? e)));
  }, []);
  useEffect(load, [load]);

  // Before the session checks: the page works signed out, signed in, and while we still ask.
  if (path === '/invite') {
    const accepted = (user: Me) => {
      identity.current++;
      learnName(user.id, user.name);
      setFailure(null);
      setMe(user);
      setWelcome(user.name);
      navigate('/', { replace: true });
    };
    return <InvitePage me={me} onAccepted={accepted} />;
  }
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
      <TopBar me={me} projectKey={m?.[1] ?? null} onSignOut={signOut} onInvite={canInvite ? () => setInviting(true) : null} />
      {m ? <BoardPage key={m[1]} me={me} projectKey={decodeURIComponent(m[1]!)} openCode={m[2] ? decodeURIComponent(m[2]) : null} /> : <Projects welcome={welcome} />}
      {inviting && <InvitePeople onClose={() => setInviting(false)} />}
    </>
  );
}

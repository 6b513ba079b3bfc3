/** @module The sign-in page: each enabled provider as a button, and the development login when it is on. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';

interface Providers {
  providers: { id: string; name: string; loginUrl: string }[];
  devLogin: boolean;
}

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [providers, setProviders] = useState<Providers | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<Providers>('/auth/providers').then(setProviders, (e) => setError(`Sign-in is unavailable: ${e.message}`));
  }, []);
  const back = location.pathname === '/login' ? '/' : location.pathname + location.search;
  const devLogin = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    try {
      await api.post('/auth/dev/login', { email: String(form.get('email')), name: String(form.get('name') || '') || undefined });
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <main className="login">
      <div className="login-card">
        <h1 className="brand">SyncroBoard</h1>
        <p className="muted">Sign in to see your boards.</p>
        {error && <p role="alert" className="error">{error}</p>}
        {providers?.providers.map((p) => (
          <a key={p.id} className="button provider" href={`${p.loginUrl}?redirect=${encodeURIComponent(back)}`}>
            Continue with {p.name}
          </a>
        ))}
        {providers?.devLogin && (
          <form onSubmit={devLogin} className="stack" aria-label="Development login">
            <h2 className="small-title">Development login</h2>
            <label>
              Email
              <input name="email" type="email" required autoComplete="email" defaultValue="" />
            </label>
            <label>
              Name
              <input name="name" autoComplete="name" />
            </label>
            <button type="submit" className="primary">Sign in</button>
          </form>
        )}
        {providers && providers.providers.length === 0 && !providers.devLogin && <p>No sign-in method is enabled on this server.</p>}
      </div>
    </main>
  );
}

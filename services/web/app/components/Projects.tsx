/** @module The projects the user belongs to, and a form to create one. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { navigate } from '../router.ts';
import type { Project } from '../types.ts';

/** `welcome`: the name of someone an invite just signed in, greeted once. */
export function Projects({ welcome }: { welcome?: string | null }) {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ projects: Project[] }>('/projects').then((r) => setProjects(r.projects), (e) => setError(e.message));
  }, []);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    try {
      const p = await api.post<Project>('/projects', { name: String(form.get('name')), key: String(form.get('key')).toUpperCase() });
      navigate(`/p/${p.key}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <main className="page">
      <h1>Projects</h1>
      {welcome && (
        <p role="status" className="notice">
          Welcome, {welcome}: you have joined this board. Projects appear here once their owner adds you, or create your own below.
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      {projects === null && !error && <p aria-busy="true">Loading…</p>}
      {projects?.length === 0 && <p className="empty">No projects yet: create the first one below.</p>}
      <ul className="project-list">
        {projects?.map((p) => (
          <li key={p.id}>
            <a href={`/p/${p.key}`} onClick={(e) => (e.preventDefault(), navigate(`/p/${p.key}`))}>
              <span className="code">{p.key}</span> <strong>{p.name}</strong>
              <span className="muted"> · {p.ticketCount} tickets{p.role ? ` · ${p.role}` : ''}</span>
            </a>
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="inline-form" aria-label="Create a project">
        <label>
          Name <input name="name" required maxLength={100} />
        </label>
        <label>
          Key <input name="key" required pattern="[A-Za-z][A-Za-z0-9]{1,9}" title="2 to 10 letters or digits, starting with a letter" />
        </label>
        <button type="submit" className="primary">Create project</button>
      </form>
    </main>
  );
}

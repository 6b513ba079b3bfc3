/**
 * @module A project's members and their roles, shown by name; the owner adds people by email (the
 * Auth Service's lookup turns the address into a user id for the Ticket Service) and removes them.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, call } from '../api.ts';
import { fetchNames, learnName, useNames } from '../names.ts';
import type { Project } from '../types.ts';
import { Avatar } from './Avatar.tsx';
import { Modal } from './Modal.tsx';

interface Member {
  userId: string;
  role: 'owner' | 'member';
}

/** What went wrong, in the words of the step that failed. */
function addError(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message;
  if (err.code === 'NOT_FOUND') return 'No user with that email has signed in yet';
  if (err.status === 429) return `Too many lookups: ${err.message}`;
  if (err.status === 400 || err.status === 422) return 'That is not an email address';
  return err.message;
}

export function Members({ project, meId, onClose }: { project: Project; meId: string; onClose: () => void }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameOf = useNames();
  const load = useCallback(() => {
    api.get<{ members: Member[] }>(`/projects/${project.id}/members`).then(
      (r) => {
        setMembers(r.members);
        void fetchNames(r.members.map((m) => m.userId)).catch(() => {});
      },
      (e) => setError(e.message),
    );
  }, [project.id]);
  useEffect(load, [load]);
  const owner = members?.some((m) => m.userId === meId && m.role === 'owner') ?? false;
  const add = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const email = String(new FormData(form).get('email')).trim();
    setBusy(true);
    setError(null);
    try {
      const user = await api.get<{ id: string; name: string; email: string }>(`/auth/users/lookup?email=${encodeURIComponent(email)}`);
      learnName(user.id, user.name);
      if (members?.some((m) => m.userId === user.id)) throw new Error(`${user.name} is already a member`);
      await api.post(`/projects/${project.id}/members`, { userId: user.id });
      form.reset();
      load();
    } catch (err) {
      setError(addError(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (userId: string) => {
    try {
      await call('DELETE', `/projects/${project.id}/members/${userId}`);
      load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Modal title={`Members of ${project.name}`} onClose={onClose}>
      <h2>Members of {project.name}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <ul className="members">
        {members?.map((m) => (
          <li key={m.userId} className="row">
            <Avatar userId={m.userId} size={24} />
            <span>{m.userId === meId ? 'You' : nameOf(m.userId)}</span>
            <span className="muted">{m.role}</span>
            <span className="spacer" />
            {owner && m.role !== 'owner' && (
              <button type="button" className="link" onClick={() => void remove(m.userId)} aria-label={`Remove ${nameOf(m.userId)}`}>Remove</button>
            )}
          </li>
        ))}
      </ul>
      {owner && (
        <form className="inline-form" onSubmit={add} aria-label="Add a member">
          <label>
            Email <input name="email" type="email" required maxLength={320} autoComplete="off" placeholder="someone@example.com" title="The email the person signs in with" />
          </label>
          <button type="submit" className="primary" disabled={busy}>Add member</button>
        </form>
      )}
    </Modal>
  );
}

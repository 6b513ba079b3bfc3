/**
 * @module A project's members and their roles; the owner adds (by user id, until the Auth Service
 * has a members-only lookup by email) and removes them.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call } from '../api.ts';
import { useNames } from '../names.ts';
import type { Project } from '../types.ts';
import { Avatar } from './Avatar.tsx';
import { Modal } from './Modal.tsx';

interface Member {
  userId: string;
  role: 'owner' | 'member';
}

export function Members({ project, meId, onClose }: { project: Project; meId: string; onClose: () => void }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nameOf = useNames();
  const load = useCallback(() => {
    api.get<{ members: Member[] }>(`/projects/${project.id}/members`).then((r) => setMembers(r.members), (e) => setError(e.message));
  }, [project.id]);
  useEffect(load, [load]);
  const owner = members?.some((m) => m.userId === meId && m.role === 'owner') ?? false;
  const add = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    try {
      await api.post(`/projects/${project.id}/members`, { userId: String(new FormData(form).get('userId')).trim() });
      form.reset();
      load();
    } catch (err) {
      setError((err as Error).message);
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
            User id <input name="userId" required pattern="[0-9a-fA-F-]{36}" title="The person's user id (a UUID)" />
          </label>
          <button type="submit" className="primary">Add member</button>
        </form>
      )}
    </Modal>
  );
}

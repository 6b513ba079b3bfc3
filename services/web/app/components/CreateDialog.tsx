/** @module New ticket: title, Markdown description, priority, labels. */
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../api.ts';
import { PRIORITIES, type Ticket } from '../types.ts';
import { Modal } from './Modal.tsx';

export const parseLabels = (s: string) => [...new Set(s.split(',').map((l) => l.trim()).filter(Boolean))];

export function CreateDialog({ projectId, onClose, onCreated }: { projectId: string; onClose: () => void; onCreated: (t: Ticket) => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const description = String(f.get('description') ?? '').trim();
    try {
      const t = await api.post<Ticket>(`/projects/${projectId}/tickets`, {
        title: String(f.get('title')),
        ...(description ? { description } : {}),
        priority: String(f.get('priority')),
        labels: parseLabels(String(f.get('labels') ?? '')),
      });
      onCreated(t);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <Modal title="New ticket" onClose={onClose}>
      <h2>New ticket</h2>
      <form className="stack" onSubmit={submit}>
        {error && <p role="alert" className="error">{error}</p>}
        <label>
          Title <input name="title" required maxLength={200} autoFocus />
        </label>
        <label>
          Description (Markdown) <textarea name="description" rows={5} />
        </label>
        <label>
          Priority
          <select name="priority" defaultValue="MEDIUM">
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>{p.toLowerCase()}</option>
            ))}
          </select>
        </label>
        <label>
          Labels (comma-separated) <input name="labels" />
        </label>
        <div className="row">
          <span className="spacer" />
          <button type="button" className="ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary">Create ticket</button>
        </div>
      </form>
    </Modal>
  );
}

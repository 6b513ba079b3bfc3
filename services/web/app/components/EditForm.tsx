/**
 * @module Edits a ticket with If-Match on the version it was read at. When someone else saved first
 * (412), both versions are shown: keep yours (saved over theirs, knowingly) or take theirs.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, call } from '../api.ts';
import { PRIORITIES, type Ticket } from '../types.ts';
import { parseLabels } from './CreateDialog.tsx';

type Draft = Pick<Ticket, 'title' | 'description' | 'priority' | 'labels'>;

export function EditForm({ ticket, etag, onSaved, onCancel }: { ticket: Ticket; etag: string | null; onSaved: (t: Ticket, etag: string | null) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>({ title: ticket.title, description: ticket.description, priority: ticket.priority, labels: ticket.labels });
  const [conflict, setConflict] = useState<{ theirs: Ticket; etag: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (ifMatch: string | null) => {
    try {
      const r = await call<Ticket>('PATCH', `/tickets/${ticket.id}`, { ...draft, description: draft.description || null }, ifMatch ? { 'if-match': ifMatch } : {});
      onSaved(r.body, r.etag);
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        const latest = await call<Ticket>('GET', `/tickets/${ticket.id}`);
        setConflict({ theirs: latest.body, etag: latest.etag });
      } else setError((e as Error).message);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(etag);
  };
  if (conflict) {
    const { theirs } = conflict;
    return (
      <div className="conflict" role="alert">
        <h2>Someone else changed {ticket.code} while you were editing</h2>
        <div className="versions">
          <section aria-label="Their version">
            <h3>Theirs (saved)</h3>
            <Fields t={theirs} />
          </section>
          <section aria-label="Your version">
            <h3>Yours (not saved)</h3>
            <Fields t={draft} />
          </section>
        </div>
        <div className="row">
          <span className="spacer" />
          <button type="button" onClick={() => onSaved(theirs, conflict.etag)}>Take theirs</button>
          <button type="button" className="primary" onClick={() => void save(conflict.etag)}>Keep mine</button>
        </div>
      </div>
    );
  }
  return (
    <form className="stack" onSubmit={submit} aria-label={`Edit ${ticket.code}`}>
      <h2>Edit {ticket.code}</h2>
      {error && <p role="alert" className="error">{error}</p>}
      <label>
        Title <input value={draft.title} required maxLength={200} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
      </label>
      <label>
        Description (Markdown) <textarea rows={6} value={draft.description ?? ''} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
      </label>
      <label>
        Priority
        <select value={draft.priority} onChange={(e) => setDraft({ ...draft, priority: e.target.value as Ticket['priority'] })}>
          {PRIORITIES.map((p) => <option key={p} value={p}>{p.toLowerCase()}</option>)}
        </select>
      </label>
      <label>
        Labels (comma-separated) <input defaultValue={draft.labels.join(', ')} onChange={(e) => setDraft({ ...draft, labels: parseLabels(e.target.value) })} />
      </label>
      <div className="row">
        <span className="spacer" />
        <button type="button" className="ghost" onClick={onCancel}>Cancel</button>
        <button type="submit" className="primary">Save</button>
      </div>
    </form>
  );
}

function Fields({ t }: { t: Draft }) {
  return (
    <dl>
      <dt>Title</dt>
      <dd>{t.title}</dd>
      <dt>Priority</dt>
      <dd>{t.priority.toLowerCase()}</dd>
      <dt>Labels</dt>
      <dd>{t.labels.join(', ') || '—'}</dd>
      <dt>Description</dt>
      <dd className="pre">{t.description || '—'}</dd>
    </dl>
  );
}

/** @module Text, assignee, label and priority filters; their values live in the URL (shareable, survive reload). */
import { forwardRef } from 'react';
import { setQuery } from '../router.ts';
import { PRIORITIES, type Ticket } from '../types.ts';

export interface FilterValues {
  q: string;
  assignee: string;
  label: string;
  priority: string;
}

export function matches(t: Ticket, f: FilterValues, meId: string, nameOf: (id: string) => string) {
  if (f.priority && t.priority !== f.priority) return false;
  if (f.label && !t.labels.includes(f.label)) return false;
  if (f.assignee === 'me' && t.assigneeId !== meId) return false;
  if (f.assignee === 'none' && t.assigneeId !== null) return false;
  if (f.assignee && !['me', 'none'].includes(f.assignee) && t.assigneeId !== f.assignee) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    const hay = `${t.code} ${t.title} ${t.labels.join(' ')} ${t.assigneeId ? nameOf(t.assigneeId) : ''}`.toLowerCase();
    if (!hay.includes(q)) return false;
  }
  return true;
}

export const Filters = forwardRef<HTMLInputElement, { tickets: Ticket[]; values: FilterValues; meId: string }>(function Filters({ tickets, values }, ref) {
  const labels = [...new Set(tickets.flatMap((t) => t.labels))].sort();
  return (
    <form className="filters" role="search" aria-label="Filter the board" onSubmit={(e) => e.preventDefault()}>
      <input ref={ref} type="search" aria-label="Search tickets" aria-keyshortcuts="/" placeholder="Search  ( / )" value={values.q} onChange={(e) => setQuery('q', e.target.value)} />
      <select aria-label="Assignee" value={values.assignee} onChange={(e) => setQuery('assignee', e.target.value)}>
        <option value="">Anyone</option>
        <option value="me">Me</option>
        <option value="none">Unassigned</option>
      </select>
      <select aria-label="Label" value={values.label} onChange={(e) => setQuery('label', e.target.value)}>
        <option value="">Any label</option>
        {labels.map((l) => (
          <option key={l} value={l}>{l}</option>
        ))}
      </select>
      <select aria-label="Priority" value={values.priority} onChange={(e) => setQuery('priority', e.target.value)}>
        <option value="">Any priority</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>{p.toLowerCase()}</option>
        ))}
      </select>
    </form>
  );
});

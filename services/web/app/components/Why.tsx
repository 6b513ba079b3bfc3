/** @module Why a ticket has its assignee: the Assignment Service's decision log, newest first. */
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useNames } from '../names.ts';

interface Decision {
  id: string;
  trigger: string;
  strategy: string;
  outcome: string;
  assigneeId: string | null;
  reason: string;
  decidedAt: string;
}

export function Why({ ticketId }: { ticketId: string }) {
  const [decisions, setDecisions] = useState<Decision[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nameOf = useNames();
  useEffect(() => {
    api.get<{ decisions: Decision[] }>(`/assignment/tickets/${ticketId}/decisions`).then((r) => setDecisions(r.decisions.toReversed()), (e) => setError(e.message));
  }, [ticketId]);
  if (error) return <p className="small error">{error}</p>;
  if (!decisions) return <p className="small" aria-busy="true">Loading…</p>;
  if (!decisions.length) return <p className="small muted">No assignment decision yet.</p>;
  return (
    <ol className="why" aria-label="Assignment decisions">
      {decisions.map((d) => (
        <li key={d.id}>
          <strong>{d.assigneeId ? nameOf(d.assigneeId) : d.outcome}</strong>{' '}
          <span className="muted">({d.strategy.replace('_', ' ')}, {d.trigger}, {new Date(d.decidedAt).toLocaleString()})</span>
          <p>{d.reason}</p>
        </li>
      ))}
    </ol>
  );
}

/** @module One workflow column: a drop target with its count (filtered of total) and its cards. */
import { useDroppable } from '@dnd-kit/core';
import { STATUS_LABEL, type Status, type Ticket } from '../types.ts';
import { Card } from './Card.tsx';

export function Column({ status, tickets, total, onOpen }: { status: Status; tickets: Ticket[]; total: number; onOpen: (t: Ticket) => void }) {
  const { setNodeRef, isOver } = useDroppable({ id: status });
  const headingId = `col-${status}`;
  return (
    <section ref={setNodeRef} className={isOver ? 'column over' : 'column'} aria-labelledby={headingId} data-status={status}>
      <h2 id={headingId}>
        {STATUS_LABEL[status]} <span className="count" aria-label={`${tickets.length} tickets`}>{tickets.length === total ? total : `${tickets.length}/${total}`}</span>
      </h2>
      <ul className="cards">
        {tickets.map((t) => (
          <li key={t.id}>
            <Card ticket={t} onOpen={onOpen} />
          </li>
        ))}
      </ul>
      {tickets.length === 0 && <p className="empty">{total === 0 ? 'No tickets' : 'None match the filters'}</p>}
    </section>
  );
}

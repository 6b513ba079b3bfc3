/** @module A ticket on the board: code, title, priority, labels, assignee (or an explicit "Unassigned"). */
import { useDraggable } from '@dnd-kit/core';
import { memo } from 'react';
import { useNames } from '../names.ts';
import type { Ticket } from '../types.ts';
import { Avatar } from './Avatar.tsx';

export const Card = memo(function Card({ ticket: t, onOpen }: { ticket: Ticket; onOpen: (t: Ticket) => void }) {
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: t.id, data: { code: t.code } });
  const nameOf = useNames();
  const assignee = t.assigneeId ? nameOf(t.assigneeId) : null;
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  return (
    <div
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      onKeyDown={(e) => {
        if (e.key === 'Enter') return onOpen(t);
        listeners?.onKeyDown?.(e);
      }}
      onClick={() => onOpen(t)}
      style={style}
      className={isDragging ? 'card dragging' : 'card'}
      data-ticket-id={t.id}
      data-code={t.code}
      data-priority={t.priority}
      aria-roledescription="ticket card"
      aria-label={`${t.code}: ${t.title}. Priority ${t.priority.toLowerCase()}. ${assignee ? `Assigned to ${assignee}` : 'Unassigned'}.`}
    >
      <div className="card-top">
        <span className="code">{t.code}</span>
        <span className={`prio prio-${t.priority}`}>{t.priority.toLowerCase()}</span>
      </div>
      <p className="title">{t.title}</p>
      <div className="card-bottom">
        <span className="labels">
          {t.labels.map((l) => (
            <span key={l} className="label">{l}</span>
          ))}
        </span>
        {t.assigneeId ? <Avatar userId={t.assigneeId} size={24} /> : <span className="unassigned">Unassigned</span>}
      </div>
    </div>
  );
});

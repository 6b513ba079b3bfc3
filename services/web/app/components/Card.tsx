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
        if (e.key === 'Enter') {
          // Without this, the same Enter would also press whatever the opened dialog focuses first.
          e.preventDefault();
          return onOpen(t);
        }
        listeners?.onKeyDown?.(e);
      }}
      onClick={() => onOpen(t)}
      style={style}
      className={isDragging ? 'card dragging' : 'card'}
      data-ticket-id={t.id}
      data-code={t.code}
      data-priority={t.priority}
      aria-roledescription="ticket card"
    >
      <div className="card-top">
        <span className="code">{t.code}</span>
        <span className={`prio prio-${t.priority}`}>
          <span className="sr-only">priority </span>
          {t.priority.toLowerCase()}
        </span>
      </div>
      <p className="title">{t.title}</p>
      <div className="card-bottom">
        <span className="labels">
          {t.labels.map((l) => (
            <span key={l} className="label">{l}</span>
          ))}
        </span>
        {t.assigneeId ? (
          <span className="assignee">
            <span className="sr-only">Assigned to {assignee}</span>
            <Avatar userId={t.assigneeId} size={24} decorative />
          </span>
        ) : (
          <span className="unassigned">Unassigned</span>
        )}
      </div>
    </div>
  );
});

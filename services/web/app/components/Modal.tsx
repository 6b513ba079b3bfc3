/** @module A modal dialog: labelled, focus moved in and given back, Esc and the backdrop close it. */
import { useEffect, useRef, type ReactNode } from 'react';

export function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    // A form's first field, else the dialog itself (Tab then walks its content from the top).
    const first = ref.current?.querySelector<HTMLElement>('form input, form textarea');
    (first ?? ref.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('keydown', onKey);
      // Back to the card that opened it (it may have re-rendered: find it by its id).
      const id = before?.dataset?.ticketId;
      (id ? document.querySelector<HTMLElement>(`[data-ticket-id="${id}"]`) : before)?.focus();
    };
  }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={ref} role="dialog" aria-modal="true" aria-label={title} tabIndex={-1} className={wide ? 'dialog wide' : 'dialog'}>
        {children}
        {/* After the content, so Tab reaches the form first; it sits in the corner all the same. */}
        <button type="button" className="ghost close" aria-label="Close" onClick={onClose}>×</button>
      </div>
    </div>
  );
}

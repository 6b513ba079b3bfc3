/**
 * @module The board's shortcuts: `c` create, `/` search, `j/k` (arrows) within a column, `h/l`
 * (arrows) across, `m` then 1–4 or o/i/r/d moves the focused card, `?` help. Enter opens the
 * focused card (its own handler); keys typed into a field are the field's.
 */
import { useEffect, useRef } from 'react';
import { STATUSES, type Status, type Ticket } from '../types.ts';

const MOVE_KEYS: Record<string, Status> = { '1': 'OPEN', '2': 'IN_PROGRESS', '3': 'REVIEW', '4': 'DONE', o: 'OPEN', i: 'IN_PROGRESS', r: 'REVIEW', d: 'DONE' };

interface Options {
  enabled: boolean;
  columns: Record<Status, Ticket[]>;
  onCreate: () => void;
  onSearch: () => void;
  onHelp: () => void;
  onMove: (t: Ticket, to: Status) => void;
}

const focusCard = (id: string | undefined) => id && document.querySelector<HTMLElement>(`[data-ticket-id="${id}"]`)?.focus();

export function useBoardKeys(o: Options) {
  const latest = useRef(o);
  latest.current = o;
  const moving = useRef<Ticket | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { enabled, columns, onCreate, onSearch, onHelp, onMove } = latest.current;
      const target = e.target as HTMLElement;
      if (!enabled || e.ctrlKey || e.metaKey || e.altKey || target.closest('input, textarea, select, [contenteditable], [role=dialog]')) return;
      const focusedId = target.closest<HTMLElement>('[data-ticket-id]')?.dataset.ticketId;
      const at = focusedId ? STATUSES.flatMap((s, ci) => columns[s].map((t, ri) => ({ t, ci, ri }))).find((x) => x.t.id === focusedId) : undefined;
      if (moving.current) {
        const to = MOVE_KEYS[e.key.toLowerCase()];
        const t = moving.current;
        moving.current = null;
        document.body.removeAttribute('data-moving');
        if (to) {
          e.preventDefault();
          onMove(t, to);
          setTimeout(() => focusCard(t.id), 0);
        }
        return;
      }
      switch (e.key) {
        case 'c':
          e.preventDefault();
          return onCreate();
        case '/':
          e.preventDefault();
          return onSearch();
        case '?':
          e.preventDefault();
          return onHelp();
        case 'm':
          if (at) {
            e.preventDefault();
            moving.current = at.t;
            document.body.setAttribute('data-moving', at.t.code);
          }
          return;
        case 'j':
        case 'k':
        case 'ArrowDown':
        case 'ArrowUp': {
          e.preventDefault();
          if (!at) return focusCard(STATUSES.map((s) => columns[s][0]).find(Boolean)?.id);
          const col = columns[STATUSES[at.ci]!];
          const down = e.key === 'j' || e.key === 'ArrowDown';
          return focusCard(col[Math.max(0, Math.min(col.length - 1, at.ri + (down ? 1 : -1)))]?.id);
        }
        case 'h':
        case 'l':
        case 'ArrowLeft':
        case 'ArrowRight': {
          if (!at) return;
          e.preventDefault();
          const step = e.key === 'l' || e.key === 'ArrowRight' ? 1 : -1;
          for (let ci = at.ci + step; ci >= 0 && ci < STATUSES.length; ci += step) {
            const col = columns[STATUSES[ci]!];
            if (col.length) return focusCard(col[Math.min(at.ri, col.length - 1)]!.id);
          }
        }
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}

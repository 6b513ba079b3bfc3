/**
 * @module A project's board: filters (kept in the URL), four columns, drag and drop (pointer, touch
 * and keyboard sensors), the keyboard shortcuts, and the ticket and create dialogs.
 */
import { DndContext, KeyboardSensor, PointerSensor, TouchSensor, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { navigate, useLocation } from '../router.ts';
import { nameOf } from '../names.ts';
import { STATUSES, STATUS_LABEL, type Me, type Status, type Ticket } from '../types.ts';
import { useBoard } from '../useBoard.ts';
import { Column } from './Column.tsx';
import { CreateDialog } from './CreateDialog.tsx';
import { Filters, matches } from './Filters.tsx';
import { Members } from './Members.tsx';
import { Presence } from './Presence.tsx';
import { Shortcuts } from './Shortcuts.tsx';
import { TicketDialog } from './TicketDialog.tsx';
import { useBoardKeys } from './useBoardKeys.ts';

const announcements = {
  onDragStart: ({ active }: any) => `Picked up ${active.data.current?.code ?? 'a card'}. Use the arrow keys to choose a column, space to drop, escape to cancel.`,
  onDragOver: ({ active, over }: any) => (over ? `${active.data.current?.code} is over ${STATUS_LABEL[over.id as Status]}.` : `${active.data.current?.code} is not over a column.`),
  onDragEnd: ({ active, over }: any) => (over ? `${active.data.current?.code} dropped on ${STATUS_LABEL[over.id as Status]}.` : `${active.data.current?.code} dropped back.`),
  onDragCancel: ({ active }: any) => `Moving ${active.data.current?.code} was cancelled.`,
};

// One collator for every comparison: localeCompare with options builds a new one per call, which
// for a 500-card board's sort is thousands of collators.
const byCode = new Intl.Collator(undefined, { numeric: true }).compare;

export function BoardPage({ me, projectKey, openCode }: { me: Me; projectKey: string; openCode: string | null }) {
  const board = useBoard(projectKey, me.id);
  const { query } = useLocation();
  const [creating, setCreating] = useState(false);
  const [help, setHelp] = useState(false);
  const [people, setPeople] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 150, tolerance: 6 } }),
    // Enter opens a card; Space picks it up (and drops it), as the screen-reader instructions say.
    useSensor(KeyboardSensor, { keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] } }),
  );
  const filters = { q: query.get('q') ?? '', assignee: query.get('assignee') ?? '', label: query.get('label') ?? '', priority: query.get('priority') ?? '' };
  const visible = useMemo(() => (board.tickets ?? []).filter((t) => matches(t, filters, me.id, nameOf)), [board.tickets, filters.q, filters.assignee, filters.label, filters.priority, me.id]);
  const columns = useMemo(() => Object.fromEntries(STATUSES.map((s) => [s, visible.filter((t) => t.status === s).sort((a, b) => byCode(a.code, b.code))])) as Record<Status, Ticket[]>, [visible]);
  const open = openCode ? (board.tickets ?? []).find((t) => t.code === openCode) : undefined;
  const base = `/p/${projectKey}`;
  const keep = query.toString() ? `?${query}` : '';
  const openTicket = (t: Ticket) => navigate(`${base}/${t.code}${keep}`);
  const close = () => navigate(base + keep);

  useBoardKeys({ enabled: !creating && !help && !people && !openCode, columns, onCreate: () => setCreating(true), onSearch: () => searchRef.current?.focus(), onHelp: () => setHelp(true), onMove: (t, s) => void board.move(t, s) });

  // A move's outcome is read out; the card keeps focus wherever it lands.
  useEffect(() => {
    if (!board.notice) return;
    const id = setTimeout(() => board.setNotice(null), 8000);
    return () => clearTimeout(id);
  }, [board.notice]);

  const onDragEnd = (e: DragEndEvent) => {
    const t = board.tickets?.find((x) => x.id === e.active.id);
    if (t && e.over) void board.move(t, e.over.id as Status);
  };

  if (board.error) return <main className="page"><p role="alert" className="error">{board.error}</p></main>;
  if (!board.project || !board.tickets) return <main className="page" aria-busy="true"><p>Loading board…</p></main>;
  return (
    <main className="board-page">
      <div className="board-head">
        <h1>{board.project.name}</h1>
        <Presence users={board.presence} />
        <span className="spacer" />
        <button type="button" className="ghost" onClick={() => setPeople(true)}>Members</button>
        <button type="button" className="primary" onClick={() => setCreating(true)} aria-keyshortcuts="c">New ticket</button>
        <button type="button" className="ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?" aria-label="Keyboard shortcuts">?</button>
      </div>
      <Filters ref={searchRef} tickets={board.tickets} values={filters} meId={me.id} />
      <p role="status" aria-live="polite" className={board.notice ? 'notice' : 'notice hidden'}>{board.notice}</p>
      <DndContext sensors={sensors} onDragEnd={onDragEnd} accessibility={{ announcements }}>
        <div className="columns">
          {STATUSES.map((s) => (
            <Column key={s} status={s} tickets={columns[s]} onOpen={openTicket} total={board.tickets!.filter((t) => t.status === s).length} />
          ))}
        </div>
      </DndContext>
      {creating && <CreateDialog projectId={board.project.id} onClose={() => setCreating(false)} onCreated={(t) => (board.addLocal(t), setCreating(false))} />}
      {openCode && <TicketDialog key={openCode} code={openCode} live={open} board={board} me={me} onClose={close} />}
      {help && <Shortcuts onClose={() => setHelp(false)} />}
      {people && <Members project={board.project} meId={me.id} onClose={() => setPeople(false)} />}
    </main>
  );
}

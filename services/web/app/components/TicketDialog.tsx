/**
 * @module A ticket in full: description, status, assignee (and why), the live comment thread with
 * "X is typing…", editing with If-Match (a conflict shows both versions), and delete.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, call } from '../api.ts';
import { fetchNames, useNames } from '../names.ts';
import { STATUSES, STATUS_LABEL, type Me, type Status, type Ticket } from '../types.ts';
import type { BoardState } from '../useBoard.ts';
import { Avatar } from './Avatar.tsx';
import { Comments } from './Comments.tsx';
import { EditForm } from './EditForm.tsx';
import { Markdown } from './Markdown.tsx';
import { Modal } from './Modal.tsx';
import { Why } from './Why.tsx';

export function TicketDialog({ code, live, board, me, onClose }: { code: string; live: Ticket | undefined; board: BoardState; me: Me; onClose: () => void }) {
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [members, setMembers] = useState<string[]>([]);
  const [why, setWhy] = useState(false);
  const nameOf = useNames();

  const load = async () => {
    try {
      const r = await call<Ticket>('GET', `/tickets/${encodeURIComponent(code)}`);
      setTicket(r.body);
      setEtag(r.etag);
      return r;
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? `There is no ticket ${code}.` : (e as Error).message);
      return null;
    }
  };
  useEffect(() => {
    void load().then((r) => r && api.get<{ members: { userId: string }[] }>(`/projects/${r.body.projectId}/members`).then((m) => {
      const ids = m.members.map((x) => x.userId);
      setMembers(ids);
      void fetchNames(ids).catch(() => {});
    }, () => {}));
  }, [code]);
  // The board's live copy wins for what the hub tells us (status, assignee, fields).
  const shown = ticket && live ? { ...ticket, ...live, description: live.description ?? ticket.description } : ticket;

  const assign = async (assigneeId: string) => {
    try {
      await api.post(`/assignment/tickets/${ticket!.id}`, { assigneeId });
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${code}? This cannot be undone.`)) return;
    try {
      await call('DELETE', `/tickets/${ticket!.id}`, undefined, etag ? { 'if-match': etag } : {});
      board.removeLocal(ticket!.id);
      onClose();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Modal title={`${code}${shown ? `: ${shown.title}` : ''}`} onClose={onClose} wide>
      {error && <p role="alert" className="error">{error}</p>}
      {!shown && !error && <p aria-busy="true">Loading…</p>}
      {shown && !editing && (
        <div className="detail">
          <div className="detail-main">
            <p className="code">{shown.code}</p>
            <h2>{shown.title}</h2>
            <div className="row wrap">
              <span className={`prio prio-${shown.priority}`}>{shown.priority.toLowerCase()}</span>
              {shown.labels.map((l) => <span key={l} className="label">{l}</span>)}
            </div>
            {shown.description ? <Markdown text={shown.description} /> : <p className="muted">No description.</p>}
            <Comments ticket={shown} board={board} me={me} />
          </div>
          <aside className="detail-side">
            <label>
              Status
              <select value={shown.status} onChange={(e) => void board.move(shown, e.target.value as Status)}>
                {STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABEL[s]}</option>)}
              </select>
            </label>
            {board.notice && <p className="small">{board.notice}</p>}
            <label>
              Assignee
              <select value={shown.assigneeId ?? ''} onChange={(e) => e.target.value && void assign(e.target.value)}>
                {!shown.assigneeId && <option value="">Unassigned</option>}
                {[...new Set([...members, ...(shown.assigneeId ? [shown.assigneeId] : [])])].map((id) => <option key={id} value={id}>{nameOf(id)}</option>)}
              </select>
            </label>
            <p className="row">
              {shown.assigneeId ? <Avatar userId={shown.assigneeId} /> : <span className="unassigned">Unassigned</span>}
              <button type="button" className="link" aria-expanded={why} onClick={() => setWhy(!why)}>Why?</button>
            </p>
            {why && <Why ticketId={shown.id} />}
            <button type="button" onClick={() => setEditing(true)}>Edit</button>
            <button type="button" className="danger" onClick={remove}>Delete</button>
          </aside>
        </div>
      )}
      {shown && editing && (
        <EditForm
          ticket={shown}
          etag={etag}
          onCancel={() => setEditing(false)}
          onSaved={(t, tag) => {
            setTicket(t);
            setEtag(tag);
            board.replaceLocal(t);
            setEditing(false);
          }}
        />
      )}
    </Modal>
  );
}

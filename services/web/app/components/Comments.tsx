/** @module The comment thread of a ticket, live; tells the others when you are typing and shows when they are. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useNames } from '../names.ts';
import { realtime } from '../realtime.ts';
import type { Comment, Me, Ticket } from '../types.ts';
import type { BoardState } from '../useBoard.ts';
import { Avatar } from './Avatar.tsx';
import { Markdown } from './Markdown.tsx';

type Thread = Comment & { replies?: Thread[] };
const flatten = (ts: Thread[]): Comment[] => ts.flatMap((t) => [t, ...flatten(t.replies ?? [])]);
const TYPING_EVERY_MS = 1500;

export function Comments({ ticket, board, me }: { ticket: Ticket; board: BoardState; me: Me }) {
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const lastTyping = useRef(0);
  const nameOf = useNames();
  useEffect(() => {
    api.get<{ comments: Thread[] }>(`/tickets/${ticket.id}/comments`).then((r) => setComments(flatten(r.comments)), (e) => setError(e.message));
    return board.onComment((c) => {
      if (c.ticketId !== ticket.id) return;
      setComments((cs) => (cs && !cs.some((x) => x.id === c.commentId) ? [...cs, { id: c.commentId, authorId: c.authorId, content: c.content }] : cs));
    });
  }, [ticket.id]);
  const typers = board.typing.filter((t) => t.ticketId === ticket.id && t.userId !== me.id);

  const onInput = (value: string) => {
    setText(value);
    if (Date.now() - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = Date.now();
      realtime.send('userTyping', { projectId: ticket.projectId, ticketId: ticket.id });
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    try {
      const c = await api.post<Comment>(`/tickets/${ticket.id}/comments`, { content: text });
      setComments((cs) => (cs && !cs.some((x) => x.id === c.id) ? [...cs, c] : cs));
      setText('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="comments" aria-label="Comments">
      <h3>Comments</h3>
      {error && <p role="alert" className="error">{error}</p>}
      {comments?.length === 0 && <p className="empty">No comments yet.</p>}
      <ol className="thread">
        {comments?.map((c) => (
          <li key={c.id} className="comment">
            <Avatar userId={c.authorId} size={24} />
            <div>
              <strong>{c.authorId === me.id ? me.name : nameOf(c.authorId)}</strong>
              <Markdown text={c.content} />
            </div>
          </li>
        ))}
      </ol>
      <p className="typing" aria-live="polite">{typers.length ? `${typers.map((t) => t.userName).join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…` : ''}</p>
      <form onSubmit={submit} className="stack">
        <label>
          Add a comment
          <textarea
            rows={3}
            value={text}
            onChange={(e) => onInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
            }}
          />
        </label>
        <div className="row">
          <span className="spacer" />
          <button type="submit" className="primary" aria-keyshortcuts="Control+Enter">Comment</button>
        </div>
      </form>
    </section>
  );
}

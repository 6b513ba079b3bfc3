/** @module The in-app notifications: unread count on the bell, the feed in a popover, live over the socket. */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { onFrame, realtime } from '../realtime.ts';

interface Item {
  id: string;
  title: string;
  body: string;
  link: string | null;
  read: boolean;
}

export function Bell() {
  const [feed, setFeed] = useState<{ items: Item[]; unreadCount: number } | null>(null);
  const [open, setOpen] = useState(false);
  const load = useCallback(() => {
    api.get('/notifications?limit=20').then(setFeed, () => setFeed(null));
  }, []);
  useEffect(load, [load]);
  useEffect(() => realtime.start(), []);
  useEffect(() => onFrame((f) => f.event === 'notification' && load()), [load]);
  const readAll = async () => {
    await api.post('/notifications/read-all');
    load();
  };
  const unread = feed?.unreadCount ?? 0;
  return (
    <div className="bell">
      <button type="button" className="ghost" aria-expanded={open} aria-label={`Notifications, ${unread} unread`} onClick={() => setOpen(!open)}>
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && <span className="badge" aria-hidden="true">{unread}</span>}
      </button>
      {open && (
        <div className="popover" role="region" aria-label="Notifications">
          <div className="row">
            <strong>Notifications</strong>
            <span className="spacer" />
            {unread > 0 && <button type="button" className="link" onClick={readAll}>Mark all read</button>}
          </div>
          {!feed && <p className="muted">Notifications are unavailable.</p>}
          {feed?.items.length === 0 && <p className="empty">Nothing yet.</p>}
          <ul>
            {feed?.items.map((n) => (
              <li key={n.id} className={n.read ? 'read' : 'unread'}>
                <strong>{n.title}</strong>
                <p>{n.body}</p>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

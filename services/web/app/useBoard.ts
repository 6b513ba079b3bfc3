/**
 * @module A project's board kept live: fetched once, joined on the hub from its version, then each
 * frame applied in order. Moves are optimistic and snap back when the server refuses them.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PresenceUser, ServerFrame } from '@syncro/realtime-client';
import { ApiError, api, call } from './api.ts';
import { learnName } from './names.ts';
import { onFrame, onResync, realtime } from './realtime.ts';
import { STATUSES, STATUS_LABEL, type Board, type Project, type Status, type Ticket } from './types.ts';

export interface TypingNow {
  ticketId: string;
  userId: string;
  userName: string;
  until: number;
}

const FIELDS = ['title', 'description', 'priority', 'labels', 'status', 'assigneeId'] as const;

export function useBoard(projectKey: string, meId: string) {
  const [project, setProject] = useState<Project | null>(null);
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [presence, setPresence] = useState<PresenceUser[]>([]);
  const [typing, setTyping] = useState<TypingNow[]>([]);
  const commentListeners = useRef(new Set<(f: Extract<ServerFrame, { event: 'ticketCommented' }>['data']) => void>());

  const fetchBoard = useCallback(async (projectId: string) => {
    const board = await api.get<Board>(`/projects/${projectId}/board`);
    setTickets(STATUSES.flatMap((s) => board.columns[s]));
    return board.version;
  }, []);

  useEffect(() => {
    let projectId: string | null = null;
    let cancelled = false;
    const apply = (f: ServerFrame) => {
      if (!projectId || !('projectId' in f.data) || f.data.projectId !== projectId) return;
      const patch = (id: string, fn: (t: Ticket) => Ticket) => setTickets((ts) => ts && ts.map((t) => (t.id === id ? fn(t) : t)));
      switch (f.event) {
        case 'joined':
          f.data.presence.forEach((p) => learnName(p.userId, p.name));
          setPresence(f.data.presence);
          break;
        case 'presence':
          f.data.joined.forEach((p) => learnName(p.userId, p.name));
          setPresence((ps) => [...ps.filter((p) => !f.data.left.includes(p.userId) && !f.data.joined.some((j) => j.userId === p.userId)), ...f.data.joined]);
          break;
        case 'ticketCreated': {
          const d = f.data;
          setTickets((ts) => (ts && !ts.some((t) => t.id === d.ticketId) ? [...ts, { id: d.ticketId, code: d.code, projectId: d.projectId, title: d.title, description: null, priority: d.priority as Ticket['priority'], status: d.status as Status, labels: d.labels, reporterId: d.reporterId, assigneeId: null, version: 1 }] : ts));
          break;
        }
        case 'ticketMoved':
          patch(f.data.ticketId, (t) => ({ ...t, status: f.data.newStatus as Status }));
          break;
        case 'ticketUpdated':
        case 'ticketAssigned': {
          const changes = f.data.changes;
          patch(f.data.ticketId, (t) => {
            const next: any = { ...t };
            for (const k of FIELDS) if (k in changes) next[k] = changes[k]!.to;
            if (f.event === 'ticketAssigned') next.assigneeId = f.data.assigneeId;
            return next;
          });
          break;
        }
        case 'ticketDeleted':
          setTickets((ts) => ts && ts.filter((t) => t.id !== f.data.ticketId));
          break;
        case 'ticketCommented':
          commentListeners.current.forEach((l) => l(f.data as any));
          break;
        case 'userTyping':
          if (f.data.userId === meId) break;
          learnName(f.data.userId, f.data.userName);
          setTyping((ts) => [...ts.filter((t) => !(t.userId === f.data.userId && t.ticketId === f.data.ticketId)), { ...f.data, until: Date.now() + 4000 }]);
          break;
        case 'kicked':
          setError('You are no longer a member of this project.');
          break;
      }
    };
    const offFrame = onFrame(apply);
    let offResync = () => {};
    api
      .get<Project>(`/projects/${encodeURIComponent(projectKey)}`)
      .then(async (p) => {
        if (cancelled) return;
        projectId = p.id;
        setProject(p);
        offResync = onResync(p.id, () => fetchBoard(p.id));
        const version = await fetchBoard(p.id);
        if (!cancelled) realtime.join(p.id, version);
      })
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? `There is no project ${projectKey} that you can see.` : e.message));
    const sweep = setInterval(() => setTyping((ts) => (ts.some((t) => t.until < Date.now()) ? ts.filter((t) => t.until >= Date.now()) : ts)), 1000);
    return () => {
      cancelled = true;
      offFrame();
      offResync();
      clearInterval(sweep);
      if (projectId) realtime.leave(projectId);
    };
  }, [projectKey, meId, fetchBoard]);

  /** Optimistic: the card moves now; a refusal puts it back and says which moves are allowed. */
  const move = useCallback(async (ticket: Ticket, to: Status) => {
    if (ticket.status === to) return;
    const from = ticket.status;
    setTickets((ts) => ts && ts.map((t) => (t.id === ticket.id ? { ...t, status: to } : t)));
    setNotice(null);
    try {
      const { body } = await call<Ticket>('PATCH', `/tickets/${ticket.id}/status`, { status: to });
      setTickets((ts) => ts && ts.map((t) => (t.id === ticket.id ? { ...t, ...body } : t)));
      setNotice(`${ticket.code} moved to ${STATUS_LABEL[to]}.`);
    } catch (e) {
      setTickets((ts) => ts && ts.map((t) => (t.id === ticket.id ? { ...t, status: from } : t)));
      const allowed: string[] = e instanceof ApiError ? (e.details?.allowed ?? []) : [];
      const names = allowed.map((s) => STATUS_LABEL[s as Status] ?? s).join(', ');
      setNotice(`${ticket.code} stays in ${STATUS_LABEL[from]}: ${(e as Error).message}.${allowed.length ? ` Allowed moves: ${names}.` : ' It cannot move from here.'}`);
    }
  }, []);

  const addLocal = useCallback((t: Ticket) => setTickets((ts) => (ts && !ts.some((x) => x.id === t.id) ? [...ts, t] : ts)), []);
  const replaceLocal = useCallback((t: Ticket) => setTickets((ts) => ts && ts.map((x) => (x.id === t.id ? t : x))), []);
  const removeLocal = useCallback((id: string) => setTickets((ts) => ts && ts.filter((x) => x.id !== id)), []);
  const onComment = useCallback((l: (d: any) => void) => {
    commentListeners.current.add(l);
    return () => void commentListeners.current.delete(l);
  }, []);

  return { project, tickets, error, notice, setNotice, presence, typing, move, addLocal, replaceLocal, removeLocal, onComment };
}

export type BoardState = ReturnType<typeof useBoard>;

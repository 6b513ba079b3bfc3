/**
 * @module One realtime connection for the page (`/ws` on this origin, the session cookie), shared by
 * every view: frames fan out to subscribers, the status feeds the connection banner. When the
 * browser says it is offline the socket is dropped at once (it may linger half-open for minutes);
 * back online, a new one resumes every joined project from the last version applied.
 */
import { RealtimeClient, type ClientEvent, type ConnectionStatus, type ServerFrame } from '@syncro/realtime-client';
import { useSyncExternalStore } from 'react';
import { refreshSession } from './api.ts';

type Listener = (f: ServerFrame) => void;
const frameListeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
const resyncers = new Map<string, () => Promise<number>>();
/** Joined projects and the version each was joined from (updated from the client before it is replaced). */
const joined = new Map<string, number | undefined>();
let client: RealtimeClient | null = null;
let status: ConnectionStatus = 'connecting';
let everConnected = false;

function setStatus(s: ConnectionStatus) {
  status = s;
  if (s === 'connected') everConnected = true;
  statusListeners.forEach((l) => l());
}

function connect(): RealtimeClient {
  const c: RealtimeClient = new RealtimeClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    // Before each attempt, make sure the access cookie is fresh: an expired one is refused at the upgrade.
    credentials: async () => {
      const me = await fetch('/auth/me');
      if (me.status === 401) await refreshSession();
      return {};
    },
    onFrame: (f) => c === client && frameListeners.forEach((l) => l(f)),
    onStatus: (s) => c === client && setStatus(s),
    onResync: (projectId) => resyncers.get(projectId)?.() ?? Promise.resolve(c.version(projectId) ?? 0),
  });
  for (const [projectId, version] of joined) c.join(projectId, version);
  return c;
}

const live = () => (client ??= connect());

addEventListener('offline', () => {
  if (!client) return;
  for (const projectId of joined.keys()) joined.set(projectId, client.version(projectId));
  const old = client;
  client = null;
  old.close();
  setStatus('reconnecting');
});
addEventListener('online', () => {
  if (joined.size) live();
});

export const realtime = {
  join(projectId: string, sinceVersion: number) {
    joined.set(projectId, sinceVersion);
    if (navigator.onLine) live().join(projectId, sinceVersion);
  },
  leave(projectId: string) {
    joined.delete(projectId);
    client?.leave(projectId);
  },
  send(event: ClientEvent, data?: unknown) {
    client?.send(event, data);
  },
  /** The connection, for those who want it open before joining anything (the bell's notifications). */
  start() {
    if (navigator.onLine) live();
  },
};

export function onFrame(l: Listener) {
  frameListeners.add(l);
  return () => void frameListeners.delete(l);
}

/** The board refetches itself when the hub cannot replay what it missed. */
export function onResync(projectId: string, refetch: () => Promise<number>) {
  resyncers.set(projectId, refetch);
  return () => void resyncers.delete(projectId);
}

export function useConnection() {
  const s = useSyncExternalStore((l) => (statusListeners.add(l), () => void statusListeners.delete(l)), () => status);
  return { status: s, everConnected };
}

/**
 * @module One realtime connection for the page (`/ws` on this origin, the session cookie), shared by
 * every view: frames fan out to subscribers, the status feeds the connection banner.
 */
import { RealtimeClient, type ConnectionStatus, type ServerFrame } from '@syncro/realtime-client';
import { useSyncExternalStore } from 'react';
import { refreshSession } from './api.ts';

type Listener = (f: ServerFrame) => void;
const frameListeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
const resyncers = new Map<string, () => Promise<number>>();
let client: RealtimeClient | null = null;
let status: ConnectionStatus = 'connecting';
let everConnected = false;

export function realtime(): RealtimeClient {
  client ??= new RealtimeClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    // Before each attempt, make sure the access cookie is fresh: an expired one is refused at the upgrade.
    credentials: async () => {
      const me = await fetch('/auth/me');
      if (me.status === 401) await refreshSession();
      return {};
    },
    onFrame: (f) => frameListeners.forEach((l) => l(f)),
    onStatus: (s) => {
      status = s;
      if (s === 'connected') everConnected = true;
      statusListeners.forEach((l) => l());
    },
    onResync: (projectId) => resyncers.get(projectId)?.() ?? Promise.resolve(client?.version(projectId) ?? 0),
  });
  return client;
}

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

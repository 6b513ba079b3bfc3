/**
 * @module Display names the board has learnt (presence, typing, the signed-in user, the Auth
 * Service's names-by-id lookup): ids stay ids until then.
 */
import { useSyncExternalStore } from 'react';
import { api } from './api.ts';

const names = new Map<string, string>();
const listeners = new Set<() => void>();
let stamp = 0;

export function learnName(userId: string, name: string) {
  if (!name || names.get(userId) === name) return;
  names.set(userId, name);
  stamp++;
  listeners.forEach((l) => l());
}

export const nameOf = (userId: string) => names.get(userId) ?? `User ${userId.slice(0, 4)}`;

export function useNames() {
  useSyncExternalStore((l) => (listeners.add(l), () => void listeners.delete(l)), () => stamp);
  return nameOf;
}

/** `GET /auth/users` takes at most this many ids per call. */
const IDS_PER_CALL = 100;

/** Asks the Auth Service for the names of ids not known yet; best effort: on failure ids stay ids. */
export async function fetchNames(ids: string[]): Promise<void> {
  const unknown = [...new Set(ids)].filter((id) => !names.has(id));
  for (let i = 0; i < unknown.length; i += IDS_PER_CALL) {
    const { users } = await api.get<{ users: { id: string; name: string }[] }>(`/auth/users?ids=${unknown.slice(i, i + IDS_PER_CALL).join(',')}`);
    users.forEach((u) => learnName(u.id, u.name));
  }
}

/** @module Display names the board has learnt (presence, typing, the signed-in user): ids stay ids until then. */
import { useSyncExternalStore } from 'react';

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

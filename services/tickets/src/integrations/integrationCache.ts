/**
 * @module Integrations as the receiver reads them, kept in process for INTEGRATION_CACHE_MS (2 s):
 * one query fewer per delivery (bench/webhooks.ts). A change through this process's routes
 * (disable, rotate, delete) forgets its entry at once; another replica's copy is at most that old,
 * so a rotation with graceSeconds 0 or a disable reaches every replica within 2 s.
 */
import { eq } from 'drizzle-orm';
import type { TicketDb } from '../context.ts';
import { integrations, type IntegrationRow } from './integrations.model.ts';

export const INTEGRATION_CACHE_MS = 2000;

export interface IntegrationCache {
  get(id: string): Promise<IntegrationRow | undefined>;
  forget(id: string): void;
}

const caches = new WeakMap<TicketDb, IntegrationCache>();

export function integrationCache(db: TicketDb, ttlMs = INTEGRATION_CACHE_MS): IntegrationCache {
  let cache = caches.get(db);
  if (cache) return cache;
  const entries = new Map<string, { row: IntegrationRow | undefined; until: number }>();
  cache = {
    async get(id) {
      const hit = entries.get(id);
      if (hit && hit.until > Date.now()) return hit.row;
      const [row] = await db.select().from(integrations).where(eq(integrations.id, id));
      // Unknown ids are not kept: a flood of random ids must not grow the map.
      if (row) {
        if (entries.size > 10_000) entries.clear();
        entries.set(id, { row, until: Date.now() + ttlMs });
      }
      return row;
    },
    forget: (id) => void entries.delete(id),
  };
  caches.set(db, cache);
  return cache;
}

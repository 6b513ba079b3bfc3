/** @module A user's effective preferences: their choices over the defaults. */
import { eq, sql } from 'drizzle-orm';
import type { NotifyDb, Tx } from '../context.ts';
import { DEFAULT_CHANNELS, KINDS, type Channel, type Kind, type Locale } from '../messages/kinds.ts';
import { preferences, projectMutes } from './preferences.model.ts';

export interface EffectivePreferences {
  /** The chosen locale, or null to follow the account's. */
  locale: Locale | null;
  muted: boolean;
  channels: Record<Kind, Channel[]>;
  mutedProjects: string[];
}

/** One round trip: it runs once per recipient of every event. */
export async function readPreferences(db: NotifyDb | Tx, userId: string): Promise<EffectivePreferences> {
  const [row] = await db
    .select({
      channels: preferences.channels,
      muted: preferences.muted,
      locale: preferences.locale,
      mutedProjects: sql<string[]>`coalesce((select array_agg(${projectMutes.projectId}::text order by ${projectMutes.projectId}) from ${projectMutes} where ${projectMutes.userId} = ${userId}), '{}')`,
    })
    .from(sql`(select 1) as one`)
    .leftJoin(preferences, eq(preferences.userId, userId));
  const chosen = row?.channels ?? {};
  return {
    locale: (row?.locale as Locale | null | undefined) ?? null,
    muted: row?.muted ?? false,
    channels: Object.fromEntries(KINDS.map((k) => [k, chosen[k] ?? DEFAULT_CHANNELS[k]])) as Record<Kind, Channel[]>,
    mutedProjects: row?.mutedProjects ?? [],
  };
}

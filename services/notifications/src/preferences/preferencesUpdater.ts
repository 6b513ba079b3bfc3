/** @module Changes a user's preferences (a partial update: what is not named stays), and one-click unsubscribes. */
import { and, eq, sql } from 'drizzle-orm';
import type { NotifyDb } from '../context.ts';
import type { Channel, Kind, Locale } from '../messages/kinds.ts';
import { preferences, projectMutes } from './preferences.model.ts';
import { readPreferences, type EffectivePreferences } from './preferencesReader.ts';

export interface PreferencesChange {
  /** Per kind: the channels to use, `[]` or `'none'` for no message at all. */
  channels?: Partial<Record<Kind, Channel[] | 'none'>>;
  muted?: boolean;
  /** `null` goes back to the account's locale. */
  locale?: Locale | null;
}

export async function updatePreferences(db: NotifyDb, userId: string, change: PreferencesChange): Promise<EffectivePreferences> {
  return db.transaction(async (tx) => {
    // Serialises concurrent updates of one user so neither loses the other's kinds.
    await tx.insert(preferences).values({ userId }).onConflictDoNothing();
    const [row] = await tx.select().from(preferences).where(eq(preferences.userId, userId)).for('update');
    const channels = { ...row!.channels };
    for (const [kind, value] of Object.entries(change.channels ?? {}) as [Kind, Channel[] | 'none'][]) {
      channels[kind] = value === 'none' ? [] : [...new Set(value)];
    }
    await tx
      .update(preferences)
      .set({
        channels,
        ...(change.muted !== undefined ? { muted: change.muted } : {}),
        ...(change.locale !== undefined ? { locale: change.locale } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(preferences.userId, userId));
    return readPreferences(tx, userId);
  });
}

/** The unsubscribe link: that kind stops coming through that channel; the others are untouched. */
export async function unsubscribe(db: NotifyDb, userId: string, kind: Kind, channel: Channel): Promise<EffectivePreferences> {
  const current = await readPreferences(db, userId);
  return updatePreferences(db, userId, { channels: { [kind]: current.channels[kind].filter((c) => c !== channel) } });
}

export async function setProjectMute(db: NotifyDb, userId: string, projectId: string, muted: boolean): Promise<EffectivePreferences> {
  if (muted) await db.insert(projectMutes).values({ userId, projectId }).onConflictDoNothing();
  else await db.delete(projectMutes).where(and(eq(projectMutes.userId, userId), eq(projectMutes.projectId, projectId)));
  return readPreferences(db, userId);
}

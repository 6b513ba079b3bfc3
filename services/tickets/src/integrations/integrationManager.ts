/**
 * @module An owner's integrations: create (with its bot member), list, change, rotate the secret,
 * delete, read the delivery log. The bot joins `project_members` without a `project.member.added`
 * event: it may report tickets and comment, but the Assignment Service must never pick it as an
 * assignee and no one should be told a bot joined.
 */
import { NotFound } from '@syncro/kit/errors';
import { and, desc, eq } from 'drizzle-orm';
import type { TicketDb } from '../context.ts';
import { projectMembers } from '../projects/projects.model.ts';
import { integrationDeliveries, integrations, type IntegrationDefaults, type IntegrationKind, type IntegrationRow } from './integrations.model.ts';
import { DEFAULT_GRACE_S, newSecret, rotation } from './secrets.ts';

export const botNameOf = (kind: IntegrationKind, name: string) => (kind === 'github' ? `GitHub (${name})` : `${name} (integration)`);

export async function createIntegration(
  db: TicketDb,
  projectId: string,
  input: { kind: IntegrationKind; name: string; defaults: IntegrationDefaults },
  actorId: string,
): Promise<IntegrationRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(integrations)
      .values({
        id: Bun.randomUUIDv7(),
        projectId,
        kind: input.kind,
        name: input.name,
        botUserId: crypto.randomUUID(),
        botName: botNameOf(input.kind, input.name),
        secret: newSecret(),
        defaults: input.defaults,
        createdBy: actorId,
      })
      .returning();
    await tx.insert(projectMembers).values({ projectId, userId: row!.botUserId, role: 'member' });
    return row!;
  });
}

export const listIntegrations = (db: TicketDb, projectId: string) =>
  db.select().from(integrations).where(eq(integrations.projectId, projectId)).orderBy(integrations.createdAt);

export async function requireIntegration(db: TicketDb, projectId: string, id: string): Promise<IntegrationRow> {
  const [row] = await db.select().from(integrations).where(and(eq(integrations.id, id), eq(integrations.projectId, projectId)));
  if (!row) throw new NotFound(`Integration ${id}`);
  return row;
}

export async function changeIntegration(
  db: TicketDb,
  row: IntegrationRow,
  edits: { name?: string; enabled?: boolean; defaults?: IntegrationDefaults },
): Promise<IntegrationRow> {
  const botName = edits.name ? { botName: botNameOf(row.kind, edits.name) } : {};
  const [updated] = await db.update(integrations).set({ ...edits, ...botName }).where(eq(integrations.id, row.id)).returning();
  if (!updated) throw new NotFound(`Integration ${row.id}`);
  return updated;
}

export async function rotateIntegrationSecret(db: TicketDb, row: IntegrationRow, graceS = DEFAULT_GRACE_S): Promise<IntegrationRow> {
  const [updated] = await db.update(integrations).set(rotation(row.secret, graceS)).where(eq(integrations.id, row.id)).returning();
  if (!updated) throw new NotFound(`Integration ${row.id}`);
  return updated;
}

/** The bot leaves the project too; its tickets and comments keep its id as reporter and author. */
export async function deleteIntegration(db: TicketDb, row: IntegrationRow): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(integrations).where(eq(integrations.id, row.id));
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, row.projectId), eq(projectMembers.userId, row.botUserId)));
  });
}

export const readDeliveryLog = (db: TicketDb, integrationId: string, limit: number) =>
  db
    .select()
    .from(integrationDeliveries)
    .where(eq(integrationDeliveries.integrationId, integrationId))
    .orderBy(desc(integrationDeliveries.receivedAt))
    .limit(limit);

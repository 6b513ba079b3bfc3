/** @module Creates a project; the creator becomes its owner; `project.created` leaves with it. */
import type { AuthUser } from '@syncro/kit/auth';
import { Conflict } from '@syncro/kit/errors';
import { appendToOutbox } from '@syncro/kit/outbox';
import type { InferInput } from 'valibot';
import type { TicketDeps } from '../context.ts';
import { projectStream } from './projectChange.ts';
import { projectMembers, projects, type ProjectRow } from './projects.model.ts';
import type { CreateProjectBody } from './projects.schema.ts';

const UNIQUE_VIOLATION = '23505';

export async function createProject(
  deps: Pick<TicketDeps, 'db' | 'wakeRelay'>,
  input: InferInput<typeof CreateProjectBody> & { description?: string | null },
  user: AuthUser,
): Promise<ProjectRow> {
  const id = Bun.randomUUIDv7();
  try {
    const created = await deps.db.transaction(async (tx) => {
      const [project] = await tx
        .insert(projects)
        .values({ id, key: input.key, name: input.name, description: input.description ?? null, createdBy: user.id, version: 1 })
        .returning();
      await tx.insert(projectMembers).values({ projectId: id, userId: user.id, role: 'owner' });
      await appendToOutbox(
        tx,
        'project.created',
        { projectId: id, key: input.key, userId: user.id, role: 'owner', version: 1, actorId: user.id, name: input.name },
        projectStream(id, 1),
      );
      return project!;
    });
    deps.wakeRelay();
    return created;
  } catch (err) {
    if (hasCode(err, UNIQUE_VIOLATION)) throw new Conflict('PROJECT_KEY_TAKEN', `Project key ${input.key} is already taken`, { field: 'key' });
    throw err;
  }
}

/** drizzle wraps driver errors; the Postgres code sits on the error or its cause. */
export function hasCode(err: unknown, code: string): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === code) return true;
  }
  return false;
}

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { newUser } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { REDIS_URL, startTickets, type Tickets } from '@syncro/tickets/harness';
import { boardKey } from '../board/boardCache.ts';

let t: Tickets;
const redis = new RedisClient(REDIS_URL);
beforeAll(async () => {
  t = await startTickets();
});
afterAll(async () => {
  redis.close();
  await t.stop();
});

/** The same UUID in upper case and in a mix of cases. */
const variants = (id: string) => [id.toUpperCase(), [...id].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')];

/** Redis keys of the board cache that name this id in any spelling other than the canonical one. */
const variantKeys = async (id: string) => {
  const keys = (await redis.send('KEYS', ['project:tickets:*'])) as string[];
  return keys.filter((k) => k.toLowerCase().includes(id) && !k.includes(id));
};

describe('ids in any case name the same thing', () => {
  test('every read route gives the canonical answer for a mixed-case id', async () => {
    const { api, typed, project } = await t.owner('Ada');
    const ticket = expectStatus(await typed.projects({ id: project.id }).tickets.post({ title: 'first' }), 201);
    const comment = expectStatus(await typed.tickets({ id: ticket.id }).comments.post({ content: 'hello' }), 201);
    await typed.tickets({ id: ticket.id }).comments.post({ content: 'reply', parentId: comment.id.toUpperCase() });
    const paths = (p: string, tk: string) => [
      `/projects/${p}`,
      `/projects/${p}/members`,
      `/projects/${p}/board`,
      `/projects/${p}/events?after=0`,
      `/tickets/${tk}`,
      `/tickets/${tk}/comments`,
    ];
    const canonical = await Promise.all(paths(project.id, ticket.id).map((p) => api.get(p)));
    for (const r of canonical) expect(r.status).toBe(200);
    for (const [pv, tv] of variants(project.id).map((v, i) => [v, variants(ticket.id)[i]!] as const)) {
      const answers = await Promise.all(paths(pv, tv).map((p) => api.get(p)));
      expect(answers.map((r) => [r.status, r.body])).toEqual(canonical.map((r) => [r.status, r.body]));
    }
    // Ids the client sends in bodies are stored and published in canonical form too.
    const thread = expectStatus(await typed.tickets({ id: ticket.id }).comments.get(), 200);
    expect(thread.comments[0]!.replies[0]!.parentId).toBe(comment.id);
  });

  test('writes through an upper-case id invalidate the one board the readers use', async () => {
    const { typed: api, project, user } = await t.owner('Bea');
    const UP = project.id.toUpperCase();
    expect(expectStatus(await api.projects({ id: UP }).board.get(), 200).version).toBe(1);
    const created = expectStatus(await api.projects({ id: UP }).tickets.post({ title: 't' }), 201);
    const T = created.id.toUpperCase();
    expect(expectStatus(await api.tickets({ id: T }).patch({ assigneeId: user.id.toUpperCase() }), 200).assigneeId).toBe(user.id);
    expect((await api.tickets({ id: T }).status.patch({ status: 'IN_PROGRESS' })).status).toBe(200);
    expect((await api.tickets({ id: T }).comments.post({ content: 'c' })).status).toBe(201);
    for (const ref of [UP, project.id, project.key]) {
      const board = expectStatus(await api.projects({ id: ref }).board.get(), 200);
      expect(board.version).toBe(5);
      expect(board.columns.IN_PROGRESS.map((x) => x.id)).toEqual([created.id]);
    }
    const events = expectStatus(await api.projects({ id: UP }).events.get({ query: { after: 1 } }), 200);
    expect(events.events.map((e) => e.data.ticketId)).toEqual(Array(4).fill(created.id));
    expect((await api.tickets({ id: T }).delete()).status).toBe(204);
    expect(expectStatus(await api.projects({ id: UP }).board.get(), 200).columns.IN_PROGRESS).toEqual([]);
    expect(await variantKeys(project.id)).toEqual([]);
  });

  test('a removed member reading through an upper-case id gets 404', async () => {
    const { typed: owner, project } = await t.owner('Cy');
    const member = newUser('Member');
    const added = await owner.projects({ id: project.id.toUpperCase() }).members.post({ userId: member.id.toUpperCase() });
    expect(expectStatus(added, 201).userId).toBe(member.id);
    const asMember = await t.typed(member);
    const UP = project.id.toUpperCase();
    expect((await asMember.projects({ id: UP }).board.get()).status).toBe(200);
    expect((await asMember.projects({ id: UP }).board.get()).response.headers.get('x-cache')).toBe('HIT');
    expect((await owner.projects({ id: UP }).members({ userId: member.id.toUpperCase() }).delete()).status).toBe(204);
    for (const ref of [UP, ...variants(project.id), project.id, project.key]) {
      expect((await asMember.projects({ id: ref }).board.get()).status).toBe(404);
      expect((await asMember.projects({ id: ref }).get()).status).toBe(404);
      expect((await asMember.projects({ id: ref }).events.get()).status).toBe(404);
    }
  });

  test("an outsider's case variants compute nothing and add no Redis keys", async () => {
    const { project } = await t.owner('Dee');
    const outsider = await t.typed(newUser('Outsider'));
    for (const ref of [project.id, ...variants(project.id), project.key]) {
      const res = await outsider.projects({ id: ref }).board.get();
      expect(expectStatus(res, 404).error.code).toBe('NOT_FOUND');
    }
    // Not even the canonical key: nothing was computed for a caller who is not a member.
    expect(await redis.exists(boardKey(project.id))).toBe(false);
    expect(await variantKeys(project.id)).toEqual([]);
  });

  test('keys and codes are upper case: a lower-case spelling is refused as input, never a different project', async () => {
    const { api, typed, project } = await t.owner('Eve');
    const ticket = expectStatus(await typed.projects({ id: project.key }).tickets.post({ title: 'x' }), 201);
    for (const path of [`/projects/${project.key.toLowerCase()}`, `/projects/${project.key.toLowerCase()}/board`, `/tickets/${ticket.code.toLowerCase()}`]) {
      const res = await api.get<{ error: { message: string; details?: { field: string }[] } }>(path);
      expect(res.status).toBe(400);
      expect(res.body.error.details?.[0]?.field ?? res.body.error.message).toMatch(/id/);
    }
  });
});

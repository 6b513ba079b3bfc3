import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { RedisClient } from 'bun';
import { newUser } from '@syncro/testing';
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
    const { api, project } = await t.owner('Ada');
    const ticket = (await api.post(`/projects/${project.id}/tickets`, { title: 'first' })).body;
    const comment = (await api.post(`/tickets/${ticket.id}/comments`, { content: 'hello' })).body;
    await api.post(`/tickets/${ticket.id}/comments`, { content: 'reply', parentId: comment.id.toUpperCase() });
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
    const thread = await api.get(`/tickets/${ticket.id}/comments`);
    expect(thread.body.comments[0].replies[0].parentId).toBe(comment.id);
  });

  test('writes through an upper-case id invalidate the one board the readers use', async () => {
    const { api, project, user } = await t.owner('Bea');
    const UP = project.id.toUpperCase();
    const before = await api.get(`/projects/${UP}/board`);
    expect(before.body.version).toBe(1);
    const created = await api.post(`/projects/${UP}/tickets`, { title: 't' });
    expect(created.status).toBe(201);
    const T = created.body.id.toUpperCase();
    expect((await api.patch(`/tickets/${T}`, { assigneeId: user.id.toUpperCase() })).body.assigneeId).toBe(user.id);
    expect((await api.patch(`/tickets/${T}/status`, { status: 'IN_PROGRESS' })).status).toBe(200);
    expect((await api.post(`/tickets/${T}/comments`, { content: 'c' })).status).toBe(201);
    for (const ref of [UP, project.id, project.key]) {
      const board = await api.get(`/projects/${ref}/board`);
      expect(board.body.version).toBe(5);
      expect(board.body.columns.IN_PROGRESS.map((x: { id: string }) => x.id)).toEqual([created.body.id]);
    }
    const events = await api.get(`/projects/${UP}/events?after=1`);
    expect(events.body.events.map((e: { data: { ticketId: string } }) => e.data.ticketId)).toEqual(Array(4).fill(created.body.id));
    expect((await api.delete(`/tickets/${T}`)).status).toBe(204);
    expect((await api.get(`/projects/${UP}/board`)).body.columns.IN_PROGRESS).toEqual([]);
    expect(await variantKeys(project.id)).toEqual([]);
  });

  test('a removed member reading through an upper-case id gets 404', async () => {
    const { api: owner, project } = await t.owner('Cy');
    const member = newUser('Member');
    const added = await owner.post(`/projects/${project.id.toUpperCase()}/members`, { userId: member.id.toUpperCase() });
    expect(added.body.userId).toBe(member.id);
    const asMember = await t.as(member);
    const UP = project.id.toUpperCase();
    expect((await asMember.get(`/projects/${UP}/board`)).status).toBe(200);
    expect((await asMember.get(`/projects/${UP}/board`)).headers.get('x-cache')).toBe('HIT');
    expect((await owner.delete(`/projects/${UP}/members/${member.id.toUpperCase()}`)).status).toBe(204);
    for (const ref of [UP, ...variants(project.id), project.id, project.key]) {
      expect((await asMember.get(`/projects/${ref}/board`)).status).toBe(404);
      expect((await asMember.get(`/projects/${ref}`)).status).toBe(404);
      expect((await asMember.get(`/projects/${ref}/events`)).status).toBe(404);
    }
  });

  test("an outsider's case variants compute nothing and add no Redis keys", async () => {
    const { project } = await t.owner('Dee');
    const outsider = await t.as(newUser('Outsider'));
    for (const ref of [project.id, ...variants(project.id), project.key]) {
      const res = await outsider.get(`/projects/${ref}/board`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    // Not even the canonical key: nothing was computed for a caller who is not a member.
    expect(await redis.exists(boardKey(project.id))).toBe(false);
    expect(await variantKeys(project.id)).toEqual([]);
  });

  test('keys and codes are upper case: a lower-case spelling is refused as input, never a different project', async () => {
    const { api, project } = await t.owner('Eve');
    const ticket = (await api.post(`/projects/${project.key}/tickets`, { title: 'x' })).body;
    for (const path of [`/projects/${project.key.toLowerCase()}`, `/projects/${project.key.toLowerCase()}/board`, `/tickets/${ticket.code.toLowerCase()}`]) {
      const res = await api.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error.details?.[0]?.field ?? res.body.error.message).toMatch(/id/);
    }
  });
});

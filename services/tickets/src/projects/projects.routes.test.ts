import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { randomKey, startTickets, type Tickets } from '@syncro/tickets/harness';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

describe('projects', () => {
  test('create: 201, creator is owner, key unique (409)', async () => {
    const user = newUser('Ada');
    const api = await t.as(user);
    const key = randomKey();
    const res = await api.post('/projects', { name: 'Syncro', key, description: 'the board' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key, name: 'Syncro', role: 'owner', version: 1, createdBy: user.id });
    const clash = await api.post('/projects', { name: 'Other', key });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('PROJECT_KEY_TAKEN');

    const byKey = await api.get(`/projects/${key}`);
    const byId = await api.get(`/projects/${res.body.id}`);
    expect(byKey.body).toEqual(byId.body);
    const list = await api.get('/projects');
    expect(list.body.projects.map((p: { key: string }) => p.key)).toEqual([key]);
  });

  test('members: owner adds and removes; members cannot manage; outsiders see 404', async () => {
    const { api: owner, project } = await t.owner('Owner');
    const member = newUser('Member');
    const outsider = newUser('Outsider');
    const added = await owner.post(`/projects/${project.key}/members`, { userId: member.id });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ userId: member.id, role: 'member' });
    expect((await owner.post(`/projects/${project.key}/members`, { userId: member.id })).status).toBe(409);

    const asMember = await t.as(member);
    expect((await asMember.get(`/projects/${project.id}`)).status).toBe(200);
    const denied = await asMember.post(`/projects/${project.id}/members`, { userId: outsider.id });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');

    const asOutsider = await t.as(outsider);
    expect((await asOutsider.get(`/projects/${project.id}`)).status).toBe(404);
    expect((await asOutsider.get(`/projects/${project.id}/members`)).status).toBe(404);
    expect((await asOutsider.get('/projects')).body.projects).toEqual([]);

    const members = await owner.get(`/projects/${project.id}/members`);
    expect(members.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual([member.id, project && (await ownerId(owner))].sort());

    expect((await owner.delete(`/projects/${project.id}/members/${member.id}`)).status).toBe(204);
    expect((await asMember.get(`/projects/${project.id}`)).status).toBe(404);
  });

  test('a member can leave; a member cannot remove anyone else', async () => {
    const { api: owner, project } = await t.owner('Owner');
    const [stays, leaves] = [newUser('Stays'), newUser('Leaves')];
    await owner.post(`/projects/${project.id}/members`, { userId: stays.id });
    await owner.post(`/projects/${project.id}/members`, { userId: leaves.id });
    const asLeaves = await t.as(leaves);
    const other = await asLeaves.delete(`/projects/${project.id}/members/${stays.id}`);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    expect((await asLeaves.delete(`/projects/${project.key}/members/${leaves.id}`)).status).toBe(204);
    expect((await asLeaves.get(`/projects/${project.id}`)).status).toBe(404);
    const members = (await owner.get(`/projects/${project.id}/members`)).body.members.map((m: { userId: string }) => m.userId);
    expect(members).toContain(stays.id);
    expect(members).not.toContain(leaves.id);
  });

  test('the last owner cannot leave either', async () => {
    const { api, user, project } = await t.owner('Solo');
    const member = newUser('Member');
    await api.post(`/projects/${project.id}/members`, { userId: member.id });
    const res = await api.delete(`/projects/${project.id}/members/${user.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAST_OWNER');
    expect((await api.get(`/projects/${project.id}`)).status).toBe(200);
  });

  test('the last owner cannot be removed', async () => {
    const { api, user, project } = await t.owner('Solo');
    const res = await api.delete(`/projects/${project.id}/members/${user.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LAST_OWNER');
  });

  test('no token → 401; bad token → 401', async () => {
    expect((await t.anonymous.get('/projects')).status).toBe(401);
    const res = await t.anonymous.get('/projects', { authorization: 'Bearer not-a-jwt' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOKEN_INVALID');
  });
});

async function ownerId(api: Awaited<ReturnType<Tickets['as']>>) {
  const list = await api.get('/projects');
  return list.body.projects[0].createdBy as string;
}

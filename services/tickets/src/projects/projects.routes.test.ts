import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { newUser } from '@syncro/testing';
import { expectStatus } from '@syncro/testing/typed';
import { randomKey, startTickets, type Tickets } from '@syncro/tickets/harness';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

describe('projects', () => {
  test('create: 201, creator is owner, key unique (409)', async () => {
    const user = newUser('Ada');
    const api = await t.typed(user);
    const key = randomKey();
    const created = expectStatus(await api.projects.post({ name: 'Syncro', key, description: 'the board' }), 201);
    expect(created).toMatchObject({ key, name: 'Syncro', role: 'owner', version: 1, createdBy: user.id });
    const clash = await api.projects.post({ name: 'Other', key });
    expect(expectStatus(clash, 409).error.code).toBe('PROJECT_KEY_TAKEN');

    const byKey = expectStatus(await api.projects({ id: key }).get(), 200);
    const byId = expectStatus(await api.projects({ id: created.id }).get(), 200);
    expect(byKey).toEqual(byId);
    const list = expectStatus(await api.projects.get(), 200);
    expect(list.projects.map((p) => p.key)).toEqual([key]);
  });

  test('members: owner adds and removes; members cannot manage; outsiders see 404', async () => {
    const { typed: owner, project, user } = await t.owner('Owner');
    const member = newUser('Member');
    const outsider = newUser('Outsider');
    const added = await owner.projects({ id: project.key }).members.post({ userId: member.id });
    expect(expectStatus(added, 201)).toMatchObject({ userId: member.id, role: 'member' });
    expect((await owner.projects({ id: project.key }).members.post({ userId: member.id })).status).toBe(409);

    const asMember = await t.typed(member);
    expect((await asMember.projects({ id: project.id }).get()).status).toBe(200);
    const denied = await asMember.projects({ id: project.id }).members.post({ userId: outsider.id });
    expect(expectStatus(denied, 403).error.code).toBe('FORBIDDEN');

    const asOutsider = await t.typed(outsider);
    expect((await asOutsider.projects({ id: project.id }).get()).status).toBe(404);
    expect((await asOutsider.projects({ id: project.id }).members.get()).status).toBe(404);
    expect(expectStatus(await asOutsider.projects.get(), 200).projects).toEqual([]);

    const members = expectStatus(await owner.projects({ id: project.id }).members.get(), 200);
    expect(members.members.map((m) => m.userId).sort()).toEqual([member.id, user.id].sort());

    expect((await owner.projects({ id: project.id }).members({ userId: member.id }).delete()).status).toBe(204);
    expect((await asMember.projects({ id: project.id }).get()).status).toBe(404);
  });

  test('a member can leave; a member cannot remove anyone else', async () => {
    const { typed: owner, project } = await t.owner('Owner');
    const [stays, leaves] = [newUser('Stays'), newUser('Leaves')];
    expectStatus(await owner.projects({ id: project.id }).members.post({ userId: stays.id }), 201);
    expectStatus(await owner.projects({ id: project.id }).members.post({ userId: leaves.id }), 201);
    const asLeaves = await t.typed(leaves);
    const other = await asLeaves.projects({ id: project.id }).members({ userId: stays.id }).delete();
    expect(expectStatus(other, 403).error.code).toBe('FORBIDDEN');
    expect((await asLeaves.projects({ id: project.key }).members({ userId: leaves.id }).delete()).status).toBe(204);
    expect((await asLeaves.projects({ id: project.id }).get()).status).toBe(404);
    const members = expectStatus(await owner.projects({ id: project.id }).members.get(), 200).members.map((m) => m.userId);
    expect(members).toContain(stays.id);
    expect(members).not.toContain(leaves.id);
  });

  test('the last owner cannot leave either', async () => {
    const { typed: api, user, project } = await t.owner('Solo');
    const member = newUser('Member');
    expectStatus(await api.projects({ id: project.id }).members.post({ userId: member.id }), 201);
    const res = await api.projects({ id: project.id }).members({ userId: user.id }).delete();
    expect(expectStatus(res, 409).error.code).toBe('LAST_OWNER');
    expect((await api.projects({ id: project.id }).get()).status).toBe(200);
  });

  test('the last owner cannot be removed', async () => {
    const { typed: api, user, project } = await t.owner('Solo');
    const res = await api.projects({ id: project.id }).members({ userId: user.id }).delete();
    expect(expectStatus(res, 409).error.code).toBe('LAST_OWNER');
  });

  test('no token → 401; bad token → 401', async () => {
    expect((await t.typedWith().projects.get()).status).toBe(401);
    const res = await t.typedWith('not-a-jwt').projects.get();
    expect(expectStatus(res, 401).error.code).toBe('TOKEN_INVALID');
  });
});

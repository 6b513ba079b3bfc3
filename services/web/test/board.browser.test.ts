/** Two people on one board in Chromium, over the real services: live moves, comments, typing, refusals, catch-up. */
import { expect, test } from 'bun:test';
import { card, cardIn, drag, useStack } from './stack.ts';

const stack = useStack();
const uniq = () => crypto.randomUUID().slice(0, 6);

/** A project owned by A with B as a member, opened by both in their own browser. */
async function sharedBoard(key: string) {
  const id = uniq();
  const a = await stack.person(`ada.${id}@example.test`, 'Ada Lovelace');
  const b = await stack.person(`bob.${id}@example.test`, 'Bob Byte');
  const aApi = await stack.apiUser(`ada.${id}@example.test`, 'Ada Lovelace');
  const bApi = await stack.apiUser(`bob.${id}@example.test`, 'Bob Byte');
  const project = (await aApi.tickets.post('/projects', { name: `Board ${key}`, key })).body;
  expect((await aApi.tickets.post(`/projects/${project.id}/members`, { userId: bApi.user.id })).status).toBe(201);
  await a.page.goto(`/p/${key}`);
  await b.page.goto(`/p/${key}`);
  await a.page.getByRole('heading', { name: `Board ${key}` }).waitFor();
  await b.page.getByRole('heading', { name: `Board ${key}` }).waitFor();
  return { a, b, aApi, bApi, project };
}

test('A drags a card to In progress, B sees it there within a second; B comments, A sees "Bob Byte is typing…" then the comment', async () => {
  const key = `W${uniq().replace(/[^A-Z0-9]/gi, '').toUpperCase().slice(0, 5)}A`.slice(0, 8);
  const { a, b, aApi, project } = await sharedBoard(key);
  const t = (await aApi.tickets.post(`/projects/${project.id}/tickets`, { title: 'Wire the board', priority: 'HIGH', labels: ['web'] })).body;
  expect((await aApi.tickets.patch(`/tickets/${t.id}`, { assigneeId: aApi.user.id })).status).toBe(200);
  await cardIn(a.page, 'OPEN', t.code).waitFor();
  await cardIn(b.page, 'OPEN', t.code).waitFor();

  await drag(a.page, t.code, 'IN_PROGRESS');
  await cardIn(a.page, 'IN_PROGRESS', t.code).waitFor({ timeout: 2000 });
  const dropped = Date.now();
  await cardIn(b.page, 'IN_PROGRESS', t.code).waitFor({ timeout: 5000 });
  expect(Date.now() - dropped).toBeLessThan(1000);

  await a.page.goto(`/p/${key}/${t.code}`);
  await b.page.goto(`/p/${key}/${t.code}`);
  const box = b.page.getByLabel('Add a comment');
  await box.pressSequentially('Looks good to me', { delay: 20 });
  await a.page.getByText('Bob Byte is typing…').waitFor({ timeout: 5000 });
  await b.page.getByRole('button', { name: 'Comment', exact: true }).click();
  await a.page.getByRole('dialog').getByText('Looks good to me').waitFor({ timeout: 5000 });
  await a.context.close();
  await b.context.close();
}, 60_000);

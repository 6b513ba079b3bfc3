/** Two people on one board in Chromium, over the real services: live moves, comments, typing, refusals, catch-up. */
import { expect, test } from 'bun:test';
import { RECORD_LABELS, RECORD_STATES, card, cardIn, drag, useStack } from '../test/stack.ts';

const stack = useStack();
const uniq = () => crypto.randomUUID().slice(0, 6);
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const newKey = () => `W${Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => LETTERS[b % 26]).join('')}`;

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
  const key = newKey();
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

test('a refused move snaps back and names the allowed moves', async () => {
  const key = newKey();
  const { a, b, aApi, project } = await sharedBoard(key);
  const t = (await aApi.tickets.post(`/projects/${project.id}/tickets`, { title: 'Skip ahead' })).body;
  await cardIn(a.page, 'OPEN', t.code).waitFor();
  await drag(a.page, t.code, 'DONE');
  const notice = a.page.getByRole('status').filter({ hasText: 'stays in Open' });
  await notice.waitFor({ timeout: 5000 });
  expect(await notice.textContent()).toContain('Allowed moves: In progress.');
  await cardIn(a.page, 'OPEN', t.code).waitFor({ timeout: 2000 });
  expect(await cardIn(a.page, 'DONE', t.code).count()).toBe(0);
  expect(await cardIn(b.page, 'DONE', t.code).count()).toBe(0);
  await a.context.close();
  await b.context.close();
}, 60_000);

test('B goes offline, A makes five changes, B comes back and shows all five in order without reloading', async () => {
  const key = newKey();
  const { a, b, aApi, project } = await sharedBoard(key);
  const first = (await aApi.tickets.post(`/projects/${project.id}/tickets`, { title: 'Before the outage' })).body;
  await cardIn(b.page, 'OPEN', first.code).waitFor();
  // Every state B's page shows on the way (a reload would empty this list).
  await b.page.evaluate(RECORD_STATES);
  await b.context.setOffline(true);
  await b.page.getByRole('status').filter({ hasText: /Reconnecting|Connecting/ }).waitFor({ timeout: 10_000 });
  const created: string[] = [];
  for (const title of ['Offline one', 'Offline two', 'Offline three']) created.push((await aApi.tickets.post(`/projects/${project.id}/tickets`, { title })).body.code);
  expect((await aApi.tickets.patch(`/tickets/${first.id}`, { title: 'Renamed once' })).status).toBe(200);
  expect((await aApi.tickets.patch(`/tickets/${first.id}`, { title: 'Renamed twice' })).status).toBe(200);
  await a.page.getByText('Renamed twice').waitFor();
  expect(await b.page.getByText('Offline one').count()).toBe(0);

  await b.context.setOffline(false);
  await b.page.getByText('Renamed twice').waitFor({ timeout: 15_000 });
  for (const [i, code] of created.entries()) await cardIn(b.page, 'OPEN', code).filter({ hasText: ['Offline one', 'Offline two', 'Offline three'][i]! }).waitFor();
  // In order: no state B showed has a change without every change made before it.
  const states = (await b.page.evaluate('window.states')) as string[][];
  const titles = ['Offline one', 'Offline two', 'Offline three'];
  const changes = [
    ...created.map((code, i) => (st: string[]) => st.includes(`${code}:${titles[i]}`)),
    (st: string[]) => st.includes(`${first.code}:Renamed once`) || st.includes(`${first.code}:Renamed twice`),
    (st: string[]) => st.includes(`${first.code}:Renamed twice`),
  ];
  for (const st of states) {
    const shown = changes.map((c) => c(st));
    expect(shown.join()).toBe(shown.toSorted((x, y) => Number(y) - Number(x)).join());
  }
  expect(changes.every((c) => c(states.at(-1)!))).toBe(true);
  await a.context.close();
  await b.context.close();
}, 90_000);

test('a ticket created through the API shows up on both boards as "Unassigned", then with its assignee', async () => {
  const key = newKey();
  const { a, b, aApi, project } = await sharedBoard(key);
  const record = (page: typeof a.page) => page.evaluate(RECORD_LABELS);
  await record(a.page);
  await record(b.page);
  const t = (await aApi.tickets.post(`/projects/${project.id}/tickets`, { title: 'From a script', priority: 'URGENT' })).body;
  for (const { page } of [a, b]) {
    await card(page, t.code).filter({ hasText: 'Assigned to' }).waitFor({ timeout: 20_000 });
    const labels = (await page.evaluate('window.labels')) as string[];
    const mine = labels.filter((l) => l.startsWith(`${t.code}:`));
    expect(mine[0]).toContain('Unassigned');
    expect(mine.at(-1)).toMatch(/Assigned to (Ada Lovelace|Bob Byte)/);
  }
  // Why that person: the Assignment Service's decision, in the ticket.
  await a.page.goto(`/p/${key}/${t.code}`);
  await a.page.getByRole('button', { name: 'Why?' }).click();
  const why = a.page.getByRole('list', { name: 'Assignment decisions' });
  await why.getByRole('listitem').first().waitFor();
  expect(await why.textContent()).toMatch(/(Ada Lovelace|Bob Byte).*least loaded/);
  await a.context.close();
  await b.context.close();
}, 60_000);

test('the bell counts unread notifications live (the welcome, then an assignment) and clears them', async () => {
  const id = uniq();
  const { page, context } = await stack.person(`nora.${id}@example.test`, 'Nora Notified');
  const bell = (n: number) => page.getByRole('button', { name: `Notifications, ${n} unread` });
  await bell(1).waitFor({ timeout: 20_000 });
  const owner = await stack.apiUser(`olga.${id}@example.test`, 'Olga Owner');
  const nora = await stack.apiUser(`nora.${id}@example.test`, 'Nora Notified');
  const key = newKey();
  const project = (await owner.tickets.post('/projects', { name: `Bell ${key}`, key })).body;
  await owner.tickets.post(`/projects/${project.id}/members`, { userId: nora.user.id });
  const t = (await owner.tickets.post(`/projects/${project.id}/tickets`, { title: 'For Nora' })).body;
  expect((await owner.tickets.patch(`/tickets/${t.id}`, { assigneeId: nora.user.id })).status).toBe(200);
  await page.getByRole('button', { name: /^Notifications, [2-9] unread$/ }).waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: /^Notifications/ }).click();
  const feed = page.getByRole('region', { name: 'Notifications' });
  expect(await feed.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
  await feed.getByRole('button', { name: 'Mark all read' }).click();
  await bell(0).waitFor();
  await context.close();
}, 60_000);

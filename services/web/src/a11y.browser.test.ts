/** Keyboard-only use, accessibility (axe-core), deep links, caching headers, sessions, and the README screenshots. */
import { expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cardIn, column, useStack } from '../test/stack.ts';

const stack = useStack();
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const newKey = () => `K${Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => LETTERS[b % 26]).join('')}`;
const uniq = () => crypto.randomUUID().slice(0, 6);
const AXE = require.resolve('axe-core/axe.min.js');
// The README's pictures are refreshed on request only (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(import.meta.dir, '../../../docs/screenshots') : mkdtempSync(join(tmpdir(), 'syncro-shots-'));

async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))`)) as { id: string; impact: string }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function ownerWithBoard(name = 'Kay Board', colorScheme: 'light' | 'dark' = 'light', bypassCSP = false) {
  const email = `kay.${uniq()}@example.test`;
  const person = await stack.person(email, name, { colorScheme, bypassCSP });
  const api = await stack.apiUser(email, name);
  const key = newKey();
  const project = (await api.tickets.post('/projects', { name: `Launch ${key}`, key })).body;
  return { ...person, api, key, project };
}

/** What a screen reader would name the focused element, roughly: its label, its field's label, or its text. */
const activeLabel = (page: Page) =>
  page.evaluate(`(() => { const e = document.activeElement; if (!e || e === document.body) return ''; return e.getAttribute('aria-label') ?? e.closest('label')?.textContent ?? e.innerText ?? ''; })()`) as Promise<string>;
const focusedCode = (page: Page) => page.evaluate(`document.activeElement?.dataset?.code ?? null`) as Promise<string | null>;

test('keyboard only: create, open, comment on and move a ticket without the mouse', async () => {
  const { page, context, key } = await ownerWithBoard();
  await page.goto(`/p/${key}`);
  await page.getByRole('heading', { name: `Launch ${key}` }).waitFor();
  await page.locator('body').focus();

  await page.keyboard.press('c');
  await page.getByRole('dialog', { name: 'New ticket' }).waitFor();
  await page.keyboard.type('Ship it by keyboard');
  await page.keyboard.press('Enter');
  await cardIn(page, 'OPEN', `${key}-1`).waitFor();

  await page.keyboard.press('j');
  expect(await focusedCode(page)).toBe(`${key}-1`);
  expect(await activeLabel(page)).toContain('Ship it by keyboard');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `${key}-1: Ship it by keyboard` });
  await dialog.waitFor();
  expect(new URL(page.url()).pathname).toBe(`/p/${key}/${key}-1`);
  for (let i = 0; i < 20 && !(await activeLabel(page)).includes('Add a comment'); i++) await page.keyboard.press('Tab');
  expect(await activeLabel(page)).toContain('Add a comment');
  await page.keyboard.type('Typed, not clicked');
  await page.keyboard.press('Control+Enter');
  await dialog.getByRole('listitem').filter({ hasText: 'Typed, not clicked' }).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(await focusedCode(page)).toBe(`${key}-1`);

  // The Assignment Service gives the ticket to its only member; then it may start.
  await cardIn(page, 'OPEN', `${key}-1`).filter({ hasText: 'Assigned to Kay Board' }).waitFor({ timeout: 20_000 });
  await page.keyboard.press('m');
  await page.keyboard.press('2');
  await cardIn(page, 'IN_PROGRESS', `${key}-1`).waitFor();
  await page.getByRole('status').filter({ hasText: `${key}-1 moved to In progress` }).waitFor();

  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('/');
  expect(await activeLabel(page)).toBe('Search tickets');
  await context.close();
}, 60_000);

test('axe-core finds nothing serious or critical on the login page, the board (light and dark) and the ticket dialog', async () => {
  const login = await stack.browser.newContext({ baseURL: stack.web.url, bypassCSP: true });
  const lp = await login.newPage();
  await lp.goto('/login');
  await lp.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(await seriousViolations(lp)).toEqual([]);
  await login.close();

  for (const scheme of ['light', 'dark'] as const) {
    const { page, context, key, api, project } = await ownerWithBoard('Axe Tester', scheme, true);
    const t = (await api.tickets.post(`/projects/${project.id}/tickets`, { title: 'Check contrast', description: '**Bold** and `code`', priority: 'URGENT', labels: ['a11y'] })).body;
    await page.goto(`/p/${key}`);
    await cardIn(page, 'OPEN', t.code).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`/p/${key}/${t.code}`);
    await page.getByRole('dialog').getByRole('heading', { name: 'Check contrast' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }
}, 90_000);

test('deep links survive a reload; pages are not cached, hashed assets are (gzip); API paths are not shadowed', async () => {
  const { page, context, key, api, project } = await ownerWithBoard();
  const t = (await api.tickets.post(`/projects/${project.id}/tickets`, { title: 'Linked from chat' })).body;
  await page.goto(`/p/${key}/${t.code}?priority=MEDIUM`);
  await page.getByRole('dialog').getByRole('heading', { name: 'Linked from chat' }).waitFor();
  await page.reload();
  await page.getByRole('dialog').getByRole('heading', { name: 'Linked from chat' }).waitFor();
  expect(await page.getByLabel('Priority').first().inputValue()).toBe('MEDIUM');
  await page.keyboard.press('Escape');
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/p/${key}?priority=MEDIUM`);
  await column(page, 'OPEN').waitFor();

  const html = await fetch(`${stack.web.url}/p/${key}/${t.code}`);
  expect(html.headers.get('cache-control')).toBe('no-cache');
  expect(html.headers.get('content-type')).toContain('text/html');
  const script = (await html.text()).match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
  const js = await fetch(`${stack.web.url}${script}`, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit);
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(js.headers.get('content-encoding')).toBe('gzip');
  const api401 = await fetch(`${stack.web.url}/projects`);
  expect(api401.status).toBe(401);
  expect(((await api401.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  expect((await fetch(`${stack.web.url}/.well-known/jwks.json`)).status).toBe(200);
  await context.close();
}, 60_000);

test('an expired access cookie is refreshed without the person noticing; sign out ends the session', async () => {
  const { page, context, key } = await ownerWithBoard('Sam Session');
  await context.clearCookies({ name: 'sb_access' });
  await page.goto(`/p/${key}`);
  await page.getByRole('heading', { name: `Launch ${key}` }).waitFor();
  expect((await context.cookies()).some((c) => c.name === 'sb_access')).toBe(true);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await context.close();
}, 60_000);

test('screenshots of a board, light and dark, for the README', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { page, context, key, api, project } = await ownerWithBoard('Grace Hopper');
  const make = async (title: string, priority: string, labels: string[]) => (await api.tickets.post(`/projects/${project.id}/tickets`, { title, priority, labels })).body;
  const tickets = [
    await make('Sign-in with the company OIDC issuer', 'HIGH', ['auth']),
    await make('Board keeps its filters in the URL', 'MEDIUM', ['web']),
    await make('Compress assets at build time', 'LOW', ['web', 'perf']),
    await make('Hub resumes after a restart', 'URGENT', ['realtime']),
    await make('Weekly digest mail', 'LOW', ['notify']),
    await make('Dark mode follows the system', 'MEDIUM', ['web', 'a11y']),
  ];
  const patch = (id: string, body: unknown) => api.tickets.patch(`/tickets/${id}`, body);
  const move = (id: string, status: string) => api.tickets.patch(`/tickets/${id}/status`, { status });
  for (const t of tickets.slice(0, 4)) await patch(t.id, { assigneeId: api.user.id });
  await move(tickets[0]!.id, 'IN_PROGRESS');
  await move(tickets[1]!.id, 'IN_PROGRESS');
  await move(tickets[1]!.id, 'REVIEW');
  await move(tickets[2]!.id, 'IN_PROGRESS');
  await move(tickets[2]!.id, 'REVIEW');
  await move(tickets[2]!.id, 'DONE');
  await page.goto(`/p/${key}`);
  await cardIn(page, 'DONE', tickets[2]!.code).waitFor();
  await page.screenshot({ path: join(SHOTS, 'board-light.png') });
  const lightBackground = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  await context.close();
  const d = await stack.person(api.user.email, 'Grace Hopper', { colorScheme: 'dark' });
  await d.page.goto(`/p/${key}`);
  await cardIn(d.page, 'DONE', tickets[2]!.code).waitFor();
  await d.page.screenshot({ path: join(SHOTS, 'board-dark.png') });
  const darkBackground = await d.page.evaluate('getComputedStyle(document.body).backgroundColor');
  await d.context.close();

  // The system's dark setting really changes the page, and both pictures are real PNGs of a board.
  const luminance = (rgb: unknown) => String(rgb).match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
  expect(luminance(lightBackground)).toBeGreaterThan(128);
  expect(luminance(darkBackground)).toBeLessThan(128);
  const light = await Bun.file(join(SHOTS, 'board-light.png')).bytes();
  const dark = await Bun.file(join(SHOTS, 'board-dark.png')).bytes();
  for (const png of [light, dark]) {
    expect([...png.slice(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  }
}, 60_000);

test('the owner sees the members by name and their roles, adds one by email (any case) and removes them; an unknown email is named', async () => {
  const { page, context, key, api, project } = await ownerWithBoard('Olive Owner');
  const email = `mo.${uniq()}@example.test`;
  await stack.apiUser(email, 'Max Member');
  // Never on this board, so only the Auth Service's names-by-id lookup can name her.
  const nia = await stack.apiUser(`nia.${uniq()}@example.test`, 'Nia Named');
  expect((await api.tickets.post(`/projects/${project.id}/members`, { userId: nia.user.id })).status).toBe(201);
  await page.goto(`/p/${key}`);
  await page.getByRole('button', { name: 'Members' }).click();
  const dialog = page.getByRole('dialog', { name: `Members of Launch ${key}` });
  await dialog.getByRole('listitem').filter({ hasText: 'You' }).filter({ hasText: 'owner' }).waitFor();
  await dialog.getByRole('listitem').filter({ hasText: 'Nia Named' }).waitFor();

  await dialog.getByLabel('Email').fill(`nobody.${uniq()}@example.test`);
  await dialog.getByRole('button', { name: 'Add member' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'No user with that email has signed in yet' }).waitFor();
  expect(await dialog.getByRole('listitem').count()).toBe(2);

  await dialog.getByLabel('Email').fill(email.toUpperCase());
  await dialog.getByRole('button', { name: 'Add member' }).click();
  const row = dialog.getByRole('listitem').filter({ hasText: 'Max Member' }).filter({ hasText: 'member' });
  await row.waitFor();
  await expect(dialog.getByRole('alert').count()).resolves.toBe(0);
  await row.getByRole('button', { name: 'Remove Max Member' }).click();
  await row.waitFor({ state: 'detached' });
  expect(await dialog.getByRole('listitem').count()).toBe(2);
  await context.close();
}, 60_000);

test('an edit that lost a race shows both versions; keeping mine saves it over theirs; delete removes the card', async () => {
  const { page, context, key, api, project } = await ownerWithBoard('Eddie Editor');
  const t = (await api.tickets.post(`/projects/${project.id}/tickets`, { title: 'Original title', labels: ['x'] })).body;
  await page.goto(`/p/${key}/${t.code}`);
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Edit' }).click();
  await dialog.getByLabel('Title').fill('My title');
  expect((await api.tickets.patch(`/tickets/${t.id}`, { title: 'Their title' })).status).toBe(200);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByRole('heading', { name: `Someone else changed ${t.code} while you were editing` }).waitFor();
  expect(await dialog.getByRole('region', { name: 'Their version' }).textContent()).toContain('Their title');
  expect(await dialog.getByRole('region', { name: 'Your version' }).textContent()).toContain('My title');
  await dialog.getByRole('button', { name: 'Keep mine' }).click();
  await dialog.getByRole('heading', { name: 'My title' }).waitFor();
  expect((await api.tickets.get(`/tickets/${t.id}`)).body.title).toBe('My title');

  page.once('dialog', (d) => void d.accept());
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await page.locator(`[data-code="${t.code}"]`).count()).toBe(0);
  expect((await api.tickets.get(`/tickets/${t.id}`)).status).toBe(404);
  await context.close();
}, 60_000);

/**
 * Invite links in the board, end to end in Chromium: the owner (signed in through the setup link)
 * creates and copies a link, a new person joins with it and works on the project the owner then
 * adds them to; spent, expired, revoked, unknown and cut-short links, a taken email and the rate
 * limit each say what happened; axe finds nothing serious on the page.
 */
import { beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { useStack, type BrowserContext } from '../test/stack.ts';

const stack = useStack();
const AXE = require.resolve('axe-core/axe.min.js');
const uniq = () => crypto.randomUUID().slice(0, 6);
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const newKey = () => `I${Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => LETTERS[b % 26]).join('')}`;
let owner: { context: BrowserContext; page: Page };

beforeAll(async () => {
  // First: the setup link is issued only while the board has no user.
  owner = await stack.owner({ bypassCSP: true });
  await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.web.url });
}, 60_000);

async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))`)) as { impact: string }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Creates a link in the owner's "Invite people" dialog and returns it as shown. */
async function createLink(opts: { uses?: number; expiry?: string } = {}) {
  const { page } = owner;
  await page.getByRole('button', { name: 'Invite people' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite people' });
  if (opts.expiry) await dialog.getByLabel('Expires after').selectOption({ label: opts.expiry });
  await dialog.getByLabel('People who can join').fill(String(opts.uses ?? 1));
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Invite link created' }).waitFor();
  const url = await dialog.getByRole('textbox', { name: 'Invite link', exact: true }).inputValue();
  return { dialog, url };
}

/** The owner's newest invite as the API lists it (the owner's cookies; reads need no Origin). */
async function newestInvite() {
  const res = await owner.context.request.get(`${stack.web.url}/auth/invites`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { invites: { id: string; uses: number; maxUses: number }[] }).invites[0]!;
}

/** Opens a link in a fresh browser, fills the form by keyboard and sends it. */
async function join(url: string, who: { name: string; email: string }, opts: { colorScheme?: 'light' | 'dark' } = {}) {
  const context = await stack.newContext({ ...opts, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Join this board' }).waitFor();
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Email').fill(who.email);
  await page.getByRole('button', { name: 'Join the board' }).click();
  return { context, page };
}

const fragmentGone = (page: Page) => expect(new URL(page.url()).hash).toBe('');

test('the owner creates and copies a link; a new person joins with it by keyboard, lands signed in, and opens the project they are then added to', async () => {
  const { page } = owner;
  const key = newKey();
  await page.getByLabel('Name').fill(`Garden ${key}`);
  await page.getByLabel('Key').fill(key);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: `Garden ${key}` }).waitFor();

  const { dialog, url } = await createLink({ uses: 1, expiry: '7 days' });
  expect(url).toMatch(new RegExp(`^${stack.web.url}/invite#sbi_[A-Za-z0-9_-]{43}$`));
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Link copied to the clipboard.' }).waitFor();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);
  await dialog.getByRole('listitem').filter({ hasText: 'active' }).filter({ hasText: '0 of 1 used' }).waitFor();
  await page.keyboard.press('Escape');

  // The invitee, in a browser of their own, in dark mode.
  const context = await stack.newContext({ colorScheme: 'dark', bypassCSP: true });
  const guest = await context.newPage();
  const requests: string[] = [];
  guest.on('request', (r) => requests.push(r.url()));
  await guest.goto(url);
  await guest.getByRole('heading', { name: 'Join this board' }).waitFor();
  fragmentGone(guest);
  expect(guest.url()).toBe(`${stack.web.url}/invite`);
  expect(await seriousViolations(guest)).toEqual([]);

  // Nothing filled in: the first field to fix gets focus, its error is its description.
  await guest.keyboard.press('Tab');
  await guest.keyboard.press('Tab');
  await guest.keyboard.press('Enter');
  const name = guest.getByLabel('Name');
  await guest.waitForFunction(`document.activeElement?.name === 'name'`);
  expect(await name.getAttribute('aria-invalid')).toBe('true');
  expect(await guest.locator(`#${await name.getAttribute('aria-describedby')}`).textContent()).toBe('Enter your name');
  await guest.getByRole('alert').filter({ hasText: 'Enter your name. Enter your email address' }).waitFor({ state: 'attached' });
  await guest.keyboard.type('Ines Invitee');
  await guest.keyboard.press('Tab');
  await guest.keyboard.type('ines@');
  await guest.keyboard.press('Enter');
  const email = guest.getByLabel('Email');
  await guest.waitForFunction(`document.activeElement?.name === 'email'`);
  expect(await guest.locator(`#${await email.getAttribute('aria-describedby')}`).textContent()).toBe('Enter an email address like name@example.com');
  expect(await seriousViolations(guest)).toEqual([]);

  const address = `ines.${uniq()}@example.test`;
  await guest.keyboard.press('Control+A');
  await guest.keyboard.type(address);
  const probe = guest.waitForResponse((r) => new URL(r.url()).pathname === '/auth/invites' && r.request().method() === 'GET');
  await guest.keyboard.press('Enter');
  await guest.getByRole('heading', { name: 'Projects' }).waitFor();
  await guest.getByRole('status').filter({ hasText: 'Welcome, Ines Invitee: you have joined this board.' }).waitFor();
  expect(new URL(guest.url()).pathname).toBe('/');
  expect((await context.cookies()).map((c) => c.name)).toContain('sb_access');
  // The token travelled in a POST body only, never in a URL the server saw.
  const token = url.split('#')[1]!;
  expect(requests.map((r) => r.split('#')[0]!).filter((r) => r.includes(token))).toEqual([]);
  expect(await guest.evaluate(`sessionStorage.length`)).toBe(0);
  // Not the owner: the control stays hidden once the API has said so.
  expect((await probe).status()).toBe(403);
  expect(await guest.getByRole('button', { name: 'Invite people' }).count()).toBe(0);
  await guest.getByRole('button', { name: /^Notifications/ }).waitFor();

  // The owner adds them to the project by the email they gave; they open it.
  await page.getByRole('button', { name: 'Members' }).click();
  const members = page.getByRole('dialog', { name: `Members of Garden ${key}` });
  await members.getByLabel('Email').fill(address);
  await members.getByRole('button', { name: 'Add member' }).click();
  await members.getByRole('listitem').filter({ hasText: 'Ines Invitee' }).waitFor();
  await page.keyboard.press('Escape');
  await guest.reload();
  await guest.getByRole('link', { name: new RegExp(`${key} Garden ${key}`) }).click();
  await guest.getByRole('heading', { name: `Garden ${key}` }).waitFor();
  expect(new URL(guest.url()).pathname).toBe(`/p/${key}`);

  expect(await newestInvite()).toMatchObject({ uses: 1, maxUses: 1 });
  await page.getByRole('button', { name: 'Invite people' }).click();
  await page.getByRole('dialog', { name: 'Invite people' }).getByRole('listitem').filter({ hasText: 'used up' }).filter({ hasText: '1 of 1 used' }).waitFor();
  await page.keyboard.press('Escape');
  await context.close();

  // A spent link: the page says so and offers no form.
  const again = await join(url, { name: 'Late Comer', email: `late.${uniq()}@example.test` });
  await again.page.getByRole('alert').filter({ hasText: 'already been used as many times as it allows. Ask the person who sent it for a new link.' }).waitFor();
  expect(await again.page.getByRole('button', { name: 'Join the board' }).count()).toBe(0);
  expect(await seriousViolations(again.page)).toEqual([]);
  await again.context.close();
}, 180_000);

test('expired, revoked, unknown and cut-short links, and an email that has an account, each say what to do', async () => {
  const expiring = await createLink();
  await owner.page.keyboard.press('Escape');
  const { id } = await newestInvite();
  // An hour is the shortest expiry the API takes: move this one's into the past instead of waiting.
  await stack.auth.service.deps.db.execute(`update invites set expires_at = now() - interval '1 second' where id = '${id}'`);
  const late = await join(expiring.url, { name: 'Eve Expired', email: `eve.${uniq()}@example.test` });
  await late.page.getByRole('alert').filter({ hasText: 'This invite link has expired. Ask the person who sent it for a new link.' }).waitFor();
  expect(await late.page.getByRole('button', { name: 'Join the board' }).count()).toBe(0);
  await late.page.getByRole('link', { name: 'Sign in' }).click();
  await late.page.getByRole('button', { name: 'Sign in' }).waitFor();
  await late.context.close();

  const revoking = await createLink({ uses: 5 });
  await revoking.dialog.getByRole('listitem').filter({ hasText: '0 of 5 used' }).getByRole('button', { name: /^Revoke the link created/ }).click();
  await revoking.dialog.getByRole('status').filter({ hasText: 'Invite link revoked' }).waitFor();
  await revoking.dialog.getByRole('listitem').filter({ hasText: 'revoked' }).filter({ hasText: '0 of 5 used' }).waitFor();
  expect(await revoking.dialog.getByRole('textbox', { name: 'Invite link', exact: true }).count()).toBe(0);
  await owner.page.keyboard.press('Escape');
  const withdrawn = await join(revoking.url, { name: 'Rae Revoked', email: `rae.${uniq()}@example.test` });
  await withdrawn.page.getByRole('alert').filter({ hasText: "This invite link was withdrawn by the board's owner." }).waitFor();
  await withdrawn.context.close();

  const unknown = await join(`${stack.web.url}/invite#sbi_${'x'.repeat(43)}`, { name: 'Uma Unknown', email: `uma.${uniq()}@example.test` });
  await unknown.page.getByRole('alert').filter({ hasText: 'This board does not know this invite link.' }).waitFor();
  await unknown.context.close();

  // Cut short before the token: the page says so at once, without asking the server.
  const bare = await stack.newContext({ bypassCSP: true });
  const cut = await bare.newPage();
  await cut.goto('/invite#');
  await cut.getByRole('alert').filter({ hasText: 'This page needs the whole invite link, including the part after the # sign.' }).waitFor();
  await cut.goto('/invite#sbi_');
  await cut.getByRole('alert').filter({ hasText: 'This invite link is damaged or incomplete.' }).waitFor();
  fragmentGone(cut);
  expect(await seriousViolations(cut)).toEqual([]);
  await bare.close();

  // The owner's address has an account: the link is not spent and the form stays, with a way to sign in.
  const good = await createLink();
  await owner.page.keyboard.press('Escape');
  const taken = await join(good.url, { name: 'Not Owner', email: 'OWNER@syncroboard.invalid' });
  const alert = taken.page.getByRole('alert').filter({ hasText: 'Someone already has an account with this email. Sign in instead, or use another address.' });
  await alert.waitFor();
  await alert.getByRole('link', { name: 'Go to sign in' }).waitFor();
  expect(await newestInvite()).toMatchObject({ uses: 0 });
  // A reload keeps the link (this tab holds it), and another address gets in.
  await taken.page.reload();
  fragmentGone(taken.page);
  await taken.page.getByLabel('Name').fill('Tia Taken');
  await taken.page.getByLabel('Email').fill(`tia.${uniq()}@example.test`);
  await taken.page.getByRole('button', { name: 'Join the board' }).click();
  await taken.page.getByRole('status').filter({ hasText: 'Welcome, Tia Taken' }).waitFor();
  await taken.context.close();
}, 180_000);

// Last: it spends this address's accept budget for the minute.
test('when the accept limit is reached, the page says how long to wait', async () => {
  const link = await createLink();
  await owner.page.keyboard.press('Escape');
  const context = await stack.newContext({});
  const page = await context.newPage();
  await page.goto(link.url);
  await page.getByLabel('Name').fill('Sol Slow');
  await page.getByLabel('Email').fill(`sol.${uniq()}@example.test`);
  // The budget is spent the moment the browser's request leaves (it refills one attempt every few
  // seconds), from the same address as the browser: the board's own origin.
  let limited = false;
  await page.route('**/auth/invites/accept', async (route) => {
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await fetch(`${stack.web.url}/auth/invites/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'sbi_flood', email: `f${i}@example.test` }) });
      limited = res.status === 429;
    }
    await route.continue();
  });
  await page.getByRole('button', { name: 'Join the board' }).click();
  await page.getByRole('alert').filter({ hasText: /^Too many attempts from your network\. Try again in \d+ seconds?\.$/ }).waitFor();
  // Waiting helps: the form stays for the next try.
  expect(limited).toBe(true);
  expect(await page.getByRole('button', { name: 'Join the board' }).isEnabled()).toBe(true);
  await context.close();
}, 60_000);

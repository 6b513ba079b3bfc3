/**
 * @module The whole product for a browser test, in this process: a real Auth Service (development
 * login on), Ticket Service, Assignment Service, Notification Service and realtime hub, all trusting auth's key set, and
 * the web server in front of them (one origin). Chromium is Debian's, never a downloaded one.
 */
import { afterAll, beforeAll } from 'bun:test';
import { serve, serviceContext, type Served } from '@syncro/kit/service';
import { loadAssignmentConfig, start as startAssignment } from '@syncro/assignment';
import { startAuth } from '@syncro/auth/harness';
import { startHub } from '@syncro/realtime/harness';
import { startNotify } from '@syncro/notifications/harness';
import { createTestDatabase, client } from '@syncro/testing';
import { freePort } from '@syncro/testing/ports';
import { BROKERS, startTickets } from '@syncro/tickets/harness';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildBoard } from '../src/build.ts';
import { startWebServer } from '../src/server.ts';

export async function startStack() {
  // The board's port is chosen first so the Auth Service sends people to it (APP_URL: after the setup link, in invite links).
  const webPort = freePort();
  const auth = await startAuth({ AUTH_DEV_LOGIN: '1', DEV_LOGIN_PER_MIN_PER_CLIENT: '10000', APP_URL: `http://127.0.0.1:${webPort}/` });
  const trust = { JWKS_URL: auth.trust.jwksUrl, AUTH_ISSUER: auth.trust.issuer, AUTH_AUDIENCE: auth.trust.audience };
  const tickets = await startTickets({ trust: auth.trust });
  const hub = await startHub({ tickets, env: trust });
  const assignDb = await createTestDatabase('assign_web_test');
  const assignCtx = serviceContext('assignment-test');
  const assignment = await startAssignment(assignCtx, {
    config: loadAssignmentConfig({
      DATABASE_URL: assignDb.url,
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_GROUP_ID: `assignment-web-test-${crypto.randomUUID()}`,
      KAFKA_OFFSET_RESET: 'latest',
      OUTBOX_POLL_MS: '200',
      ...trust,
    }),
  });
  await assignment.consumer.ready;
  const assignServed: Served = serve('assignment', 0, [assignment], assignCtx);
  const notify = await startNotify({ env: trust });
  const assets = await buildBoard();
  const web = await startWebServer(
    { PORT: webPort, AUTH_URL: auth.url, TICKETS_URL: tickets.url, ASSIGNMENT_URL: assignServed.url, NOTIFICATIONS_URL: notify.url, REALTIME_URL: hub.url },
    { assets, hostname: '127.0.0.1' },
  );
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const newContext = (opts: { colorScheme?: 'light' | 'dark'; bypassCSP?: boolean }) =>
    // bypassCSP: only to inject axe-core; the page's policy forbids inline scripts.
    browser.newContext({ baseURL: web.url, colorScheme: opts.colorScheme ?? 'light', viewport: { width: 1400, height: 900 }, bypassCSP: opts.bypassCSP ?? false });
  return {
    auth,
    tickets,
    hub,
    web,
    assets,
    browser,
    assignmentUrl: assignServed.url,
    /** A signed-in API user (Bearer), for what a script or a webhook does. */
    async apiUser(email: string, name: string) {
      const s = await auth.devLogin(email, name);
      return { user: s.user, tickets: client(tickets.url, s.accessToken), assign: client(assignServed.url, s.accessToken) };
    },
    /** A browser context signed in through the login page (the development login), on the projects page. */
    async person(email: string, name: string, opts: { colorScheme?: 'light' | 'dark'; bypassCSP?: boolean } = {}) {
      const context = await newContext(opts);
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Name').fill(name);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      return { context, page };
    },
    /** The instance owner, signed in through the one-time setup link: ask before anyone else signs in (it is issued only then). */
    async owner(opts: { colorScheme?: 'light' | 'dark'; bypassCSP?: boolean } = {}) {
      const link = await auth.service.setup.issue();
      if (!link) throw new Error('The setup link is issued only while the board has no user: start the owner before anyone signs in');
      const context = await newContext(opts);
      const page = await context.newPage();
      // The Auth Service sets the session cookies and sends the browser on to APP_URL: this board.
      await page.goto(link);
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      return { context, page };
    },
    /** A browser context signed in as nobody. */
    newContext,
    async stop() {
      await browser.close();
      await web.stop();
      await assignServed.stop();
      await assignDb.drop();
      await notify.stop();
      await hub.stop();
      await tickets.stop();
      await auth.stop();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export function useStack(): Stack {
  const running = {} as Stack;
  beforeAll(async () => {
    Object.assign(running, await startStack());
  }, 120_000);
  afterAll(() => running.stop?.(), 60_000);
  return running;
}

/** The card of a ticket, and the column it sits in. */
export const card = (page: Page, code: string) => page.locator(`[data-code="${code}"]`);
export const column = (page: Page, status: string) => page.locator(`section[data-status="${status}"]`);
export const cardIn = (page: Page, status: string, code: string) => column(page, status).locator(`[data-code="${code}"]`);

/** Drags with the mouse in small steps, as a person does (dnd-kit's pointer sensor needs movement). */
export async function drag(page: Page, code: string, status: string) {
  const from = (await card(page, code).boundingBox())!;
  const to = (await column(page, status).boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 5, { steps: 3 });
  await page.mouse.move(to.x + to.width / 2, to.y + 60, { steps: 8 });
  await page.mouse.up();
}

/** In the page: every state of the board's cards (`code:title`), one per DOM change, into `window.states`. */
export const RECORD_STATES = `(() => {
  window.states = [];
  new MutationObserver(() => {
    window.states.push([...document.querySelectorAll('[data-code]')].map((el) => el.dataset.code + ':' + el.querySelector('.title')?.textContent));
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

/** In the page: each card's accessible label every time it changes, into `window.labels`. */
export const RECORD_LABELS = `(() => {
  window.labels = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[data-code]')) {
      const l = el.dataset.code + ':' + el.textContent;
      if (!window.labels.includes(l)) window.labels.push(l);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
})()`;

export type { Browser, BrowserContext, Page };

/**
 * @module The README's "Trying it" walk-through, read from README.md and run with bash as written
 * (only its ports changed), against the system `infra/start.sh` starts on ports, databases and
 * consumer groups and topics of its own. A command the test has no check for fails it: README and test stay one text.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { ROOT, Shell, shellBlockUnder, startSystem, withPorts, type System } from './walkthrough.ts';

const walkThrough = shellBlockUnder(readFileSync(`${ROOT}README.md`, 'utf8'), '## Trying it');
const isStart = (command: string) => /^bash infra\/start\.sh\b/.test(command);

/** `curl -si` output: status line, headers, blank line, body. */
function parseHttp(out: string) {
  const split = out.indexOf('\r\n\r\n');
  const head = (split < 0 ? out : out.slice(0, split)).split('\r\n');
  const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(head[0]?.split(' ')[1]), headers, body: JSON.parse(split < 0 ? 'null' : out.slice(split + 4)) };
}

const json = (out: string, command: string) => {
  try {
    return JSON.parse(out);
  } catch {
    throw new Error(`not JSON from: ${command}\n${out}`);
  }
};

let system: System | undefined;
let shell: Shell | undefined;
beforeAll(async () => {
  system = await startSystem();
}, 45_000);
afterAll(async () => {
  shell?.close();
  await system?.stop();
}, 20_000);

test("the README's walk-through, run as written: dev login, project, ticket, cached board, assignee within 1 s, decision log", async () => {
  if (!system) throw new Error('the system did not start');
  const { ports } = system;
  // The test started the system itself, as that line does.
  expect(walkThrough.filter(isStart)).toHaveLength(1);
  const steps = walkThrough.filter((c) => !isStart(c)).map((c) => withPorts(c, { 3001: ports.auth, 3002: ports.tickets, 3003: ports.assignment }));
  const key = steps.map((s) => /"key":"([A-Z][A-Z0-9]*)"/.exec(s)?.[1]).find(Boolean);
  if (!key) throw new Error('the walk-through creates no project with a "key"');
  const code = `${key}-1`;

  shell = new Shell(ROOT, { PATH: process.env.PATH, HOME: process.env.HOME });
  const sh = shell;
  const run = async (command: string) => {
    const r = await sh.run(command);
    if (r.code !== 0) throw new Error(`exit ${r.code} from: ${command}\n${r.out}\n${sh.stderr}`);
    return r.out;
  };

  let userId = '';
  let createdAt = 0;
  const checks: { what: string; matches: RegExp; optional?: true; check: (step: string) => Promise<void> }[] = [
    {
      // A line that waits for the services (`until curl -sf …/health …`) may follow the start; here they are up already.
      what: 'wait for the services',
      matches: /\/health\b/,
      optional: true,
      async check(step) {
        await run(step);
      },
    },
    {
      what: 'dev login',
      matches: /\/auth\/dev\/login\b/,
      async check(step) {
        await run(step);
        const variable = /^(\w+)=\$\(/.exec(step)?.[1];
        if (!variable) throw new Error(`the login does not keep its token in a variable: ${step}`);
        const token = await run(`printf %s "$${variable}"`);
        expect(token.split('.')).toHaveLength(3);
        userId = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub;
        expect(userId).toMatch(/^[0-9a-f-]{36}$/);
      },
    },
    {
      what: 'project create',
      matches: /\/projects\s/,
      async check(step) {
        const project = json(await run(step), step);
        expect(project).toMatchObject({ key, createdBy: userId });
      },
    },
    {
      what: 'ticket create',
      matches: new RegExp(`/projects/${key}/tickets\\s`),
      async check(step) {
        const ticket = json(await run(step), step);
        createdAt = performance.now();
        expect(ticket.code).toBe(code);
      },
    },
    {
      what: 'board',
      matches: /\/board\b/,
      async check(step) {
        const board = async () => {
          const reply = parseHttp(await run(step));
          expect(reply.status).toBe(200);
          const tickets = Object.values(reply.body.columns as Record<string, { code: string; assigneeId: string | null }[]>).flat();
          expect(tickets.map((t) => t.code)).toEqual([code]);
          return { cache: reply.headers['x-cache'], assigned: tickets[0]!.assigneeId !== null };
        };
        const first = await board();
        expect(first.cache).toBe('MISS');
        // "then HIT": the same command again. The ticket's assignment, if it lands between the two,
        // drops the entry once (the board changed), so then one more read must be the hit.
        let again = await board();
        if (again.cache === 'MISS' && !first.assigned) again = await board();
        expect(again.cache).toBe('HIT');
      },
    },
    {
      what: 'ticket read',
      matches: new RegExp(`/tickets/${code}\\s`),
      async check(step) {
        // "assigneeId: you, a few ms after the create": the same read, repeated for at most 1 s after the create answered.
        for (;;) {
          const ticket = json(await run(step), step);
          expect(ticket.code).toBe(code);
          if (ticket.assigneeId !== null) {
            expect(ticket.assigneeId).toBe(userId);
            break;
          }
          if (performance.now() - createdAt > 1_000) throw new Error(`${code} still had no assignee 1 s after its create:\n${JSON.stringify(ticket)}`);
          await Bun.sleep(20);
        }
        expect(performance.now() - createdAt).toBeLessThanOrEqual(1_000);
      },
    },
    {
      what: 'decision log',
      matches: /\/decisions\b/,
      async check(step) {
        const log = json(await run(step), step);
        expect(log).toMatchObject({ code, assigneeId: userId });
        // Oldest first. A ticket.created consumed before its project.created (another topic) is
        // first recorded as unassigned, then decided when the project arrives.
        const last = log.decisions.at(-1);
        expect(last).toMatchObject({ outcome: 'assigned', assigneeId: userId });
        expect(last.candidates.length).toBeGreaterThan(0);
        for (const earlier of log.decisions.slice(0, -1)) expect(earlier).toMatchObject({ outcome: 'unassigned', assigneeId: null });
      },
    },
    {
      what: 'API document',
      matches: /\/openapi\b/,
      async check(step) {
        const doc = json(await run(step), step);
        expect(doc.openapi).toMatch(/^3\./);
        expect(Object.keys(doc.paths)).toContain('/projects/{id}/board');
      },
    },
  ];

  const ran: string[] = [];
  try {
    for (const step of steps) {
      const found = checks.filter((c) => c.matches.test(step));
      if (found.length !== 1) throw new Error(`the test has ${found.length === 0 ? 'no check' : 'several checks'} for this README command: ${step}`);
      await found[0]!.check(step);
      ran.push(found[0]!.what);
    }
    // Every part of the walk-through is in the README, once, in this order.
    expect(ran).toEqual(checks.filter((c) => !c.optional || ran.includes(c.what)).map((c) => c.what));
    // And it ran on this instance's own databases, which start.sh handed each service.
    const count = async (url: string, query: string) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        return Number((await sql.unsafe(query))[0]?.n);
      } finally {
        await sql.end();
      }
    };
    const { databases } = system;
    expect(await count(databases.auth, `select count(*) as n from users where id = '${userId}'`)).toBe(1);
    expect(await count(databases.tickets, `select count(*) as n from projects where key = '${key}'`)).toBe(1);
    expect(await count(databases.assignment, `select count(*) as n from decisions where assignee_id = '${userId}'`)).toBe(1);
  } catch (err) {
    console.error(`--- infra/start.sh output (last lines) ---\n${system.logTail()}`);
    throw err;
  }
}, 10_000);

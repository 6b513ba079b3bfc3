/**
 * @module What the README test needs: the commands of the README's walk-through as written, a
 * shell that runs them one at a time keeping its variables, and the system started by
 * `infra/start.sh` itself on ports, databases and consumer groups of its own.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, eventually, PG_ADMIN_URL } from '@syncro/testing';
import { startThrowawayKafka } from '@syncro/testing/kafka';
import { freePorts } from '@syncro/testing/ports';

export const ROOT = new URL('..', import.meta.url).pathname;

/** The commands of the ```sh block under `heading`: a command per line, `\` continuations joined, comment lines left out. */
export function shellBlockUnder(markdown: string, heading: string): string[] {
  const at = markdown.split('\n').findIndex((l) => l.trim() === heading);
  if (at < 0) throw new Error(`no "${heading}" heading`);
  const rest = markdown.split('\n').slice(at + 1);
  const open = rest.findIndex((l) => l.trim() === '```sh');
  const nextHeading = rest.findIndex((l) => l.startsWith('#'));
  if (open < 0 || (nextHeading >= 0 && nextHeading < open)) throw new Error(`no \`\`\`sh block under "${heading}"`);
  const close = rest.findIndex((l, i) => i > open && l.trim() === '```');
  if (close < 0) throw new Error(`the \`\`\`sh block under "${heading}" is not closed`);
  const commands: string[] = [];
  let pending = '';
  for (const line of rest.slice(open + 1, close)) {
    if (!pending && line.trim().startsWith('#')) continue; // a comment line: bash skips it too
    pending += line;
    if (line.endsWith('\\')) pending += '\n';
    else {
      if (pending.trim()) commands.push(pending);
      pending = '';
    }
  }
  if (pending.trim()) commands.push(pending);
  return commands;
}

/** `localhost:<readme port>` → `localhost:<port>` for each pair of `ports`. */
export function withPorts(command: string, ports: Record<number, number>): string {
  return command.replace(/\blocalhost:(\d+)\b/g, (whole, p: string) => {
    const to = ports[Number(p)];
    if (to === undefined) throw new Error(`the walk-through uses ${whole}, which the test does not map: ${command}`);
    return `localhost:${to}`;
  });
}

/** One bash process: each command sees the variables the ones before it set, as in a terminal. */
export class Shell {
  private readonly proc: Bun.Subprocess<'pipe', 'pipe', 'pipe'>;
  private readonly read: () => Promise<{ done: boolean; value?: Uint8Array }>;
  private readonly decoder = new TextDecoder();
  private buffered = '';
  private steps = 0;
  stderr = '';

  constructor(cwd: string, env: Record<string, string | undefined>) {
    const proc = Bun.spawn(['bash', '--noprofile', '--norc'], { cwd, env, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
    this.proc = proc;
    const reader = proc.stdout.getReader();
    this.read = () => reader.read();
    const errors = new TextDecoder();
    void (async () => {
      for await (const chunk of proc.stderr) this.stderr += errors.decode(chunk, { stream: true });
    })();
  }

  /** Runs `command` and returns what it printed and its exit status. */
  async run(command: string, timeoutMs = 10_000): Promise<{ out: string; code: number }> {
    const marker = `__walkthrough_step_${++this.steps}__`;
    // </dev/null: the commands must not read the rest of this script from the shell's stdin.
    this.proc.stdin.write(`{\n${command}\n} </dev/null\nprintf '\\n${marker} %d\\n' "$?"\n`);
    await this.proc.stdin.flush();
    const done = new RegExp(`\\n${marker} (\\d+)\\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = done.exec(this.buffered);
      if (m) {
        const out = this.buffered.slice(0, m.index);
        this.buffered = this.buffered.slice(m.index + m[0].length);
        return { out, code: Number(m[1]) };
      }
      const left = deadline - Date.now();
      const chunk = await Promise.race([this.read(), Bun.sleep(Math.max(left, 0)).then(() => 'timeout' as const)]);
      if (chunk === 'timeout') throw new Error(`no answer within ${timeoutMs} ms from: ${command}\nprinted: ${this.buffered}\nstderr: ${this.stderr}`);
      if (chunk.done) throw new Error(`the shell ended while running: ${command}\nstderr: ${this.stderr}`);
      this.buffered += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  close() {
    this.proc.kill();
  }
}

export interface System {
  ports: { auth: number; tickets: number; assignment: number };
  /** The database each service was given. */
  databases: { auth: string; tickets: string; assignment: string };
  /** The last lines of what start.sh and the services printed. */
  logTail(lines?: number): string;
  /** Stops start.sh's whole process group (checking none of it is left), its broker if it had one, drops the databases. */
  stop(): Promise<void>;
}

// The start script in a session of its own (detached), beside a watchdog that, if the test
// process dies without stopping it (a CI timeout's SIGKILL), ends the group, its broker, the
// databases and the temporary folder. Arguments: the test's pid, the folder, the broker's data
// dir (or ''), the admin URL, the databases.
const WATCHDOG = `
( trap '' TERM INT
  while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
  kill -TERM 0; sleep 3
  [ -z "$3" ] || { kill -KILL "$(cat "$3/kafka.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$3"; }
  rm -rf "$2"
  for db in "\${@:5}"; do psql "$4" -qc "drop database if exists \\"$db\\" with (force)" >/dev/null 2>&1; done
  kill -KILL 0 ) &
exec bash infra/start.sh
`;

/** Variables of the test process that would point a service elsewhere than its own instance. */
const NOT_PASSED = ['NODE_ENV', 'PORT', 'DATABASE_URL', 'KAFKA_GROUP_ID', 'AUTH_ISSUER', 'JWKS_URL', 'PUBLIC_URL', 'AUTH_PUBLIC_URL', 'SMTP_URL', 'SERVICE_CLIENTS', 'APP_URL'];

/**
 * Runs `bash infra/start.sh` as the README says, on its own ports, databases, consumer groups and
 * topics; resolves once every service is ready, within `timeoutMs`. The topics are the run's prefixed ones when the
 * test preload gave it a KAFKA_TOPIC_PREFIX, else those of a broker of its own: the walk-through's
 * fixed project key on the shared topics would reach the start command's services, whose
 * projection then holds a second project of that key.
 */
export async function startSystem(timeoutMs = 40_000): Promise<System> {
  const deadline = Date.now() + timeoutMs;
  const [auth, tickets, assignment, notifications, realtime, smtp, mailWeb, web] = freePorts(8) as [number, number, number, number, number, number, number, number];
  const run = crypto.randomUUID().slice(0, 8);
  const undo: (() => unknown)[] = [];
  // Every step runs even when one before it failed; the first failure is reported.
  const stop = async () => {
    let failure: unknown;
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  };
  let logPath = '';
  const logTail = (lines = 60) => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };

  try {
    const dir = mkdtempSync(join(tmpdir(), 'syncro-readme-'));
    undo.push(() => rmSync(dir, { recursive: true, force: true }));
    logPath = join(dir, 'system.log');
    const databases: string[] = [];
    for (const prefix of ['readme_auth', 'readme_tickets', 'readme_assign', 'readme_notify']) {
      const db = await createTestDatabase(prefix);
      undo.push(() => db.drop());
      databases.push(db.url);
    }
    const [authDb, ticketsDb, assignmentDb, notifyDb] = databases as [string, string, string, string];
    const prefix = process.env.KAFKA_TOPIC_PREFIX;
    const kafka = prefix ? null : await startThrowawayKafka({ startTimeoutSec: 20 });
    if (kafka) undo.push(() => kafka.dispose());

    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of NOT_PASSED) delete env[name];
    Object.assign(env, {
      SKIP_SETUP: '1',
      AUTH_PORT: String(auth),
      TICKETS_PORT: String(tickets),
      ASSIGNMENT_PORT: String(assignment),
      AUTH_DATABASE_URL: authDb,
      TICKETS_DATABASE_URL: ticketsDb,
      ASSIGNMENT_DATABASE_URL: assignmentDb,
      TICKETS_KAFKA_GROUP_ID: `readme-tickets-${run}`,
      ASSIGNMENT_KAFKA_GROUP_ID: `readme-assignment-${run}`,
      // The services the walk-through does not visit still start, on ports and data of their own.
      NOTIFICATIONS_PORT: String(notifications),
      NOTIFICATIONS_DATABASE_URL: notifyDb,
      NOTIFICATIONS_KAFKA_GROUP_ID: `readme-notifications-${run}`,
      REALTIME_PORT: String(realtime),
      REALTIME_KAFKA_GROUP_ID: `readme-realtime-${run}`,
      MAIL_SINK_SMTP_PORT: String(smtp),
      MAIL_SINK_HTTP_PORT: String(mailWeb),
      WEB_PORT: String(web),
      // Only what this run publishes, whatever the topics held before.
      KAFKA_OFFSET_RESET: 'latest',
      AUTH_KEY_DIR: join(dir, 'auth-keys'),
      LOG_LEVEL: 'warn',
      ...(prefix ? { KAFKA_TOPIC_PREFIX: prefix } : {}),
      ...(kafka ? { KAFKA_BROKERS: kafka.brokers.join(',') } : {}),
    });

    const log = openSync(logPath, 'a');
    const names = databases.map((url) => new URL(url).pathname.slice(1));
    const proc = Bun.spawn(['bash', '-c', WATCHDOG, 'readme-watchdog', String(process.pid), dir, kafka?.dataDir ?? '', PG_ADMIN_URL, ...names], {
      cwd: ROOT,
      env,
      detached: true,
      stdin: 'ignore',
      stdout: log,
      stderr: log,
    });
    closeSync(log);
    const group = proc.pid;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-group, signal);
      } catch {
        /* the group is gone already */
      }
    };
    const onExit = () => killGroup('SIGKILL');
    process.on('exit', onExit);
    undo.push(async () => {
      killGroup('SIGTERM');
      await Promise.race([proc.exited, Bun.sleep(5_000)]);
      // The watchdog ignores TERM; KILL also takes any service that did not finish its shutdown.
      killGroup('SIGKILL');
      process.off('exit', onExit);
      await eventually(`no process left in group ${group}`, () => groupMembers(group).length === 0, 5_000);
    });

    const ready = async (port: number, consumer: boolean) => {
      if (proc.exitCode !== null) throw new Error(`infra/start.sh exited (${proc.exitCode}) before the services were ready`);
      const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
      if (res?.status !== 200) return false;
      const body = (await res.json()) as { checks?: Record<string, string> };
      // A consumer not yet in its group would miss what is published before it joins (KAFKA_OFFSET_RESET=latest).
      return !consumer || body.checks?.consumer === 'ok';
    };
    await eventually('the services started by infra/start.sh to be ready', async () =>
      (await ready(auth, false)) && (await ready(tickets, true)) && (await ready(assignment, true)), Math.max(deadline - Date.now(), 1_000));
    return { ports: { auth, tickets, assignment }, databases: { auth: authDb, tickets: ticketsDb, assignment: assignmentDb }, logTail, stop };
  } catch (err) {
    const tail = logTail();
    await stop().catch(() => {});
    throw new Error(`${(err as Error).message}\n--- infra/start.sh output ---\n${tail}`);
  }
}

/** Live processes whose process group is `group` (field 5 of /proc/<pid>/stat). */
function groupMembers(group: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state; a zombie has ended already (its parent has yet to reap it).
      if (fields[0] !== 'Z' && Number(fields[2]) === group) members.push(Number(entry));
    } catch {
      /* ended while we looked */
    }
  }
  return members;
}

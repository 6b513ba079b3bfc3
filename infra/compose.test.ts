import { expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkCompose, readCompose, roleInstances } from './check-compose.ts';
import { readCaddyfile, routeFor } from './check-compose.proxy.ts';

const ROOT = resolve(import.meta.dir, '..');

// compose.yaml cannot run here (no Docker engine); it must still parse and hold together.
test('compose.yaml is valid (docker-compose config where installed, plus the structural check)', async () => {
  const proc = Bun.spawn(['bash', new URL('./check-compose.sh', import.meta.url).pathname, '--no-install'], { stdout: 'pipe', stderr: 'pipe' });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(`${out}${err}`).not.toContain('ERROR');
  expect(`${out}${err}`).toContain('structure ok');
  expect(code).toBe(0);
}, 60_000);

test('the scale-out topology: role instances of the binary, two hubs balanced by the proxy', () => {
  const instances = roleInstances(readCompose());
  expect(Object.fromEntries(instances.map((i) => [i.name, i.roles.join(',')]))).toEqual({
    auth: 'auth',
    tickets: 'tickets,assignment',
    notifications: 'notifications',
    'realtime-1': 'realtime',
    'realtime-2': 'realtime',
    web: 'web',
  });
  const routes = readCaddyfile();
  expect(routeFor(routes, '/ws')!.upstreams.map((u) => u.host)).toEqual(['realtime-1', 'realtime-2']);
  expect(routeFor(routes, '/assignment/tickets/1')!.upstreams.map((u) => u.host)).toEqual(['tickets']);
  expect(routeFor(routes, '/p/SYNC')!.upstreams.map((u) => u.host)).toEqual(['web']);
});

/** compose.yaml with one edit, checked from a copy whose relative paths resolve in the repository. */
function problemsOf(edit: (text: string) => string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'compose-check-'));
  try {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, edit(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')));
    return checkCompose(file, ROOT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the structural check names what a broken scale-out would get wrong', () => {
  // The unchanged copy passes, so each problem below comes from its edit alone.
  expect(problemsOf((t) => t)).toEqual([]);
  // A setting no role reads (a typo runs on the default silently).
  expect(problemsOf((t) => t.replace('SERVICES: notifications\n', 'SERVICES: notifications\n      SMTP_HOST: mailpit\n'))).toContainEqual(expect.stringContaining('SMTP_HOST: no role'));
  // A hub that trusts another issuer's keys, or a verifier without the auth instance's JWKS.
  expect(problemsOf((t) => t.replace('JWKS_URL: http://auth:3001/', 'JWKS_URL: http://auth:3009/'))).toContainEqual(expect.stringContaining('JWKS_URL'));
  // One hub only.
  expect(problemsOf((t) => t.replace(/  realtime-2:\n    <<: \*syncroboard\n    depends_on: \*hub-deps\n    environment: \*hub-env\n/, ''))).toContainEqual(expect.stringContaining('realtime-2, which is not a syncroboard instance'));
  // An instance left without Redis would run an in-process cache of its own.
  expect(problemsOf((t) => t.replace('  REDIS_URL: redis://redis:6379\n', ''))).toContainEqual(expect.stringContaining('REDIS_URL'));
  // The old per-service containers.
  expect(problemsOf((t) => t.replace('PORT: "3006"\n', 'PORT: "3006"\n    command: ["bun", "services/web/src/main.ts"]\n'))).toContainEqual(expect.stringContaining('replaces the per-service entries'));
});

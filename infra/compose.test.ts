import { expect, test } from 'bun:test';

// compose.yaml cannot run here (no Docker engine); it must still parse and hold together.
test('compose.yaml is valid (docker-compose config where installed, plus the structural check)', async () => {
  const proc = Bun.spawn(['bash', new URL('./check-compose.sh', import.meta.url).pathname, '--no-install'], { stdout: 'pipe', stderr: 'pipe' });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  expect(`${out}${err}`).not.toContain('ERROR');
  expect(code).toBe(0);
}, 60_000);

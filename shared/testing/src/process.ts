/** @module Runs a service's `main.ts` as its own process, for tests of how it starts or refuses to. */

/** Runs `main` with `env` added to this environment until it exits; its exit code and stderr. */
export async function runToExit(main: URL, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const proc = Bun.spawn(['bun', main.pathname], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return { code, stderr };
}

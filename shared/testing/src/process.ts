/** @module Runs a service's `main.ts` as its own process, for tests of how it starts or refuses to; finds a process's descendants. */
import { readdirSync, readFileSync } from 'node:fs';

/** Runs `main` with `env` added to this environment until it exits; its exit code and stderr. */
export async function runToExit(main: URL, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const proc = Bun.spawn(['bun', main.pathname], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return { code, stderr };
}

/** Every process below `pid` (children, theirs, …) as /proc shows them now: an embedded Postgres under the binary. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree.slice(1);
}

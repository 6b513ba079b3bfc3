/** @module CPU profiles of the services (BENCH_PROFILE=1): samples charged per code owner, saved in bench/results/, and shown in the docs. */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILE_DIR, RESULTS_DIR, ROOT } from './env.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

/** Which part of the code a script URL belongs to: a package, or a folder of this repo. */
function ownerOf(raw: string): string | null {
  const url = raw.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const repo = url.startsWith(ROOT) ? url.slice(ROOT.length + 1) : null;
  if (repo) {
    const m = /^(shared\/kit\/src\/[^/]+|shared\/[^/]+|services\/[^/]+\/src\/[^/]+|bench)/.exec(repo);
    return m ? m[1]! : repo;
  }
  return null; // native code, node:* and internal:* modules: charged to the nearest caller that is ours
}

/**
 * Samples of a Bun `.cpuprofile` per code owner: each sample goes to the innermost frame that is
 * in a package or in this repo, so native work (a socket write, JSON.stringify) is charged to the
 * library or module that asked for it. Returns "owner share" lines, busiest first.
 */
export function profileByOwner(file: string, top = 12): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const direct = ownerOf(n.callFrame.url);
    const p = parent.get(id);
    const name = direct ?? (p === undefined ? '(native code with no JavaScript caller: server, sockets, GC)' : resolve(p));
    owner.set(id, name);
    return name;
  };
  const counts = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  for (const id of profile.samples) {
    const fn = byId.get(id)?.callFrame.functionName;
    if (fn === '(idle)' || fn === '(program)') continue;
    const name = resolve(id);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const frame = byId.get(id)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url ? frame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '') : '[native]'} ← ${name}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    total++;
  }
  const lines = (m: Map<string, number>, n: number) =>
    [...m]
      .sort(([, a], [, b]) => b - a)
      .slice(0, n)
      .map(([name, c]) => `${((c / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  return [`by code owner (native work charged to the nearest caller):`, ...lines(counts, top), `hottest functions (self):`, ...lines(self, 8)];
}

/** In profile mode, prints (and keeps in bench/results/) where each service's CPU samples went. */
export function reportProfiles(label: string) {
  if (!PROFILE_DIR || !existsSync(PROFILE_DIR)) return;
  const lines: string[] = [];
  for (const f of readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    lines.push(`${f}`, ...profileByOwner(join(PROFILE_DIR, f)).map((l) => `  ${l}`));
  }
  const text =
    `CPU samples of the service (bun --cpu-prof, 1 ms), whole process life: set-up, warm-up and the measured run (${label}, ${new Date().toISOString()}):\n` +
    lines.join('\n');
  console.log(`\n${text}`);
  Bun.spawnSync(['mkdir', '-p', RESULTS_DIR]);
  writeFileSync(join(RESULTS_DIR, `profile-${label}.txt`), text + '\n');
}

/** The last profile summary of a script (bench/results/profile-<label>.txt) as a collapsed block, if there is one. */
export function lastProfileMarkdown(label: string): string {
  const file = join(RESULTS_DIR, `profile-${label}.txt`);
  if (!existsSync(file)) return '';
  return `<details><summary>Last CPU profile of the service (\`BENCH_PROFILE=1 bun bench/${label}.ts\`, bench/results/profile-${label}.txt)</summary>

\`\`\`
${readFileSync(file, 'utf8').trimEnd()}
\`\`\`

</details>
`;
}

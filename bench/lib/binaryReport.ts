/** @module bench/binary.ts's results: the `binary` section of docs/BENCHMARKS.md and bench/results/binary.txt. */
import { median, type Memory, type Workload } from './binary.ts';
import type { BinaryPathResult, StartShResult } from './binaryClone.ts';
import type { ProfileLoad } from './binaryLoad.ts';
import { fmt, saveRaw, updateDoc } from './docs.ts';
import { LOAD } from './env.ts';
import { machineMarkdown, type Machine } from './machine.ts';

export interface BinaryReport {
  m: Machine;
  runs: number;
  compileMs: number;
  sizeBytes: number;
  cold: { readyMs: number; phases: Record<string, number> }[];
  warm: { readyMs: number; phases: Record<string, number> }[];
  /** BENCH_BINARY_BEFORE: an older binary's cold starts, after this binary's. */
  before?: { binary: string; coldMs: number[] };
  memory: { idleFresh: Memory; idleAfter: Memory; embeddedAfterLoad: Memory; externalIdle: Memory };
  workload: Workload;
  load: { embedded: ProfileLoad; external: ProfileLoad };
  startSh: StartShResult;
  binaryPath: BinaryPathResult;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (n: number) => `${n.toFixed(1)} MiB`;
const GOAL_READY_MS = 2000;
const GOAL_RSS_MIB = 150;

/** What the phases of the `started` line mean, in the order they happen. */
const PHASES: [string, string][] = [
  ['loadMs', 'the binary loads (Bun, the bytecode bundle, the board assets)'],
  ['unpack', 'Postgres binaries unpacked into the data folder (first start; at the same time as the next)'],
  ['templateMs', 'the migrated cluster unpacked and handed to the server user (first start)'],
  ['initdbMs', 'initdb (only without a template)'],
  ['serverMs', 'Postgres started until it answers (first start: its own password set through its socket first)'],
  ['busDatabase', 'the bus database checked'],
  ['auth', 'auth role: database and migrations checked, keys, relay (first: the others verify with its keys)'],
  ['tickets', 'tickets role (this and the next ones at once, after auth)'],
  ['assignment', 'assignment role'],
  ['notifications', 'notifications role'],
  ['realtime', 'realtime role'],
  ['web', 'web role'],
  ['totalMs', 'the process, start to ready (its own clock)'],
];

function phaseRows(runs: { phases: Record<string, number> }[]) {
  return PHASES.filter(([k]) => runs.some((r) => r.phases[k] !== undefined)).map(([k, what]) => {
    const xs = runs.map((r) => r.phases[k] ?? 0);
    return `| ${k} | ${what} | ${Math.round(median(xs))} | ${Math.min(...xs)}–${Math.max(...xs)} |`;
  });
}

const memRow = (label: string, mem: Memory) =>
  `| ${label} | ${mib(mem.rssMiB)} | ${mib(mem.pssMiB)} | ${mib(mem.childrenPssMiB)} (${mem.childProcesses} processes) | ${mib(mem.pssMiB + mem.childrenPssMiB)} |`;

const loadRow = (what: string, profile: string, r: ProfileLoad['creates']) =>
  `| ${what} | ${profile} | ${fmt.rps(r.rps)} | ${fmt.ms(r.p50ms)} | ${fmt.ms(r.p99ms)} | ${r.requests.toLocaleString('en-US')} |`;

export function reportBinary(r: BinaryReport) {
  const coldMs = median(r.cold.map((x) => x.readyMs));
  const warmMs = median(r.warm.map((x) => x.readyMs));
  const { idleFresh, idleAfter, embeddedAfterLoad, externalIdle } = r.memory;
  const { embedded, external } = r.load;
  const body = `
## The syncroboard binary (issue 14 § 6)

\`bun bench/binary.ts\`: the binary compiled by \`services/all-in-one/scripts/compile.ts\` and started the
way a user starts it. Goals: ready ≤ 2 s from a cold start in an empty folder; the idle board in
one process ≤ 150 MiB resident (the binary's own process; the embedded Postgres is separate
processes, shown beside it).

${machineMarkdown(r.m)}

| figure | value | goal |
|---|---|---|
| binary size | ${fmt.bytes(r.sizeBytes)} | |
| compile (\`bun run compile\`, board build, Postgres archive, migrated cluster) | ${s(r.compileMs)} | |
| cold start to ready, empty folder (median of ${r.runs}) | **${s(coldMs)}** (${r.cold.map((x) => s(x.readyMs)).join(', ')}) | ≤ 2 s: ${coldMs <= GOAL_READY_MS ? 'met' : 'not met'} |
${r.before ? `| before: ${r.before.binary.split('/').pop()} (BENCH_BINARY_BEFORE), cold start, the same way, after the runs above | ${s(median(r.before.coldMs))} (${r.before.coldMs.map(s).join(', ')}) | |\n` : ''}| warm restart to ready (median of ${r.runs}) | ${s(warmMs)} (${r.warm.map((x) => s(x.readyMs)).join(', ')}) | |
| idle, 5 s after a first start: the binary's RSS | ${mib(idleFresh.rssMiB)} | |
| idle, 20 s after the workload: the binary's RSS | **${mib(idleAfter.rssMiB)}** | ≤ 150 MiB: ${idleAfter.rssMiB <= GOAL_RSS_MIB ? 'met' : 'not met'} |
| the same, embedded Postgres processes (PSS) | ${mib(idleAfter.childrenPssMiB)} | (separate processes) |

"Cold" is the first start in a folder: spawn → the \`ready at\` line, with no environment but
\`PATH\`, \`HOME\` (inside the folder) and \`PORT\`, and \`--data <folder>/data\` (the same folder as
\`HOME\` would give; as root the default is \`/var/lib/syncroboard\`). It unpacks the Postgres binaries
and a cluster made and migrated at build time, gives that cluster a password of its own through
its private socket before it opens TCP, starts every role. "Warm" is the next start in the same
folder. Each cold start follows a \`sync\`, so it does not pay for writing out the previous run's
files.

Where a cold start goes (ms, the binary's own \`started\` log line; the two unpacks overlap, and so
do the roles after auth, which start at once):

| phase | what | median | range |
|---|---|---|---|
${phaseRows(r.cold).join('\n')}

Warm restart:

| phase | what | median | range |
|---|---|---|---|
${phaseRows(r.warm).join('\n')}

Memory (RSS: resident pages of the binary's process; PSS: each shared page split between the
processes that map it, so the PSS columns add up without counting Postgres' shared memory twice):

| when | binary RSS | binary PSS | embedded Postgres PSS | whole board PSS |
|---|---|---|---|---|
${memRow('idle, 5 s after a first start', idleFresh)}
${memRow(`idle, 20 s after the workload (${r.workload.creates} creates with a websocket client watching, ${r.workload.boardReads} board reads, ${r.workload.seconds.toFixed(1)} s)`, idleAfter)}
${memRow('right after the wrk runs below (not idle)', embeddedAfterLoad)}
${memRow('external-servers profile, idle after start (no Postgres child)', externalIdle)}

Throughput, the same binary in the same run: the embedded default (its Postgres child, the bus in
that database, the in-process cache) against the external-servers profile (\`AUTH_/TICKETS_/
ASSIGNMENT_/NOTIFICATIONS_DATABASE_URL\` on scratch databases of the machine's Postgres,
\`KAFKA_BROKERS\` with the bench's topic namespace, \`REDIS_URL\`). wrk, ${LOAD.connections} connections, ${LOAD.threads}
threads, ${LOAD.warmupSeconds} s warm-up then ${LOAD.seconds} s; board reads of one board of ${embedded.boardTickets} tickets
(${fmt.bytes(embedded.boardBytes)}), creates round-robin over 16 projects. Every answer was 2xx.

| load | profile | req/s | p50 ms | p99 ms | requests |
|---|---|---|---|---|---|
${loadRow('board reads', 'embedded', embedded.boardReads)}
${loadRow('board reads', 'external servers', external.boardReads)}
${loadRow('creates', 'embedded', embedded.creates)}
${loadRow('creates', 'external servers', external.creates)}

From \`git clone\` to a usable board (the board page and \`/auth/providers\` answer):

| path | clone | then | total |
|---|---|---|---|
| README's start command: \`bash infra/start.sh\` (services on 3001–3006) | ${r.startSh.skipped ? `skipped: ${r.startSh.skipped}` : s(r.startSh.cloneMs)} | ${r.startSh.skipped ? '' : `start.sh until the board answers: ${s(r.startSh.startMs)}`} | ${r.startSh.skipped ? '' : `**${s(r.startSh.cloneMs + r.startSh.startMs)}**`} |
| the binary: \`bun install --frozen-lockfile\`, \`scripts/compile.ts\`, start in an empty folder | ${s(r.binaryPath.cloneMs)} | install ${s(r.binaryPath.installMs)}, compile ${s(r.binaryPath.compileMs)}, cold start ${s(r.binaryPath.readyMs)} | **${s(r.binaryPath.cloneMs + r.binaryPath.installMs + r.binaryPath.compileMs + r.binaryPath.readyMs)}** |

Both are warm where this machine is warm, and that is most of a first start elsewhere: Bun and
its package cache are installed, Kafka already runs (\`infra/up.sh\` finds it; a first Kafka start
with an empty Maven repository was measured at 9.1 s in infra/kafka/kafka.sh), its jars are in
\`~/.cache/syncroboard\`, Postgres and Redis run. The start command's instance is kept off the running
system's data with the variables start.sh documents for a second instance (scratch databases, the
bench's topic namespace, its own consumer groups and key folder).
`;
  updateDoc('binary', body);
  const wrkRaw = (name: string, l: ProfileLoad) => `--- ${name} board reads\n${l.boardReads.raw}\n--- ${name} creates\n${l.creates.raw}`;
  const summary = { ...r, load: Object.fromEntries(Object.entries(r.load).map(([k, v]) => [k, { ...v, boardReads: { ...v.boardReads, raw: undefined }, creates: { ...v.creates, raw: undefined } }])) };
  saveRaw('binary.txt', `${JSON.stringify(summary, null, 2)}\n\n${wrkRaw('embedded', embedded)}\n${wrkRaw('external', external)}`);
}

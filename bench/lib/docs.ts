/** @module What the scripts write: their marker-delimited sections of docs/BENCHMARKS.md, raw output in bench/results/, and number formatting. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOC, PROFILE_DIR, RESULTS_DIR, log } from './env.ts';

const DOC_HEADER = `# Benchmarks

Measured numbers, produced by the scripts in \`bench/\` (see \`bench/README.md\`) and written here by
them: each script replaces only its own section between its marker comments. Every number comes
from a real run on the machine described in its section; nothing is edited by hand. The load
generator (\`wrk\`), the server under test, PostgreSQL, Redis and Kafka all share the same machine
(2 cores), so the ceiling measured is the machine's, not the service's alone: every core-second
that wrk spends generating load is one the server does not get. Each section lists how the CPU was
split between them during the measured window ("cores": 1.00 = one core busy for the whole window).
Latency percentiles are per request as the load generator saw them (wrk's, or pgbench's per-transaction
log), with a closed loop of 64 connections, so they include queueing.
`;

/** Replaces the text between `<!-- bench:ID:start -->` and `<!-- bench:ID:end -->`, appending the section if new. */
export function updateDoc(id: string, body: string) {
  if (PROFILE_DIR) {
    log(`profile mode: CPU profiles of the services in ${PROFILE_DIR}; docs/BENCHMARKS.md left unchanged`);
    return;
  }
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : DOC_HEADER;
  const block = `${start}\n${body.trim()}\n${end}`;
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a >= 0 && b > a) doc = doc.slice(0, a) + block + doc.slice(b + end.length);
  else doc = `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, doc);
  log(`updated ${DOC} (section ${id})`);
}

export function saveRaw(name: string, text: string) {
  if (PROFILE_DIR) return;
  const file = join(RESULTS_DIR, name);
  Bun.spawnSync(['mkdir', '-p', RESULTS_DIR]);
  writeFileSync(file, text.trimEnd() + '\n');
  log(`raw output in ${file}`);
}

// ------------------------------------------------------------------------------------- format --

export const fmt = {
  rps: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)),
  pct: (n: number) => `${(n * 100).toFixed(0)} %`,
  x: (n: number) => `${n.toFixed(1)}×`,
  bytes: (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`),
};

/**
 * @module Postgres driver cost per query under Bun: postgres.js (the stack's driver, used through
 * Drizzle) against Bun's built-in `SQL`, same query, same pool size, same machine. It answers
 * "would swapping the driver fix the create rate?" with a number. `bun bench/driver.ts`
 */
import postgres from 'postgres';
import { SQL } from 'bun';
import { machine, machineMarkdown, updateDoc } from './lib.ts';

const URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const POOL = 10;

async function measure(query: () => Promise<unknown>) {
  for (let i = 0; i < 2000; i++) await query(); // warm-up
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  const until = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: POOL }, async () => {
      while (performance.now() < until) {
        await query();
        n++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { qps: (n / (performance.now() - start)) * 1000, usPerQuery: (cpu.user + cpu.system) / n, sysPerQuery: cpu.system / n };
}

const m = await machine();
const pj = postgres(URL, { max: POOL, onnotice: () => {} });
const a = await measure(() => pj`select ${1}::int as x`);
await pj.end();
const bun = new SQL(URL, { max: POOL });
const b = await measure(() => bun`select ${1}::int as x`);
await bun.close();

const row = (name: string, r: typeof a) => `| ${name} | ${Math.round(r.qps).toLocaleString('en-US')} | ${r.usPerQuery.toFixed(1)} | ${r.sysPerQuery.toFixed(1)} |`;
console.log(`postgres.js ${Math.round(a.qps)} q/s ${a.usPerQuery.toFixed(1)} µs; Bun.SQL ${Math.round(b.qps)} q/s ${b.usPerQuery.toFixed(1)} µs`);
updateDoc(
  'driver',
  `
## Postgres driver cost (\`bun bench/driver.ts\`)

\`select $1::int\` in a closed loop over ${POOL} pooled connections for ${SECONDS} s, in one Bun process; CPU of that process per query. Run of ${m.date}.

| driver | queries/s | µs CPU per query | of which kernel |
|---|---:|---:|---:|
${row('postgres.js 3.4 (the stack, through Drizzle in the services)', a)}
${row("Bun's built-in \`SQL\`", b)}

Bun's own client is ${((1 - b.usPerQuery / a.usPerQuery) * 100).toFixed(0)} % cheaper per query here. A create makes about six queries, so the driver
accounts for a small part of the service's CPU per create (see the creates section): swapping it would
not change the verdict there, and postgres.js stays (it also gives the relay LISTEN and reserved connections).

<details><summary>Machine</summary>

${machineMarkdown(m)}

</details>
`,
);

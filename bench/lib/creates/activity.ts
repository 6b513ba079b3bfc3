/** @module What a database's non-idle sessions are doing, sampled from pg_stat_activity during a run. */
import type postgres from 'postgres';

export type Activity = { what: string; avg: number }[];

/** Counts, over samples, what the database's non-idle sessions were doing (pg_stat_activity). */
export function activitySampler(sql: postgres.Sql, database: string) {
  const counts = new Map<string, number>();
  let samples = 0;
  return {
    async sample() {
      const rows = await sql<{ what: string; n: number }[]>`
        select state || ': ' || coalesce(wait_event_type || '/' || wait_event, 'on CPU') as what, count(*)::int as n
        from pg_stat_activity
        where datname = ${database} and pid <> pg_backend_pid() and state is not null and state <> 'idle'
          and backend_type = 'client backend'
        group by 1`;
      samples++;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + r.n);
    },
    /** Average number of sessions in each state, busiest first. */
    summary(top = 6) {
      return [...counts]
        .map(([what, n]) => ({ what, avg: n / Math.max(1, samples) }))
        .sort((a, b) => b.avg - a.avg)
        .slice(0, top);
    },
  };
}

export const activityMarkdown = (s: Activity) =>
  s.length ? s.map((x) => `${x.what} ${x.avg.toFixed(1)}`).join('; ') : 'nothing sampled';

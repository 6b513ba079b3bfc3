/** @module The creates benchmark's fixture: projects of one owner, a sample create, and the cache keys to remove afterwards. */
import { onCleanup } from '../cleanup.ts';

/** Creates `count` projects through the service; throws unless each answers 201 and a sample create works. */
export async function seedProjects(serviceUrl: string, auth: Record<string, string>, count: number): Promise<string[]> {
  const headers = { ...auth, 'content-type': 'application/json' };
  const projectIds: string[] = [];
  for (let i = 1; i <= count; i++) {
    const r = await fetch(`${serviceUrl}/projects`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `Creates benchmark ${i}`, key: `BENCH${String(i).padStart(2, '0')}` }),
    });
    if (r.status !== 201) throw new Error(`POST /projects: ${r.status} ${await r.text()}`);
    projectIds.push(((await r.json()) as { id: string }).id);
  }
  onCleanup('board cache keys', async () => {
    const redis = new Bun.RedisClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await redis.del(...projectIds.flatMap((id) => [`project:tickets:${id}`, `project:tickets:${id}:fence`]));
    redis.close();
  });
  // A sample create before the load: 201 with the ticket, so wrk's 2xx count means tickets.
  const probe = await fetch(`${serviceUrl}/projects/${projectIds[0]}/tickets`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: 'probe', priority: 'LOW', labels: ['bench'] }),
  });
  if (probe.status !== 201) throw new Error(`sample create answered ${probe.status}: ${await probe.text()}`);
  return projectIds;
}

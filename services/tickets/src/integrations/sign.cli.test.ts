import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTickets, type Tickets } from '@syncro/tickets/harness';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

describe('sign.cli.ts', () => {
  test("the printed curl posts a delivery the receiver accepts (the README's example)", async () => {
    const o = await t.owner('Curler');
    const { url, secret } = (await o.api.post(`/projects/${o.project.id}/integrations`, { kind: 'generic', name: 'shell' })).body;
    const body = JSON.stringify({ title: "Disk full on db-1 (it's 99%)", labels: ['ops'] });
    // Not spawnSync: the service answering curl runs in this process.
    const run = async (cmd: string[]) => {
      const p = Bun.spawn(cmd, { stdout: 'pipe', stderr: 'pipe' });
      return { out: await new Response(p.stdout).text(), code: await p.exited };
    };
    const printed = await run(['bun', `${import.meta.dir}/sign.cli.ts`, url, secret, body]);
    expect(printed.code).toBe(0);
    const answer = JSON.parse((await run(['sh', '-c', printed.out])).out);
    expect(answer).toMatchObject({ outcome: 'created', ticket: { code: `${o.project.key}-1` } });
    expect((await o.api.get(`/tickets/${answer.ticket.code}`)).body).toMatchObject({ title: "Disk full on db-1 (it's 99%)", labels: ['ops'] });
    expect((await run(['bun', `${import.meta.dir}/sign.cli.ts`, url, secret, 'not json'])).code).toBe(2);
  });
});

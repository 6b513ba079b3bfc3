import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import examples from '@octokit/webhooks-examples';
import { sign, verify } from '@octokit/webhooks-methods';
import { startTickets, type Tickets } from '@syncro/tickets/harness';
import { sql } from 'drizzle-orm';

let t: Tickets;
beforeAll(async () => {
  t = await startTickets();
});
afterAll(() => t.stop());

/** Real payloads GitHub sends (the community's examples), by event and action. */
function example(event: string, action?: string): any {
  const found = (examples as { name: string; examples: any[] }[]).find((e) => e.name === event)!.examples.find((x) => action === undefined || x.action === action);
  return structuredClone(found);
}

/** Posts `payload` as GitHub does: the raw JSON, signed over its bytes with @octokit/webhooks-methods. */
async function deliver(integrationId: string, secret: string, event: string, payload: unknown, delivery = crypto.randomUUID()) {
  const raw = JSON.stringify(payload);
  const signature = await sign(secret, raw);
  expect(await verify(secret, raw, signature)).toBe(true);
  const res = await fetch(`${t.url}/hooks/${integrationId}`, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': signature, 'user-agent': 'GitHub-Hookshot/test' },
  });
  return { status: res.status, body: (await res.json()) as any, delivery };
}

async function statusEvents(ticketId: string) {
  return t.service.deps.db.execute<{ payload: { newStatus: string; updatedBy: string } }>(
    sql`select payload from outbox where aggregateid = ${ticketId} and type = 'ticket.status.updated' order by stream_version`,
  );
}

describe('GitHub integration (real example payloads, signed like GitHub)', () => {
  test('ping, opened → ticket (title, labels, link back), redelivery, edited, commented, closed → DONE by allowed steps, reopened, others ignored', async () => {
    const { api, project, user } = await t.owner('Octo');
    const created = await api.post(`/projects/${project.id}/integrations`, { kind: 'github', name: 'Codertocat/Hello-World', defaults: { labels: ['github'] } });
    const { id, secret, botUserId, botName } = created.body;
    expect(botName).toBe('GitHub (Codertocat/Hello-World)');

    const ping = await deliver(id, secret, 'ping', example('ping'));
    expect([ping.status, ping.body.outcome]).toEqual([200, 'ping']);

    const openedPayload = example('issues', 'opened');
    const opened = await deliver(id, secret, 'issues', openedPayload);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ outcome: 'created', ticket: { code: `${project.key}-1` } });
    const code = opened.body.ticket.code;
    const ticket = (await api.get(`/tickets/${code}`)).body;
    expect(ticket).toMatchObject({ title: openedPayload.issue.title, labels: ['github', 'bug'], reporterId: botUserId, status: 'OPEN' });
    expect(ticket.description).toStartWith(openedPayload.issue.body);
    expect(ticket.description).toContain(openedPayload.issue.html_url);

    const again = await deliver(id, secret, 'issues', openedPayload, opened.delivery);
    expect([again.status, again.body]).toEqual([201, opened.body]);
    // A new delivery of the same issue's opening (a re-sent hook) does not make a second ticket.
    expect((await deliver(id, secret, 'issues', openedPayload)).body).toMatchObject({ outcome: 'unchanged', ticket: opened.body.ticket });

    const edited = example('issues', 'edited');
    edited.issue.title = 'Spelling error in the README file (two t’s in commit)';
    edited.issue.labels = [...edited.issue.labels, { name: 'docs' }];
    const editAnswer = await deliver(id, secret, 'issues', edited);
    expect([editAnswer.status, editAnswer.body.outcome]).toEqual([200, 'updated']);
    expect((await api.get(`/tickets/${code}`)).body).toMatchObject({ title: edited.issue.title, labels: ['github', 'bug', 'docs'] });

    const commentPayload = example('issue_comment', 'created');
    const commented = await deliver(id, secret, 'issue_comment', commentPayload);
    expect([commented.status, commented.body.outcome]).toEqual([200, 'commented']);
    const thread = (await api.get(`/tickets/${code}/comments`)).body;
    expect(thread.comments).toHaveLength(1);
    expect(thread.comments[0]).toMatchObject({ authorId: botUserId });
    expect(thread.comments[0].content).toContain(`@${commentPayload.comment.user.login} on GitHub: ${commentPayload.comment.body}`);
    expect(thread.comments[0].content).toContain(commentPayload.comment.html_url);

    // The examples have no `closed`: it is the opened payload as GitHub sends it on closing.
    const closed = { ...example('issues', 'opened'), action: 'closed' };
    closed.issue.state = 'closed';
    const unassigned = await deliver(id, secret, 'issues', closed);
    expect(unassigned.status).toBe(200);
    expect(unassigned.body.note).toContain('needs an assignee');
    expect((await api.get(`/tickets/${code}`)).body.status).toBe('OPEN');

    await api.patch(`/tickets/${code}`, { assigneeId: user.id });
    const done = await deliver(id, secret, 'issues', closed);
    expect([done.status, done.body.outcome, done.body.note]).toEqual([200, 'status', undefined]);
    expect((await api.get(`/tickets/${code}`)).body.status).toBe('DONE');
    expect((await statusEvents(ticket.id)).map((r) => [r.payload.newStatus, r.payload.updatedBy])).toEqual([
      ['IN_PROGRESS', botUserId], ['REVIEW', botUserId], ['DONE', botUserId],
    ]);

    const reopened = await deliver(id, secret, 'issues', example('issues', 'reopened'));
    expect([reopened.status, reopened.body.outcome]).toEqual([200, 'status']);
    expect((await api.get(`/tickets/${code}`)).body.status).toBe('OPEN');

    const labeled = await deliver(id, secret, 'issues', example('issues', 'labeled'));
    expect([labeled.status, labeled.body.outcome]).toEqual([202, 'ignored']);
    const star = await deliver(id, secret, 'star', { action: 'created', starred_at: new Date().toISOString() });
    expect([star.status, star.body.outcome]).toEqual([202, 'ignored']);

    const log = (await api.get(`/projects/${project.id}/integrations/${id}/deliveries`)).body.deliveries;
    expect(log.map((d: { event: string; status: number }) => `${d.event}:${d.status}`)).toEqual([
      'star:202', 'issues:202', 'issues:200', 'issues:200', 'issues:200', 'issue_comment:200', 'issues:200', 'issues:200', 'issues:201', 'ping:200',
    ]);
    expect(log.find((d: { status: number }) => d.status === 201).ticketCode).toBe(code);
  });

  test('a bad signature, a wrong secret or no delivery id is refused and writes no ticket; a malformed issue is a 422 naming the field', async () => {
    const { api, project } = await t.owner('Octo');
    const { id, secret } = (await api.post(`/projects/${project.id}/integrations`, { kind: 'github', name: 'acme/api' })).body;
    const payload = example('issues', 'opened');
    const raw = JSON.stringify(payload);
    const forged = await fetch(`${t.url}/hooks/${id}`, {
      method: 'POST', body: raw, headers: { 'x-github-event': 'issues', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': await sign('not-the-secret', raw) },
    });
    expect(forged.status).toBe(401);
    const tampered = await fetch(`${t.url}/hooks/${id}`, {
      method: 'POST', body: raw.replace('Spelling', 'Spelling!'), headers: { 'x-github-event': 'issues', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': await sign(secret, raw) },
    });
    expect(tampered.status).toBe(401);
    const noDelivery = await fetch(`${t.url}/hooks/${id}`, { method: 'POST', body: raw, headers: { 'x-github-event': 'issues', 'x-hub-signature-256': await sign(secret, raw) } });
    expect(noDelivery.status).toBe(400);
    const broken = { ...payload, issue: { ...payload.issue, title: 42 } };
    const bad = await deliver(id, secret, 'issues', broken);
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('issue.title');
    expect((await api.get(`/projects/${project.id}`)).body.ticketCount).toBe(0);
  });
});

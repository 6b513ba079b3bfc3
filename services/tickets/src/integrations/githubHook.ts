/**
 * @module GitHub deliveries → ticket changes. An issue is known by its numeric id (stable across
 * renames and transfers): `issues.opened` creates, `edited` updates title/body/labels, `closed` walks
 * to DONE and `reopened` back to OPEN, `issue_comment.created` comments. `ping` answers 200; any
 * other event is accepted and ignored (202).
 */
import { InvalidField } from '@syncro/kit/errors';
import * as v from 'valibot';
import type { NewTicket } from '../tickets/ticketCreator.ts';
import type { IntegrationDefaults } from './integrations.model.ts';
import { cleanLabels, commentFromHook, createFromHook, editFromHook, findByExternalId, ignored, walkStatus, type Effect, type HookResult } from './hookEffects.ts';

const Issue = v.object({
  id: v.number(),
  number: v.number(),
  title: v.string(),
  body: v.nullish(v.string()),
  html_url: v.string(),
  labels: v.optional(v.array(v.object({ name: v.string() })), []),
});
const IssuesEvent = v.object({ action: v.string(), issue: Issue });
const IssueCommentEvent = v.object({
  action: v.string(),
  issue: v.object({ id: v.number() }),
  comment: v.object({ body: v.nullish(v.string()), html_url: v.string(), user: v.nullish(v.object({ login: v.string() })) }),
});

const parse = <S extends v.GenericSchema>(schema: S, payload: unknown): v.InferOutput<S> => {
  const r = v.safeParse(schema, payload);
  if (r.success) return r.output;
  const issue = r.issues[0]!;
  throw new InvalidField(v.getDotPath(issue) ?? '(root)', issue.message);
};

const MAX_DESCRIPTION = 20_000;
const describe = (issue: v.InferOutput<typeof Issue>) => {
  const link = `\n\n---\nGitHub issue #${issue.number}: ${issue.html_url}`;
  return (issue.body ?? '').slice(0, MAX_DESCRIPTION - link.length) + link;
};
const title = (issue: v.InferOutput<typeof Issue>) => issue.title.trim().slice(0, 200) || `GitHub issue #${issue.number}`;

const openedTicket = (defaults: IntegrationDefaults, issue: v.InferOutput<typeof Issue>): NewTicket => ({
  title: title(issue),
  description: describe(issue),
  priority: defaults.priority,
  labels: cleanLabels([...defaults.labels, ...issue.labels.map((l) => l.name)]),
});

/** `issues.opened`: the ticket it makes, unless the issue has one already (then applyGitHub answers). */
export function githubCreatePlan(defaults: IntegrationDefaults, event: string | null, payload: unknown): { input: NewTicket; externalId: string } | null {
  if (event !== 'issues' || (payload as { action?: unknown } | null)?.action !== 'opened') return null;
  const { issue } = parse(IssuesEvent, payload);
  return { input: openedTicket(defaults, issue), externalId: `issue:${issue.id}` };
}

/** `event` is `X-GitHub-Event`; `ping` is answered before this runs. */
export async function applyGitHub(e: Effect, event: string, payload: unknown): Promise<HookResult> {
  if (event === 'issues') {
    const { action, issue } = parse(IssuesEvent, payload);
    const externalId = `issue:${issue.id}`;
    const labels = cleanLabels(issue.labels.map((l) => l.name));
    if (action === 'opened') {
      const known = await findByExternalId(e.tx, e.integration.id, externalId);
      if (known) return { status: 200, outcome: 'unchanged', ticket: { id: known.id, code: known.code }, note: 'issue already has a ticket' };
      return createFromHook(e, openedTicket(e.integration.defaults, issue), externalId);
    }
    const ticket = await findByExternalId(e.tx, e.integration.id, externalId);
    if (!ticket) return ignored(`issues.${action} for issue #${issue.number}, which has no ticket here`);
    if (action === 'edited') return editFromHook(e, ticket, { title: title(issue), description: describe(issue), labels: cleanLabels([...e.integration.defaults.labels, ...labels]) });
    if (action === 'closed') return walkStatus(e, ticket, 'DONE');
    if (action === 'reopened') return walkStatus(e, ticket, 'OPEN');
    return ignored(`issues.${action} is not handled`);
  }
  if (event === 'issue_comment') {
    const { action, issue, comment } = parse(IssueCommentEvent, payload);
    if (action !== 'created') return ignored(`issue_comment.${action} is not handled`);
    const ticket = await findByExternalId(e.tx, e.integration.id, `issue:${issue.id}`);
    if (!ticket) return ignored('a comment on an issue that has no ticket here');
    const who = comment.user?.login ? `@${comment.user.login} on GitHub` : 'On GitHub';
    const link = `\n\n${comment.html_url}`;
    const content = `${who}: ${(comment.body ?? '').trim()}`.slice(0, 10_000 - link.length) + link;
    return commentFromHook(e, ticket, content);
  }
  return ignored(`${event} events are not handled`);
}

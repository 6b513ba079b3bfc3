import { describe, expect, test } from 'bun:test';
import { TICKET_STATUSES, type TicketStatus } from '@syncro/contracts';
import { allowedTargets, checkTransition } from './workflow.ts';

const assigned = { assigneeId: '0193a1b2-0000-7000-8000-000000000001' };

// Every one of the 16 pairs, written out: the table is the specification.
const expected: [TicketStatus, TicketStatus, boolean][] = [
  ['OPEN', 'OPEN', false],
  ['OPEN', 'IN_PROGRESS', true],
  ['OPEN', 'REVIEW', false],
  ['OPEN', 'DONE', false],
  ['IN_PROGRESS', 'OPEN', true],
  ['IN_PROGRESS', 'IN_PROGRESS', false],
  ['IN_PROGRESS', 'REVIEW', true],
  ['IN_PROGRESS', 'DONE', false],
  ['REVIEW', 'OPEN', false],
  ['REVIEW', 'IN_PROGRESS', true],
  ['REVIEW', 'REVIEW', false],
  ['REVIEW', 'DONE', true],
  ['DONE', 'OPEN', true],
  ['DONE', 'IN_PROGRESS', false],
  ['DONE', 'REVIEW', false],
  ['DONE', 'DONE', false],
];

describe('ticket workflow', () => {
  test('the table covers all 16 pairs', () => {
    expect(expected).toHaveLength(TICKET_STATUSES.length ** 2);
  });

  test.each(expected)('%s → %s allowed: %p', (from, to, ok) => {
    const result = checkTransition(from, to, assigned);
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.code).toBe('TRANSITION_NOT_ALLOWED');
      expect(result.allowed).toEqual(allowedTargets(from));
      expect(result.allowed).not.toContain(to);
    }
  });

  test('OPEN → IN_PROGRESS needs an assignee', () => {
    const result = checkTransition('OPEN', 'IN_PROGRESS', { assigneeId: null });
    expect(result).toMatchObject({ ok: false, code: 'ASSIGNEE_REQUIRED', allowed: ['IN_PROGRESS'] });
  });

  test('other moves do not need an assignee', () => {
    expect(checkTransition('DONE', 'OPEN', { assigneeId: null }).ok).toBe(true);
    expect(checkTransition('IN_PROGRESS', 'REVIEW', { assigneeId: null }).ok).toBe(true);
  });
});

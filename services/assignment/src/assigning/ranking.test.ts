/** The assignment rule as a table: same facts in, same winner out, with the reason naming the deciding rule. */
import { describe, expect, test } from 'bun:test';
import { PRIORITY_WEIGHTS, rankCandidates, type Candidate, type TicketFacts } from './ranking.ts';

const NOW = new Date('2030-01-15T12:00:00Z');
const A = '00000000-0000-7000-8000-00000000000a';
const B = '00000000-0000-7000-8000-00000000000b';
const C = '00000000-0000-7000-8000-00000000000c';

const member = (userId: string, over: Partial<Candidate> = {}): Candidate => ({
  userId,
  skills: [],
  capacity: null,
  awayUntil: null,
  lastAssignedAt: null,
  load: 0,
  openTickets: 0,
  ...over,
});
const ticket = (over: Partial<TicketFacts> = {}): TicketFacts => ({ priority: 'MEDIUM', labels: [], ...over });
const at = (iso: string) => new Date(iso);

const cases: {
  name: string;
  members: Candidate[];
  ticket?: TicketFacts;
  strategy?: 'least_loaded' | 'specialist';
  winner: string | null;
  order: string[];
  reason: RegExp;
}[] = [
  {
    name: 'lowest weighted load wins',
    members: [member(A, { load: 4 }), member(B, { load: 2 }), member(C, { load: 3 })],
    winner: B,
    order: [B, C, A],
    reason: /weighted load 2; ahead of .*c by lower weighted load/,
  },
  {
    name: 'weights, not counts: one URGENT (5) outweighs two MEDIUM (4)',
    members: [member(A, { load: 5, openTickets: 1 }), member(B, { load: 4, openTickets: 2 })],
    winner: B,
    order: [B, A],
    reason: /lower weighted load/,
  },
  {
    name: 'equal load: least recently assigned wins, never-assigned first',
    members: [
      member(A, { load: 2, lastAssignedAt: at('2030-01-15T11:00:00Z') }),
      member(B, { load: 2, lastAssignedAt: at('2030-01-15T10:00:00Z') }),
      member(C, { load: 2 }),
    ],
    winner: C,
    order: [C, B, A],
    reason: /least recently assigned/,
  },
  {
    name: 'all equal: lowest user id wins',
    members: [member(C), member(A), member(B)],
    winner: A,
    order: [A, B, C],
    reason: /lowest user id/,
  },
  {
    name: 'away member is excluded even with the lowest load; returned one is back',
    members: [member(A, { awayUntil: at('2030-02-01T00:00:00Z') }), member(B, { load: 6, awayUntil: at('2030-01-01T00:00:00Z') })],
    winner: B,
    order: [B, A],
    reason: /the only eligible member/,
  },
  {
    name: 'capacity counts the new ticket: load 3 + HIGH 3 > 5 is full, 3 + LOW 1 fits',
    members: [member(A, { load: 3, capacity: 5 }), member(B, { load: 9 })],
    ticket: ticket({ priority: 'HIGH' }),
    winner: B,
    order: [B, A],
    reason: /weighted load 9/,
  },
  {
    name: 'a LOW ticket still fits under the same capacity',
    members: [member(A, { load: 3, capacity: 5 }), member(B, { load: 9 })],
    ticket: ticket({ priority: 'LOW' }),
    winner: A,
    order: [A, B],
    reason: /weighted load 3/,
  },
  {
    name: 'specialist: matching skills beat lower load, more matches beat fewer (case-insensitive)',
    members: [member(A), member(B, { load: 8, skills: ['Backend'] }), member(C, { load: 9, skills: ['backend', 'db'] })],
    ticket: ticket({ labels: ['backend', 'DB'] }),
    strategy: 'specialist',
    winner: C,
    order: [C, B, A],
    reason: /specialist for backend, db.*more matching skills/,
  },
  {
    name: 'specialist without a matching member falls back to least loaded',
    members: [member(A, { load: 2, skills: ['ui'] }), member(B, { load: 1 })],
    ticket: ticket({ labels: ['backend'] }),
    strategy: 'specialist',
    winner: B,
    order: [B, A],
    reason: /no specialist for these labels; weighted load 1/,
  },
  {
    name: 'least_loaded ignores skills',
    members: [member(A, { load: 2, skills: ['backend'] }), member(B, { load: 1 })],
    ticket: ticket({ labels: ['backend'] }),
    winner: B,
    order: [B, A],
    reason: /weighted load 1/,
  },
  {
    name: 'nobody eligible: no winner, each exclusion named',
    members: [member(A, { awayUntil: at('2030-03-01T00:00:00Z') }), member(B, { load: 2, capacity: 2 })],
    winner: null,
    order: [A, B],
    reason: /nobody eligible: .*a away until 2030-03-01.*b at capacity: load 2 \+ 2 would exceed 2/,
  },
  { name: 'no members at all', members: [], winner: null, order: [], reason: /no members known/ },
];

describe('rankCandidates', () => {
  for (const c of cases) {
    test(c.name, () => {
      const r = rankCandidates(c.members, c.ticket ?? ticket(), c.strategy ?? 'least_loaded', NOW);
      expect(r.winner?.userId ?? null).toBe(c.winner);
      expect(r.candidates.map((x) => x.userId)).toEqual(c.order);
      expect(r.reason).toMatch(c.reason);
      // Same facts in any order: same result (determinism does not depend on the input order).
      const again = rankCandidates(c.members.toReversed(), c.ticket ?? ticket(), c.strategy ?? 'least_loaded', NOW);
      expect(again).toEqual(r);
    });
  }

  test('excluded candidates carry why and no rank; eligible ones are ranked 1..n', () => {
    const r = rankCandidates([member(A, { awayUntil: at('2031-01-01T00:00:00Z') }), member(B), member(C, { load: 1 })], ticket(), 'least_loaded', NOW);
    expect(r.candidates.map((x) => [x.userId, x.rank, x.excluded])).toEqual([
      [B, 1, null],
      [C, 2, null],
      [A, null, 'away until 2031-01-01T00:00:00.000Z'],
    ]);
  });

  test('the documented weights', () => {
    expect(PRIORITY_WEIGHTS).toEqual({ LOW: 1, MEDIUM: 2, HIGH: 3, URGENT: 5 });
  });
});

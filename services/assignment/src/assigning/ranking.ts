/**
 * @module The assignment rule, as a pure function: who may take a ticket and in what order.
 * Everything it needs is passed in (members with their load, the ticket, the strategy, the time),
 * so the same facts always give the same winner; the decision log stores its output verbatim.
 */
import type { Priority } from '@syncro/contracts';
import type { AutoStrategy } from '../projection/projection.model.ts';

/**
 * What an open ticket weighs in a member's load. A critical ticket is more than twice a medium one
 * because it interrupts everything else; a low one is the unit.
 */
export const PRIORITY_WEIGHTS: Record<Priority, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, URGENT: 5 };

export interface Candidate {
  userId: string;
  skills: string[];
  /** Weighted load limit; null: none. */
  capacity: number | null;
  awayUntil: Date | null;
  lastAssignedAt: Date | null;
  /** Weighted open tickets (not DONE), the ticket being assigned not counted. */
  load: number;
  openTickets: number;
}

export interface TicketFacts {
  priority: Priority;
  labels: string[];
}

/** One member as the decision log shows it. */
export interface RankedCandidate {
  userId: string;
  /** 1 = the winner; null when excluded. */
  rank: number | null;
  excluded: string | null;
  load: number;
  openTickets: number;
  capacity: number | null;
  skillMatches: string[];
  lastAssignedAt: string | null;
  awayUntil: string | null;
}

export interface Ranking {
  winner: RankedCandidate | null;
  /** Eligible members in rank order, then the excluded ones by user id. */
  candidates: RankedCandidate[];
  reason: string;
}

const norm = (s: string) => s.trim().toLowerCase();

/** Lower-cased, de-duplicated: skills and labels are compared this way. */
export const normaliseSkills = (skills: string[]) => [...new Set(skills.map(norm).filter(Boolean))];

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** Never assigned counts as least recently assigned. */
const byTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? -1) - (b?.getTime() ?? -1);

interface Scored {
  c: Candidate;
  matches: string[];
}

/** The order of eligible members; each step names the rule that decided it, for the reason text. */
const RULES: { name: string; compare: (a: Scored, b: Scored, strategy: AutoStrategy) => number }[] = [
  { name: 'more matching skills', compare: (a, b, s) => (s === 'specialist' ? b.matches.length - a.matches.length : 0) },
  { name: 'lower weighted load', compare: (a, b) => a.c.load - b.c.load },
  { name: 'least recently assigned', compare: (a, b) => byTime(a.c.lastAssignedAt, b.c.lastAssignedAt) },
  { name: 'lowest user id', compare: (a, b) => (a.c.userId < b.c.userId ? -1 : a.c.userId > b.c.userId ? 1 : 0) },
];

function compare(a: Scored, b: Scored, strategy: AutoStrategy): { order: number; rule: string } {
  for (const rule of RULES) {
    const order = rule.compare(a, b, strategy);
    if (order !== 0) return { order, rule: rule.name };
  }
  return { order: 0, rule: 'identical' };
}

function exclusion(c: Candidate, weight: number, now: Date): string | null {
  if (c.awayUntil && c.awayUntil.getTime() > now.getTime()) return `away until ${c.awayUntil.toISOString()}`;
  if (c.capacity !== null && c.load + weight > c.capacity) {
    return `at capacity: load ${c.load} + ${weight} would exceed ${c.capacity}`;
  }
  return null;
}

export function rankCandidates(candidates: Candidate[], ticket: TicketFacts, strategy: AutoStrategy, now: Date): Ranking {
  const weight = PRIORITY_WEIGHTS[ticket.priority];
  const labels = new Set(normaliseSkills(ticket.labels));
  const view = (s: Scored, rank: number | null, excluded: string | null): RankedCandidate => ({
    userId: s.c.userId,
    rank,
    excluded,
    load: s.c.load,
    openTickets: s.c.openTickets,
    capacity: s.c.capacity,
    skillMatches: s.matches,
    lastAssignedAt: iso(s.c.lastAssignedAt),
    awayUntil: iso(s.c.awayUntil),
  });

  const scored = candidates.map((c) => ({ c, matches: normaliseSkills(c.skills).filter((s) => labels.has(s)).sort() }));
  const eligible: Scored[] = [];
  const excluded: RankedCandidate[] = [];
  for (const s of scored) {
    const why = exclusion(s.c, weight, now);
    if (why) excluded.push(view(s, null, why));
    else eligible.push(s);
  }
  eligible.sort((a, b) => compare(a, b, strategy).order);
  excluded.sort((a, b) => (a.userId < b.userId ? -1 : 1));
  const ranked = [...eligible.map((s, i) => view(s, i + 1, null)), ...excluded];

  const [first, second] = eligible;
  if (!first) {
    const reason =
      candidates.length === 0
        ? 'nobody to assign: the project has no members known here'
        : `nobody eligible: ${excluded.map((c) => `${c.userId} ${c.excluded}`).join('; ')}`;
    return { winner: null, candidates: ranked, reason };
  }
  const basis =
    strategy === 'specialist' && first.matches.length > 0
      ? `specialist for ${first.matches.join(', ')}, weighted load ${first.c.load}`
      : `${strategy === 'specialist' ? 'no specialist for these labels; ' : ''}weighted load ${first.c.load}`;
  const beat = second ? `; ahead of ${second.c.userId} by ${compare(first, second, strategy).rule}` : '; the only eligible member';
  return { winner: ranked[0]!, candidates: ranked, reason: `${basis}${beat}` };
}

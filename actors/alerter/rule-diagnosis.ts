// "Why did this event (not) alert?" over a whole rule set, active and inactive rules alike, with the alerter's
// own engine (rules.ts): the winner is what match() — the alerter's hot path, with its per-event regex budget —
// returns, and every other rule whose text matched is a near miss with the reasons it lost:
//   severity / trap_oid   a condition the rule sets does not hold for this event;
//   inactive              the rule is disabled (is_active false);
//   priority              it matches too, but the winner comes first (priority, then id);
//   regex_budget          it matches and comes before the winner, but the alerter's per-event regex time budget
//                         ran out before it was tried (a slow regex earlier in the order).
// Pure and synchronous; the rule tester runs it in a worker thread (gateway/services/rule-tester-thread.ts).
//   diagnoseEvent(rules, { message: 'disk full', severity: 5 }, { maxRegexMs: 1000 })
//   // → { winner: null, nearMisses: [{ rule: <disk-err>, reasons: ['severity'], why: "contains 'disk' …, but severity 5 is not the rule's 3" }], … }

import type { Rule } from '../../protocol/rules.ts';
import {
  compareRules,
  compileRules,
  type CompileOptions,
  type EvaluationBudget,
  type FailedCondition,
  type InvalidRule,
  type MatchInput,
  type RuleMatch,
  type TextHit,
} from './rules.ts';

export type NearMissReason = FailedCondition | 'inactive' | 'priority' | 'regex_budget';

export interface NearMiss {
  rule: Rule;
  reasons: NearMissReason[];
  why: string;
}

export interface Diagnosis {
  /** What the alerter would pick (match()). */
  winner: RuleMatch | null;
  /** Every active rule that matches, the winner first, then in evaluation order. */
  matches: RuleMatch[];
  /** Rules whose text matched but that did not win, in evaluation order. */
  nearMisses: NearMiss[];
  /** Active rules, and the engine's version hash of them (what the alerter reports). */
  activeRules: number;
  version: string;
  invalid: InvalidRule[];
  /** Rules evaluated for near misses (active and inactive), and those the budget left out. */
  evaluated: number;
  skipped: number;
  regexMs: number;
  stoppedBy: 'regex_time' | 'evaluations' | null;
}

/** `engine`: the alerter's per-event regex budget (default its default) and, for tests, a clock. */
export function diagnoseEvent(
  rules: readonly Rule[],
  event: MatchInput,
  budget: EvaluationBudget = {},
  engine: Pick<CompileOptions, 'regexBudgetMs' | 'clock'> = {},
): Diagnosis {
  const active = compileRules(rules, engine);
  const winner = active.match(event);
  const overran = active.stats.budgetOverruns > 0;
  const first = active.evaluate(event, budget);
  // Inactive rules go through the same engine, as if they were active.
  const inactiveRules = rules.filter((r) => !r.is_active).map((r) => ({ ...r, is_active: true }));
  const rest: EvaluationBudget = {
    maxRegexMs: budget.maxRegexMs === undefined ? undefined : Math.max(0, budget.maxRegexMs - first.regexMs),
    maxEvaluations: budget.maxEvaluations === undefined ? undefined : Math.max(0, budget.maxEvaluations - first.evaluated),
  };
  const second = inactiveRules.length > 0 && first.stoppedBy === null ? compileRules(inactiveRules, engine).evaluate(event, rest) : null;

  const matches: RuleMatch[] = winner ? [{ rule: winner.rule, why: winner.why }] : [];
  const misses: NearMiss[] = [];
  for (const h of first.hits) {
    if (h.failed.length > 0) misses.push({ rule: h.rule, reasons: [...h.failed], why: h.why });
    else if (winner && h.rule.id === winner.rule.id) continue;
    else if (winner && compareRules(winner.rule, h.rule) < 0) {
      matches.push({ rule: h.rule, why: h.why });
      misses.push({
        rule: h.rule,
        reasons: ['priority'],
        why: `${h.why}, but '${winner.rule.id}' comes first (${order(winner.rule, h.rule)})`,
      });
    } else if (overran) {
      misses.push({
        rule: h.rule,
        reasons: ['regex_budget'],
        why: `${h.why}, but the alerter's per-event regex time budget ran out before it was tried`,
      });
    } else {
      // match() and evaluate() are the same tests; without an overrun they cannot disagree (tests/alerter/rules.test.ts).
      matches.push({ rule: h.rule, why: h.why });
    }
  }
  const stored = new Map(rules.filter((r) => !r.is_active).map((r) => [r.id, r]));
  for (const h of second?.hits ?? []) misses.push(inactiveMiss(stored.get(h.rule.id) ?? { ...h.rule, is_active: false }, h));
  misses.sort((a, b) => compareRules(a.rule, b.rule));

  const skippedInactive = second ? second.skipped : first.stoppedBy === null ? 0 : inactiveRules.length;
  return {
    winner: winner ? { rule: winner.rule, why: winner.why } : null,
    matches,
    nearMisses: misses,
    activeRules: active.rules.length,
    version: active.version,
    invalid: [...active.invalid],
    evaluated: first.evaluated + (second?.evaluated ?? 0),
    skipped: first.skipped + skippedInactive,
    regexMs: first.regexMs + (second?.regexMs ?? 0),
    stoppedBy: first.stoppedBy ?? second?.stoppedBy ?? null,
  };
}

function inactiveMiss(stored: Rule, h: TextHit): NearMiss {
  return {
    rule: stored,
    reasons: ['inactive', ...h.failed],
    why: `${h.why}${h.failed.length > 0 ? '; and' : ', but'} the rule is disabled`,
  };
}

function order(winner: Rule, other: Rule): string {
  return winner.priority < other.priority
    ? `priority ${winner.priority} before ${other.priority}`
    : `same priority ${winner.priority}; '${winner.id}' sorts first`;
}
